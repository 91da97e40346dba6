"""``kill -9`` of the server during load, then a restart: nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bench.load import LoadResult, count_stored, run_load
from bench.server import ServerProcess, create_participants, prepare_data_dir

pytestmark = pytest.mark.slow


def test_acknowledged_messages_survive_kill_9(tmp_path: Path, indexed_chroma: Path) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir, indexed_chroma)
    server = ServerProcess(data_dir)
    tokens = create_participants(server.database_url, 8, data_dir)
    server.start()
    outcome: dict[str, LoadResult] = {}

    def load() -> None:
        outcome["result"] = asyncio.run(run_load(server.url, tokens, duration=8.0, max_requests=10_000))

    worker = threading.Thread(target=load)
    worker.start()
    time.sleep(3.0)
    server.kill_hard()
    worker.join(timeout=60)
    result = outcome["result"]
    assert result.acknowledged_ids, "the load acknowledged nothing before the kill"
    assert result.errors, "the kill should have cut requests in flight"

    database = data_dir / "tandem.db"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    server.start()
    try:
        assert count_stored(server.database_url, result.acknowledged_ids) == len(result.acknowledged_ids)
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            orphans = connection.execute(
                "SELECT count(*) FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id "
                "WHERE c.id IS NULL"
            ).fetchone()
            assert orphans == (0,)
    finally:
        server.stop()
