from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.api.limits import RateLimiter, SharedRateLimiter, make_rate_limiter
from assistant.app import create_app
from assistant.config import Settings
from assistant.services import Services
from tests.conftest import Participants, auth
from tests.support.redis_server import REDIS_URL, needs_redis

API = "/api/v1"


def test_a_400k_character_body_gets_413_and_nothing_is_stored(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    conversation = client.post(f"{API}/conversations", json={}, headers=auth(mentee)).json()["id"]
    response = client.post(
        f"{API}/conversations/{conversation}/messages", json={"content": "x" * 400_000}, headers=auth(mentee)
    )
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    assert client.get(f"{API}/conversations/{conversation}", headers=auth(mentee)).json()["messages"] == []


def test_a_chunked_body_without_length_is_limited_too(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()

    def chunks() -> Iterator[bytes]:
        yield b'{"content": "'
        for _ in range(100):
            yield b"y" * 1000
        yield b'"}'

    response = client.post(f"{API}/ask", content=chunks(), headers={**auth(mentee), "Content-Type": "application/json"})
    assert response.status_code == 413


def test_rate_limit_answers_429_with_retry_after(
    settings: Settings, services: Services, participants: Participants
) -> None:
    settings.rate_limit_per_minute, settings.rate_limit_burst = 6, 2
    with TestClient(create_app(settings, services=services)) as client:
        mentee = participants.add()
        statuses = [
            client.post(f"{API}/ask", json={"content": "What is GROW?"}, headers=auth(mentee)) for _ in range(3)
        ]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert int(statuses[-1].headers["Retry-After"]) >= 1
        other = participants.add("Another Person")
        assert client.post(f"{API}/ask", json={"content": "What is GROW?"}, headers=auth(other)).status_code == 200


def test_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert limiter.acquire("u") == 0 and limiter.acquire("u") == 0
    wait = limiter.acquire("u")
    assert wait == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.acquire("u") == 0


def test_cors_is_closed_unless_configured(settings: Settings, services: Services) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(settings, services=services)) as client:
        assert "access-control-allow-origin" not in client.options(f"{API}/ask", headers=preflight).headers
    settings.cors_origins = ["https://intranet.example"]
    with TestClient(create_app(settings, services=services)) as client:
        allowed = client.options(f"{API}/ask", headers={**preflight, "Origin": "https://intranet.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://intranet.example"
        assert "access-control-allow-origin" not in client.options(f"{API}/ask", headers=preflight).headers


@needs_redis
def test_two_workers_share_one_budget_through_redis(
    settings: Settings, services: Services, participants: Participants
) -> None:
    """Two apps (as two worker processes would be) with REDIS_URL: the limit holds across both together."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    stale = list(server.scan_iter(f"*{SharedRateLimiter.NAMESPACE}*"))  # earlier runs reuse these user ids
    if stale:
        server.delete(*stale)
    settings.rate_limit_per_minute, settings.redis_url = 3, REDIS_URL
    mentee, other = participants.add(), participants.add("Another Person")
    with (
        TestClient(create_app(settings, services=services)) as first,
        TestClient(create_app(settings, services=services)) as second,
    ):
        asks = [
            worker.post(f"{API}/ask", json={"content": "What is GROW?"}, headers=auth(mentee))
            for worker in (first, second, first, second)
        ]
        assert [r.status_code for r in asks] == [200, 200, 200, 429]
        assert 1 <= int(asks[-1].headers["Retry-After"]) <= 60
        assert second.post(f"{API}/ask", json={"content": "What is GROW?"}, headers=auth(other)).status_code == 200


def test_without_redis_each_process_keeps_its_own_budget() -> None:
    assert isinstance(make_rate_limiter(30, 10), RateLimiter)
    assert make_rate_limiter(0, 10, REDIS_URL) is None
