"""The managed schema: a new database is created at the newest revision, one that is behind is refused
with one line until `tandem db upgrade`, and the models agree with the migrations (alembic check)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command

from assistant.db.engine import (
    SchemaBehindError,
    alembic_config,
    make_engine,
    migrate,
    prepare_schema,
    schema_revisions,
)


@pytest.fixture
def empty_database(own_database_url: str) -> str:
    return own_database_url


def test_a_new_database_is_created_at_the_newest_schema(empty_database: str) -> None:
    engine = make_engine(empty_database)
    try:
        prepare_schema(engine)
        current, head = schema_revisions(engine)
    finally:
        engine.dispose()

    assert current == head is not None


def test_a_database_behind_is_refused_until_it_is_upgraded(empty_database: str) -> None:
    engine = make_engine(empty_database)
    try:
        migrate(engine, "0004")
        with pytest.raises(SchemaBehindError) as refused:
            prepare_schema(engine)
        assert "0004" in str(refused.value) and "tandem db upgrade" in str(refused.value)
        assert "\n" not in str(refused.value)

        migrate(engine)
        prepare_schema(engine)
    finally:
        engine.dispose()


def test_models_and_migrations_agree(empty_database: str) -> None:
    engine = make_engine(empty_database)
    try:
        migrate(engine)
        command.check(alembic_config(engine))
    finally:
        engine.dispose()


def tandem(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, capture_output=True, text=True)


def test_the_db_commands_report_upgrade_and_refuse_in_one_line(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'head.db'}")
    head = schema_revisions(engine)[1]
    engine.dispose()
    assert {"upgrade", "current", "revision", "check"} <= set(tandem(tmp_path, "db", "--help").stdout.split())
    assert tandem(tmp_path, "db", "upgrade", "0004").stdout.strip() == "schema: (empty) -> 0004"

    refused = tandem(tmp_path, "goals", "list", "--token", "whatever")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"error: the database schema is at revision 0004 but this Tandem needs {head}: "
        "back the database up and run `tandem db upgrade`"
    ]
    assert "behind" in tandem(tmp_path, "db", "current").stdout

    assert tandem(tmp_path, "db", "upgrade").stdout.strip() == f"schema: 0004 -> {head}"
    assert tandem(tmp_path, "db", "check").stdout.strip().endswith("models and migrations agree")
