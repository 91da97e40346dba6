"""The theme workers' queue in Redis: each stored message is delivered to one worker, taken over from a
worker that died holding it, and counted exactly once; a lost wake-up is caught by the outbox sweep."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import crud
from assistant.db.engine import make_db_factory, make_engine, migrate, transaction
from assistant.db.models import ThemeEvent, ThemeOutbox, User
from assistant.themes.classify import ThemeScore
from assistant.themes.events import ThemeLogger
from assistant.themes.queue import RedisStreamQueue
from assistant.turns import accept_message
from tests.support.redis_server import REDIS_URL, needs_redis

pytestmark = needs_redis
SECRET = "queue-test-secret"


class CountingClassifier:
    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def classify(self, text: str) -> list[ThemeScore]:
        with self._lock:
            self.calls += 1
        return [ThemeScore("ai-tools", 0.9)]


@pytest.fixture
def stream() -> Iterator[str]:
    import redis

    name = f"tandem-test:themes:{uuid.uuid4().hex}"
    yield name
    redis.Redis.from_url(REDIS_URL).delete(name)


@pytest.fixture
def db_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path}/queue.db")
    migrate(engine)
    yield make_db_factory(engine)
    engine.dispose()


def mentee_with_conversation(db_factory: sessionmaker[Session]) -> tuple[User, str]:
    with transaction(db_factory) as db:
        user, _ = crud.create_user(db, name="Queue Mentee", role="mentee", cohort="2026")
        conversation = crud.create_conversation(db, user=user)
        db.expunge(user)
        return user, conversation.id


def store_messages(db_factory: sessionmaker[Session], count: int) -> list[int]:
    user, conversation_id = mentee_with_conversation(db_factory)
    return [
        accept_message(
            db_factory, user=user, conversation_id=conversation_id, content=f"How do I use AI tools {n}?"
        ).message.id
        for n in range(count)
    ]


def event_count(db_factory: sessionmaker[Session]) -> int:
    with db_factory() as db:
        return db.scalar(select(func.count()).select_from(ThemeEvent)) or 0


def outbox_count(db_factory: sessionmaker[Session]) -> int:
    with db_factory() as db:
        return db.scalar(select(func.count()).select_from(ThemeOutbox)) or 0


def test_each_published_message_goes_to_one_consumer(stream: str) -> None:
    first, second = RedisStreamQueue(REDIS_URL, stream), RedisStreamQueue(REDIS_URL, stream)
    first.receive(0.01)  # the group exists before anything is published
    for message_id in (11, 12, 13):
        first.publish(message_id)
    got_first = first.receive(0.1)
    got_second = second.receive(0.1)
    assert sorted(d.message_id for d in got_first + got_second) == [11, 12, 13]
    assert first.pending() == 3
    first.acknowledge(got_first)
    second.acknowledge(got_second)
    assert first.pending() == 0


def test_a_delivery_held_by_a_dead_consumer_is_taken_over(stream: str) -> None:
    dead, alive = (
        RedisStreamQueue(REDIS_URL, stream, claim_idle_s=0.2),
        RedisStreamQueue(REDIS_URL, stream, claim_idle_s=0.2),
    )
    dead.receive(0.01)
    dead.publish(42)
    assert [d.message_id for d in dead.receive(0.1)] == [42]  # and never acknowledged: the process died
    assert alive.receive(0.05) == []  # not idle long enough yet
    time.sleep(0.3)
    taken = alive.receive(0.05)
    assert [d.message_id for d in taken] == [42]
    alive.acknowledge(taken)
    assert alive.pending() == 0


def test_workers_sharing_the_stream_count_every_message_once(db_factory: sessionmaker[Session], stream: str) -> None:
    """Two workers (as two processes would be) read one stream while a third party writes: every
    message's events exist once, the outbox is empty and nothing is left unacknowledged."""
    classifier = CountingClassifier()
    loggers = [
        ThemeLogger(db_factory, SECRET, lambda: classifier, queue=RedisStreamQueue(REDIS_URL, stream)) for _ in range(2)
    ]
    for logger in loggers:
        logger.notify()  # starts each worker thread
    writer = ThemeLogger(
        db_factory, SECRET, lambda: classifier, in_process=False, queue=RedisStreamQueue(REDIS_URL, stream)
    )
    ids = store_messages(db_factory, 40)
    for message_id in ids:
        writer.notify(message_id)
    deadline = time.monotonic() + 30
    while outbox_count(db_factory) and time.monotonic() < deadline:
        time.sleep(0.05)
    for logger in loggers:
        logger.close()
    assert outbox_count(db_factory) == 0
    assert event_count(db_factory) == len(ids) == classifier.calls
    assert RedisStreamQueue(REDIS_URL, stream).pending() == 0


def test_a_message_whose_wake_up_was_lost_is_swept(db_factory: sessionmaker[Session], stream: str) -> None:
    """The process died between the commit and the XADD: nothing is in the stream, the row is in the
    outbox, and the sweep counts it once it is older than the claim time."""
    classifier = CountingClassifier()
    logger = ThemeLogger(
        db_factory, SECRET, lambda: classifier, queue=RedisStreamQueue(REDIS_URL, stream), stale_after_s=0.5
    )
    store_messages(db_factory, 3)  # committed, never published
    logger.notify()
    deadline = time.monotonic() + 30
    while outbox_count(db_factory) and time.monotonic() < deadline:
        time.sleep(0.1)
    logger.close()
    assert outbox_count(db_factory) == 0
    assert event_count(db_factory) == 3 == classifier.calls


def test_redis_away_loses_no_message(db_factory: sessionmaker[Session]) -> None:
    """Publishing to a Redis that does not answer logs a warning; the row waits for the sweep."""
    classifier = CountingClassifier()
    unreachable = RedisStreamQueue("redis://127.0.0.1:1/0", "tandem-test:nowhere")
    writer = ThemeLogger(db_factory, SECRET, lambda: classifier, in_process=False, queue=unreachable)
    for message_id in store_messages(db_factory, 2):
        writer.notify(message_id)
    assert outbox_count(db_factory) == 2
    assert writer.drain_outbox() == 2
    assert event_count(db_factory) == 2
