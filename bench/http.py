"""Throughput and latency over HTTP against a real uvicorn server, at several concurrency levels."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.latency import qa_questions
from bench.server import ServerProcess
from bench.stats import percentile


@dataclass
class HttpFigures:
    clients: int
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    rss_mb: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def server_rss_mb(server: ServerProcess) -> float:
    """Resident memory of the server process and its children (uvicorn workers)."""
    assert server.process is not None
    total = 0
    pids = [server.process.pid]
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


async def _client(
    client: httpx.AsyncClient,
    token: str,
    conversation: str,
    questions: list[str],
    deadline: float,
    latencies: list[float],
    errors: list[int],
    offset: int,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    number = offset
    while time.monotonic() < deadline:
        question = questions[number % len(questions)]
        number += 1
        started = time.perf_counter()
        response = await client.post(
            f"/api/v1/conversations/{conversation}/messages", json={"content": question}, headers=headers
        )
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors.append(response.status_code)


async def measure_http(server: ServerProcess, tokens: list[str], clients: int, seconds: float) -> HttpFigures:
    questions = qa_questions()
    latencies: list[float] = []
    errors: list[int] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as client:
        conversations = []
        for token in tokens[:clients]:
            response = await client.post("/api/v1/conversations", json={}, headers={"Authorization": f"Bearer {token}"})
            conversations.append(response.json()["id"])
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _client(client, tokens[i], conversations[i], questions, deadline, latencies, errors, i * 7)
                for i in range(clients)
            )
        )
        elapsed = time.monotonic() - started
    return HttpFigures(
        clients,
        len(latencies),
        elapsed,
        percentile(latencies, 0.5),
        percentile(latencies, 0.95),
        percentile(latencies, 0.99),
        len(errors),
        server_rss_mb(server),
    )
