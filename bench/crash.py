"""``python -m bench.crash``: load a real server, ``kill -9`` it mid-load, restart, and check what survived.

Reports the requests acknowledged before the kill, how many of their messages are in the database after
the restart (must be all), SQLite's integrity check before and after the restart, and the theme events
(none may exist for a message that was not stored). Exits 1 if any check fails. Runs on a fresh SQLite
database in a temporary folder; tests/reliability/test_crash.py runs the same sequence smaller.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.retrieval.embeddings import get_embedder
from assistant.services import build_services
from assistant.themes.events import participant_key
from bench.load import LoadResult, count_stored, run_load
from bench.server import ServerProcess, create_participants, prepare_data_dir
from tests.support.theme_events import expected_events, stored_events, stored_user_messages

THEME_SECRET = "bench-crash-theme-secret"


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load in all")
    parser.add_argument("--kill-after", type=float, default=15.0, help="seconds into the load")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tandem-crash-") as folder:
        root = Path(folder)
        settings = Settings(_env_file=None, data_dir=root / "index", knowledge_dir=PROJECT_ROOT / "knowledge")  # type: ignore[call-arg]
        services = build_services(settings)
        services.ensure_knowledge()
        services.close()
        data_dir = root / "data"
        prepare_data_dir(data_dir, root / "index" / "chroma")
        server = ServerProcess(data_dir, {"THEME_HMAC_SECRET": THEME_SECRET})
        tokens = create_participants(server.database_url, args.participants, data_dir)
        database = data_dir / "tandem.db"
        server.start()
        outcome: dict[str, LoadResult] = {}

        def load() -> None:
            outcome["result"] = asyncio.run(
                run_load(server.url, tokens, duration=args.duration, max_requests=1_000_000)
            )

        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(args.kill_after)
        server.kill_hard()
        worker.join(timeout=args.duration + 60)
        result = outcome["result"]
        before = integrity(database)
        server.start()
        try:
            found = count_stored(server.database_url, result.acknowledged_ids)
            after = integrity(database)
        finally:
            server.stop()
        events = stored_events(server.database_url)
        weeks = {(participant_key(u, THEME_SECRET), w) for u, _, w in stored_user_messages(server.database_url)}
        orphan_weeks = sum(n for (key, week, _), n in events.items() if (key, week) not in weeks)
        unexplained = events - expected_events(server.database_url, get_embedder(2), THEME_SECRET)

    acknowledged = len(result.acknowledged_ids)
    print(f"participants {args.participants}, killed with SIGKILL {args.kill_after:.0f} s into the load")
    answered = sum(result.statuses.values())
    failed = sum(result.errors.values())
    print(
        f"responses before the kill: {answered}; requests failed while the server was down (cut or refused): {failed}"
    )
    print(f"messages acknowledged: {acknowledged}; found after restart: {found}")
    print(f"PRAGMA integrity_check: {before} after the kill, {after} after the restart")
    print(
        f"theme events: {sum(events.values())}; without a stored message that week: {orphan_weeks}; "
        f"more than the stored messages explain: {sum(unexplained.values())}"
    )
    ok = acknowledged > 0 and found == acknowledged and before == after == "ok" and not orphan_weeks and not unexplained
    print("PASSED" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
