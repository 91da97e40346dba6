"""A 2xx means committed: the request's session commits before the response is sent (issue 28, item 0),
and a database that fails answers 503 with Retry-After, not a plain 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
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


def test_a_write_whose_commit_fails_is_never_acknowledged(
    client: TestClient, services: Services, participants: Participants
) -> None:
    admin = participants.add("Ada Admin", "admin")
    failing: sessionmaker[Session] = sessionmaker(
        bind=services.db_factory.kw["bind"], class_=FailingCommitSession, expire_on_commit=False
    )
    client.app.dependency_overrides[get_db_factory] = lambda: failing  # type: ignore[attr-defined]
    try:
        with TestClient(client.app, raise_server_exceptions=False) as failing_client:  # type: ignore[arg-type]
            response = failing_client.post(f"{API}/users", json={"name": "Never Stored"}, headers=auth(admin))
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5" and "database is unavailable" in response.json()["detail"]
    with services.db_factory() as db:
        assert db.scalars(select(User).where(User.name == "Never Stored")).first() is None


class DiskFullSession(Session):
    def commit(self) -> None:
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))


def test_a_full_disk_is_a_507_and_nothing_is_written(
    client: TestClient, services: Services, participants: Participants
) -> None:
    admin = participants.add("Ada Admin", "admin")
    full: sessionmaker[Session] = sessionmaker(
        bind=services.db_factory.kw["bind"], class_=DiskFullSession, expire_on_commit=False
    )
    client.app.dependency_overrides[get_db_factory] = lambda: full  # type: ignore[attr-defined]
    try:
        with TestClient(client.app, raise_server_exceptions=False) as full_client:  # type: ignore[arg-type]
            response = full_client.post(f"{API}/users", json={"name": "No Room"}, headers=auth(admin))
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert response.status_code == 507 and "disk is full" in response.json()["detail"]
    assert response.headers["Retry-After"]
    with services.db_factory() as db:
        assert db.scalars(select(User).where(User.name == "No Room")).first() is None


def test_ready_reports_a_disk_without_room(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.api.routes import health

    monkeypatch.setattr(health, "MIN_FREE_BYTES", 10**18)  # more than any disk here has free
    ready = client.get(f"{API}/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["disk"].startswith("full: ")
