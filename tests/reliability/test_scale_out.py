"""Beyond one machine: two uvicorn workers on one PostgreSQL database and one Chroma server.

A real ``uvicorn server:app --workers 2`` (``bench/server.py``) gets ``DATABASE_URL`` on PostgreSQL (a
schema of its own) and ``CHROMA_URL`` on a ``chroma run`` server that was indexed first. Participants
then hold conversations in every mode at the same time over HTTP, with a new connection per request so
both workers serve, save goals, and an HR user reads the theme insights meanwhile. Checked: no 5xx,
every acknowledged message is stored, everyone sees only their own conversations, both workers served,
and the theme log written in the background by both workers holds exactly the events the classifier
gives for the stored participant messages: none missing, none twice.

Needs ``TEST_DATABASE_URL`` (skipped without it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from assistant.db import crud
from assistant.db.engine import make_db_factory, make_engine, migrate, transaction
from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.services import build_services
from bench.load import MESSAGES, count_stored
from bench.server import ServerProcess, free_port
from tests.conftest import KNOWLEDGE, POSTGRES_URL, _fresh_postgres_schema
from tests.support.chroma_server import ChromaServer
from tests.support.theme_events import expected_events, stored_events

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
API = "/api/v1"
SECRET = "scale-out-theme-secret-shared-by-all-workers"
PARTICIPANTS = 6
ROUNDS = 3
GOAL = "By 31 March I will build one Power BI dashboard for my team's weekly sales review."


@dataclass
class Person:
    user_id: int
    role: str
    token: str
    conversations: set[str] = field(default_factory=set)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)

    def record(self, response: httpx.Response) -> httpx.Response:
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{response.request.method} {response.request.url.path}: {response.text[:200]}")
        return response


@pytest.fixture
def scale_database_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    with _fresh_postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def chroma(tmp_path: Path, embedder: MiniLMEmbedder, scale_database_url: str) -> Iterator[ChromaServer]:
    """A Chroma server holding the knowledge base (indexed before any worker starts)."""
    server = ChromaServer(tmp_path / "chroma-server", free_port())
    server.start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "indexer",
        database_url=scale_database_url,
        knowledge_dir=KNOWLEDGE,
        chroma_url=server.url,
    )
    services = build_services(settings, embedder=embedder)
    services.ensure_knowledge()
    assert services.store.count() > 0
    services.close()
    yield server
    server.stop()


def add_people(database_url: str) -> tuple[list[Person], Person]:
    engine = make_engine(database_url)
    migrate(engine)  # before the workers start, so they do not race to create the schema
    people = []
    with transaction(make_db_factory(engine)) as db:
        for number in range(PARTICIPANTS):
            role = "mentee" if number % 2 == 0 else "mentor"
            user, token = crud.create_user(db, name=f"Scale Participant {number}", role=role, cohort="scale")
            db.flush()
            people.append(Person(user.id, role, token))
        user, token = crud.create_user(db, name="Hana HR", role="hr")
        db.flush()
        hr = Person(user.id, "hr", token)
    engine.dispose()
    return people, hr


async def converse(client: httpx.AsyncClient, person: Person, number: int, outcome: Outcome) -> None:
    """Conversations in all four modes, a saved goal, then rounds of messages in every mode."""
    by_mode = {}
    for mode in MESSAGES:
        created = outcome.record(await client.post(f"{API}/conversations", json={"mode": mode}, headers=person.headers))
        assert created.status_code == 201, created.text
        by_mode[mode] = created.json()["id"]
        person.conversations.add(created.json()["id"])
    saved = outcome.record(await client.post(f"{API}/goals", json={"text": GOAL}, headers=person.headers))
    assert saved.status_code == 201, saved.text
    for round_number in range(ROUNDS):
        for mode, lines in MESSAGES.items():
            content = lines[(number + round_number) % len(lines)]
            response = outcome.record(
                await client.post(
                    f"{API}/conversations/{by_mode[mode]}/messages", json={"content": content}, headers=person.headers
                )
            )
            if response.status_code == 200:
                outcome.acknowledged.append(response.json()["message"]["id"])


async def read_insights(client: httpx.AsyncClient, hr: Person, outcome: Outcome) -> None:
    for _ in range(6):
        response = outcome.record(await client.get(f"{API}/insights/themes", headers=hr.headers))
        assert response.status_code == 200 and "themes" in response.text, response.text
        await asyncio.sleep(0.5)


async def run_load(url: str, people: list[Person], hr: Person) -> Outcome:
    outcome = Outcome()
    fresh_connections = httpx.Limits(max_keepalive_connections=0)  # each request may land on either worker
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=fresh_connections) as client:

        async def guarded(job: Coroutine[object, object, None]) -> None:
            try:
                await job
            except httpx.HTTPError as exc:
                outcome.transport_errors.append(type(exc).__name__)

        jobs = [converse(client, person, n, outcome) for n, person in enumerate(people)]
        await asyncio.gather(*(guarded(job) for job in [*jobs, read_insights(client, hr, outcome)]))
    return outcome


def worker_pids(server: ServerProcess) -> list[int]:
    """The uvicorn worker processes (multiprocessing children running ``spawn_main``)."""
    assert server.process is not None
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = []
    for child in children:
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"spawn_main" in cmdline:
            workers.append(int(child))
    return workers


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def stop_gracefully(server: ServerProcess, timeout: float = 120.0) -> None:
    """SIGTERM: each worker's shutdown finishes its queued theme logging before it exits."""
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill_hard()
        raise


