"""SQLite writers of one process queue on a lock in ``transaction()``: many threads write at once without
"database is locked", and a session that flushes in one thread and commits in another (as a FastAPI route
and its dependency do) never deadlocks with them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import crud
from assistant.db.engine import WRITER_LOCK, make_db_factory, make_engine, migrate, transaction
from assistant.db.models import Conversation, User


@pytest.fixture
def db_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path}/writers.db")
    migrate(engine)
    yield make_db_factory(engine)
    engine.dispose()


def make_user(db_factory: sessionmaker[Session]) -> User:
    with transaction(db_factory) as db:
        user, _ = crud.create_user(db, name="Writer", role="mentee")
        db.expunge(user)
        return user


def test_only_sqlite_factories_carry_a_writer_lock(db_factory: sessionmaker[Session]) -> None:
    lock = db_factory.kw["info"][WRITER_LOCK]
    assert hasattr(lock, "acquire")
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        assert not hasattr(make_db_factory(engine).kw["info"][WRITER_LOCK], "acquire")
    finally:
        engine.dispose()


def test_many_threads_write_at_once(db_factory: sessionmaker[Session]) -> None:
    user = make_user(db_factory)

    def write(number: int) -> None:
        for _ in range(25):
            with transaction(db_factory) as db:
                crud.create_conversation(db, user=db.merge(user), title=f"thread {number}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))  # re-raises any OperationalError
    with db_factory() as db:
        assert db.scalar(select(func.count()).select_from(Conversation)) == 200


def test_a_session_committed_from_another_thread_does_not_deadlock(db_factory: sessionmaker[Session]) -> None:
    """The route's session holds SQLite's write lock (it flushed) while a ``transaction()`` in another
    thread waits for it: the route's commit, in a third thread, must not need the writer lock."""
    user = make_user(db_factory)
    route = db_factory()
    crud.create_conversation(route, user=route.merge(user), title="route")
    route.flush()  # SQLite's write lock is now held by this session
    waiting = threading.Event()
    done = threading.Event()

    def other_writer() -> None:
        waiting.set()
        with transaction(db_factory) as db:
            crud.create_conversation(db, user=db.merge(user), title="worker")
        done.set()

    writer = threading.Thread(target=other_writer)
    writer.start()
    waiting.wait(5)
    committer = threading.Thread(target=lambda: (route.commit(), route.close()))
    committer.start()
    committer.join(10)
    writer.join(20)
    assert not committer.is_alive() and done.is_set(), "the writers deadlocked"
    with db_factory() as db:
        titles = set(db.scalars(select(Conversation.title)))
    assert titles == {"route", "worker"}
