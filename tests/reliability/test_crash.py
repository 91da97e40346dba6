"""``kill -9`` of the server during load, then a restart: nothing acknowledged is lost, and every stored
message's themes are counted exactly once (the theme outbox is written with the message and drained after
the restart). Twice: with the server's own worker thread, and with Redis, where the server only publishes
and a ``tandem worker`` process, killed at the same moment, counts from the Redis stream."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.themes.events import participant_key
from bench.load import LoadResult, count_stored, run_load
from bench.server import ServerProcess, WorkerProcess, create_participants, prepare_data_dir
from tests.support.redis_server import REDIS_URL, redis_is_up
from tests.support.theme_events import expected_events, stored_events, stored_user_messages

pytestmark = pytest.mark.slow
THEME_SECRET = "crash-test-theme-secret"


def warm_up_theme_log(server: ServerProcess, token: str, database: Path) -> None:
    """One message, then wait for its theme events: the classifier is built before the load starts."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        conversation = client.post("/api/v1/conversations", json={"mode": "ask"}, headers=headers).json()["id"]
        sent = client.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"content": "How should I give feedback to my senior mentee?"},
            headers=headers,
        )
        assert sent.status_code == 200
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            if connection.execute("SELECT count(*) FROM theme_events").fetchone()[0]:
                return
        time.sleep(0.3)
    raise AssertionError("the warm-up message got no theme event in 120 s")


@pytest.fixture(params=["in-process", "redis"])
def theme_queue(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The server's environment for each way of counting themes."""
    if request.param == "in-process":
        yield {}
        return
    if not redis_is_up():
        pytest.skip("no Redis server at 127.0.0.1:6379")
    import redis

    stream = f"tandem-test:crash:{uuid.uuid4().hex}"
    yield {"REDIS_URL": REDIS_URL, "THEME_WORKER": "external", "THEME_STREAM": stream, "THEME_CLAIM_IDLE_SECONDS": "2"}
    redis.Redis.from_url(REDIS_URL).delete(stream)


def test_acknowledged_messages_survive_kill_9(
    tmp_path: Path, indexed_chroma: Path, embedder: MiniLMEmbedder, theme_queue: dict[str, str]
) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir, indexed_chroma)
    server = ServerProcess(data_dir, {"THEME_HMAC_SECRET": THEME_SECRET, **theme_queue})
    worker = WorkerProcess(server) if theme_queue else None
    tokens = create_participants(server.database_url, 8, data_dir)
    database = data_dir / "tandem.db"
    server.start()
    if worker is not None:
        worker.start()
    warm_up_theme_log(server, tokens[0], database)
    outcome: dict[str, LoadResult] = {}

    def load() -> None:
        outcome["result"] = asyncio.run(run_load(server.url, tokens, duration=8.0, max_requests=10_000))

    loader = threading.Thread(target=load)
    loader.start()
    time.sleep(3.0)
    server.kill_hard()
    if worker is not None:
        worker.kill_hard()
    loader.join(timeout=60)
    result = outcome["result"]
    assert result.acknowledged_ids, "the load acknowledged nothing before the kill"
    assert result.errors, "the kill should have cut requests in flight"

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with sqlite3.connect(database) as connection:
        waiting_at_kill = connection.execute("SELECT count(*) FROM theme_outbox").fetchone()[0]
    server.start()
    if worker is not None:
        worker.start()
    try:
        assert count_stored(server.database_url, result.acknowledged_ids) == len(result.acknowledged_ids)
        wait_for_empty_outbox(database)
        if theme_queue:
            wait_for_acknowledged_stream(theme_queue["THEME_STREAM"])
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            orphans = connection.execute(
                "SELECT count(*) FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id "
                "WHERE c.id IS NULL"
            ).fetchone()
            assert orphans == (0,)
    finally:
        server.stop()
        if worker is not None:
            worker.stop()

    # Theme events: every stored participant message counted exactly once, including those still in the
    # outbox at the kill (counted after the restart).
    events = stored_events(server.database_url)
    assert events, "no theme event at all, so the checks below prove nothing"
    weeks_with_messages = {
        (participant_key(user_id, THEME_SECRET), week) for user_id, _, week in stored_user_messages(server.database_url)
    }
    assert {(key, week) for key, week, _ in events} <= weeks_with_messages
    expected = expected_events(server.database_url, embedder, THEME_SECRET)
    assert not events - expected, f"theme events without a stored message: {dict(events - expected)}"
    assert not expected - events, f"stored messages whose themes were not counted: {dict(expected - events)}"
    print(f"outbox rows waiting at the kill: {waiting_at_kill}; theme events: {sum(events.values())}")


def wait_for_empty_outbox(database: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            if connection.execute("SELECT count(*) FROM theme_outbox").fetchone()[0] == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"the theme outbox did not empty in {seconds} s after the restart")


def wait_for_acknowledged_stream(stream: str, seconds: float = 60) -> None:
    """Deliveries the killed worker held are taken over (after THEME_CLAIM_IDLE_SECONDS) and acknowledged."""
    from assistant.themes.queue import RedisStreamQueue

    queue = RedisStreamQueue(REDIS_URL, stream)
    deadline = time.monotonic() + seconds
    while queue.pending() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert queue.pending() == 0, "deliveries left unacknowledged in the Redis stream"
