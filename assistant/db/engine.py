"""Engine and session factory for SQLite (WAL) or PostgreSQL, migrated by Alembic."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
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
            cursor.close()

        serialize_sqlite_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP")
WRITE_LOCK_TIMEOUT_S = 30.0


def serialize_sqlite_writes(engine: Engine) -> None:
    """Let one connection of this process write at a time, queued on a lock, not in SQLite's busy handler.

    SQLite allows one writer; a second writer waits in the busy handler, which sleeps in growing steps
    (up to 100 ms) instead of waking when the lock frees. Under concurrent requests that turned a few
    milliseconds of waiting into seconds of tail latency. Here a connection takes a process-wide lock at
    its first write statement and gives it back at commit, rollback or check-in; readers are not
    affected (WAL). After ``WRITE_LOCK_TIMEOUT_S`` a connection goes ahead anyway and SQLite's own
    locking decides, so a mistake can slow a request but never deadlock it.
    """
    lock = threading.Lock()

    def release(info: dict[str, Any]) -> None:
        if info.pop("tandem_write_lock", False):
            lock.release()

    @event.listens_for(engine, "before_cursor_execute")
    def _take(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        info = connection.connection.info
        if not info.get("tandem_write_lock") and statement.lstrip()[:7].upper().startswith(WRITE_PREFIXES):
            info["tandem_write_lock"] = lock.acquire(timeout=WRITE_LOCK_TIMEOUT_S)

    @event.listens_for(engine, "commit")
    def _after_commit(connection: Any) -> None:
        release(connection.connection.info)

    @event.listens_for(engine, "rollback")
    def _after_rollback(connection: Any) -> None:
        release(connection.connection.info)

    @event.listens_for(engine.pool, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            release(record.info)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
