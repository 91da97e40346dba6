"""Engine and session factory for SQLite (WAL) or PostgreSQL, migrated by Alembic."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA secure_delete=ON")  # a deleted message's text is overwritten, not left in free pages
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default; idempotent)."""
    command.upgrade(alembic_config(engine), revision)


class SchemaBehindError(RuntimeError):
    """The database's schema is older than this version of Tandem needs."""


def schema_revisions(engine: Engine) -> tuple[str | None, str | None]:
    """The database's current Alembic revision (None when it has none) and the newest one the code knows."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def prepare_schema(engine: Engine) -> None:
    """Create a new, empty database at the newest schema; refuse one whose schema is behind.

    Upgrading an existing database is a decision (back it up first), so it is left to
    ``tandem db upgrade`` instead of happening silently at start-up.
    """
    current, head = schema_revisions(engine)
    if current == head:
        return
    if current is None and not inspect(engine).get_table_names():
        migrate(engine)
        return
    raise SchemaBehindError(
        f"the database schema is at revision {current or '(none)'} but this Tandem needs {head}: "
        "back the database up and run `tandem db upgrade`"
    )


def make_db_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, info={WRITER_LOCK: _writer_lock(engine)})


WRITER_LOCK = "tandem_writer_lock"


def _writer_lock(engine: Engine) -> AbstractContextManager[object]:
    """SQLite takes one writer at a time; its busy handler makes the others sleep in growing steps and
    retry. Within a process, :func:`transaction` queues writers on a lock instead, so the next one starts
    the moment the last commits. Other databases (and other processes) keep their own locking."""
    return threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work, committed at the end or rolled back on any error; begun and ended in the same
    thread (so, on SQLite, it may hold the process's writer lock throughout)."""
    with factory.kw.get("info", {}).get(WRITER_LOCK) or nullcontext():
        db = factory()
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()


def flush_deleted_pages(engine: Engine) -> None:
    """After deleting personal text on SQLite, checkpoint the write-ahead log and truncate it, so the old
    pages (still holding the text) leave ``tandem.db-wal``; with ``secure_delete`` the database file's
    freed pages are already zeroed. Nothing to do on PostgreSQL (its vacuum reclaims dead rows)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