def test_two_workers_on_postgresql_and_a_chroma_server(
    tmp_path: Path, scale_database_url: str, chroma: ChromaServer, embedder: MiniLMEmbedder
) -> None:
    database_url = scale_database_url
    people, hr = add_people(database_url)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {"DATABASE_URL": database_url, "CHROMA_URL": chroma.url, "THEME_HMAC_SECRET": SECRET}
    server = ServerProcess(data_dir, env, workers=2)
    server.start(timeout=180)
    try:
        workers = worker_pids(server)
        assert len(workers) == 2, f"expected 2 uvicorn workers, found {workers}"
        busy_before = {pid: cpu_seconds(pid) for pid in workers}
        started = time.monotonic()
        outcome = asyncio.run(run_load(server.url, people, hr))
        elapsed = time.monotonic() - started
        busy = {pid: cpu_seconds(pid) - busy_before[pid] for pid in workers}

        assert not outcome.server_errors, outcome.server_errors
        assert not outcome.transport_errors, outcome.transport_errors
        assert all(status in {200, 201} for status in outcome.statuses), outcome.statuses
        assert len(outcome.acknowledged) == PARTICIPANTS * ROUNDS * len(MESSAGES)
        assert all(seconds > 0.5 for seconds in busy.values()), f"a worker served nothing: {busy}"
        assert count_stored(database_url, outcome.acknowledged) == len(outcome.acknowledged)

        with httpx.Client(base_url=server.url, timeout=60) as client:
            for person in people:
                listed = client.get(f"{API}/conversations", headers=person.headers).json()
                assert {c["id"] for c in listed["data"]} == person.conversations
                goals = client.get(f"{API}/goals", headers=person.headers).json()
                assert goals["count"] == 1
                other = people[(people.index(person) + 1) % len(people)]
                for conversation in other.conversations:
                    assert client.get(f"{API}/conversations/{conversation}", headers=person.headers).status_code == 404
            assert client.get(f"{API}/conversations", headers=hr.headers).status_code == 403

        expected = expected_events(database_url, embedder, SECRET)
        assert sum(expected.values()) > 0, "no stored message has a theme, so the check below proves nothing"
        deadline = time.monotonic() + 180  # the workers log themes in the background
        while stored_events(database_url) != expected and time.monotonic() < deadline:
            time.sleep(1.0)
    finally:
        stop_gracefully(server)
    stored = stored_events(database_url)
    missing, extra = expected - stored, stored - expected
    assert not missing and not extra, f"theme events missing: {dict(missing)}; duplicated or unexpected: {dict(extra)}"
    print(
        f"\nscale-out: {len(outcome.acknowledged)} messages in {elapsed:.1f} s, {sum(stored.values())} theme events, "
        f"worker CPU seconds { {pid: round(s, 1) for pid, s in busy.items()} }"
    )
