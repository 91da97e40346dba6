"""Load generator: N participants holding conversations in every mode against a real server.

    python -m bench.load --participants 32 --duration 60

Bounded in time and in requests. Reports throughput, latency percentiles and errors, then checks that
every message the server acknowledged is in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from assistant.db.engine import make_engine
from assistant.db.models import Message
from bench.server import ServerProcess, create_participants, prepare_data_dir

MESSAGES = {
    "ask": [
        "How should I give feedback to my senior mentee?",
        "What goes into the mentoring agreement?",
        "What does HR see from our sessions?",
        "My mentee keeps cancelling, what can I do?",
        "What is the GROW model?",
    ],
    "goal": [
        "get better at tech",
        "By 31 March I will build one Power BI dashboard for my team's weekly sales review.",
        "Learn to use Teams breakout rooms for my workshops within six weeks.",
    ],
    "plan": ["Plan our next session please.", "Make it 30 minutes", "action: try Copilot for meeting notes"],
    "rehearse": [
        "You're a dinosaur with this stuff.",
        "In Tuesday's call you shared your screen with notifications on, and the client saw our pricing thread.",
        "Great job!",
    ],
}


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged_ids: list[int] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, object]:
        elapsed = self.finished - self.started
        requests = sum(self.statuses.values())
        return {
            "requests": requests,
            "seconds": round(elapsed, 1),
            "throughput_rps": round(requests / elapsed, 1) if elapsed else 0.0,
            "p50_ms": round(self.percentile(0.50), 1),
            "p95_ms": round(self.percentile(0.95), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else None,
            "statuses": dict(sorted(self.statuses.items())),
            "server_errors": sum(n for status, n in self.statuses.items() if status >= 500),
            "transport_errors": dict(self.errors),
            "acknowledged_messages": len(self.acknowledged_ids),
        }


async def participant(
    client: httpx.AsyncClient, token: str, deadline: float, budget: list[int], result: LoadResult, seed: int
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    conversations: dict[str, str] = {}
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        mode = rng.choice(list(MESSAGES))
        started = time.perf_counter()
        try:
            if mode not in conversations:
                response = await client.post("/api/v1/conversations", json={"mode": mode}, headers=headers)
                if response.status_code == 201:
                    conversations[mode] = response.json()["id"]
            else:
                response = await client.post(
                    f"/api/v1/conversations/{conversations[mode]}/messages",
                    json={"content": rng.choice(MESSAGES[mode])},
                    headers=headers,
                )
                if response.status_code == 200:
                    result.acknowledged_ids.append(response.json()["message"]["id"])
            result.statuses[response.status_code] += 1
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
        except httpx.HTTPError as exc:
            result.errors[type(exc).__name__] += 1


async def run_load(url: str, tokens: list[str], duration: float, max_requests: int) -> LoadResult:
    result = LoadResult()
    budget = [max_requests]
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        result.started = time.monotonic()
        deadline = result.started + duration
        await asyncio.gather(*(participant(client, t, deadline, budget, result, n) for n, t in enumerate(tokens)))
        result.finished = time.monotonic()
    return result


def count_stored(database_url: str, message_ids: list[int]) -> int:
    """How many of the acknowledged message ids are in the database."""
    engine = make_engine(database_url)
    found = 0
    with engine.connect() as connection:
        for start in range(0, len(message_ids), 500):
            batch = message_ids[start : start + 500]
            found += int(
                connection.execute(select(func.count()).select_from(Message).where(Message.id.in_(batch))).scalar() or 0
            )
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tandem-load-") as folder:
        data_dir = Path(folder)
        prepare_data_dir(data_dir)
        overrides = {"DATABASE_URL": args.database_url} if args.database_url else {}
        server = ServerProcess(data_dir, overrides, workers=args.workers)
        tokens = create_participants(server.database_url, args.participants, data_dir)
        server.start()
        try:
            result = asyncio.run(run_load(server.url, tokens, args.duration, args.max_requests))
        finally:
            server.stop()
        summary = result.summary()
        summary["acknowledged_found_in_database"] = count_stored(server.database_url, result.acknowledged_ids)
        summary["all_acknowledged_stored"] = summary["acknowledged_found_in_database"] == len(result.acknowledged_ids)
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key:>24}: {value}")
    if summary["server_errors"] or not summary["all_acknowledged_stored"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
