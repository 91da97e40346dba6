"""A 2xx means committed: the request's session commits before the response is sent (issue 28, item 0),
and a database that fails answers 503 with Retry-After, not a plain 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.api.deps import get_db_factory
from assistant.db.models import User
from assistant.services import Services
from tests.conftest import Participants, auth

API = "/api/v1"


class FailingCommitSession(Session):
    def commit(self) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))


class DiskFullSession(Session):
    def commit(self) -> None:
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))


def add_user_whose_commit_fails(
    client: TestClient, services: Services, admin: dict[str, str], session: type[Session], name: str
) -> Response:
    """``POST /users`` with every commit raising as ``session`` does; the caller checks what the client saw."""
    failing: sessionmaker[Session] = sessionmaker(
        bind=services.db_factory.kw["bind"], class_=session, expire_on_commit=False
    )
    client.app.dependency_overrides[get_db_factory] = lambda: failing  # type: ignore[attr-defined]
    try:
        with TestClient(client.app, raise_server_exceptions=False) as failing_client:  # type: ignore[arg-type]
            return failing_client.post(f"{API}/users", json={"name": name}, headers=auth(admin))
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]


def stored(services: Services, name: str) -> bool:
    with services.db_factory() as db:
        return db.scalars(select(User).where(User.name == name)).first() is not None


def test_a_write_whose_commit_fails_is_never_acknowledged(
    client: TestClient, services: Services, participants: Participants
) -> None:
    admin = participants.add("Ada Admin", "admin")
    response = add_user_whose_commit_fails(client, services, admin, FailingCommitSession, "Never Stored")
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5" and "database is unavailable" in response.json()["detail"]
    assert not stored(services, "Never Stored")


def test_a_full_disk_is_a_507_and_nothing_is_written(
    client: TestClient, services: Services, participants: Participants
) -> None:
    admin = participants.add("Ada Admin", "admin")
    response = add_user_whose_commit_fails(client, services, admin, DiskFullSession, "No Room")
    assert response.status_code == 507 and "disk is full" in response.json()["detail"]
    assert response.headers["Retry-After"]
    assert not stored(services, "No Room")


def test_ready_reports_a_disk_without_room(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.api.routes import health

    monkeypatch.setattr(health, "MIN_FREE_BYTES", 10**18)  # more than any disk here has free
    ready = client.get(f"{API}/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["disk"].startswith("full: ")
