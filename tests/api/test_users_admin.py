"""The admin users API and forgetting a participant (API and ``tandem users forget``)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.db.models import Conversation, Goal, Message, ThemeEvent, User
from assistant.services import Services
from assistant.themes.classify import ThemeScore
from assistant.themes.events import participant_key
from tests.conftest import Participants, auth

API = "/api/v1"


class AlwaysAITools:
    def classify(self, text: str) -> list[ThemeScore]:
        return [ThemeScore("ai-tools", 0.9)]


@pytest.mark.parametrize("role", ["mentee", "mentor", "hr"])
def test_only_admins_manage_users(client: TestClient, participants: Participants, role: str) -> None:
    person = participants.add("Not Admin", role)
    other = participants.add("Someone Else", "mentee")
    assert client.get(f"{API}/users", headers=auth(person)).status_code == 403
    assert client.post(f"{API}/users", json={"name": "X"}, headers=auth(person)).status_code == 403
    assert client.patch(f"{API}/users/{other['id']}", json={"active": False}, headers=auth(person)).status_code == 403
    assert client.delete(f"{API}/users/{other['id']}", headers=auth(person)).status_code == 403
    assert client.get(f"{API}/users").status_code == 401


def test_admin_lists_without_tokens_and_adds_with_a_token_shown_once(
    client: TestClient, participants: Participants
) -> None:
    admin = participants.add("Ada Admin", "admin")
    created = client.post(
        f"{API}/users", json={"name": "Robin Mentor", "role": "mentor", "cohort": "atlas"}, headers=auth(admin)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["token"].startswith("tdm_") and body["role"] == "mentor" and body["cohort"] == "atlas"
    assert client.get(f"{API}/conversations", headers={"Authorization": f"Bearer {body['token']}"}).status_code == 200

    listing = client.get(f"{API}/users", headers=auth(admin))
    assert listing.status_code == 200
    assert body["token"] not in listing.text and admin["token"] not in listing.text
    robin = next(user for user in listing.json()["data"] if user["id"] == body["id"])
    assert set(robin) == {"id", "name", "role", "cohort", "active", "created_at"}

    bad = client.post(f"{API}/users", json={"name": "X", "role": "boss"}, headers=auth(admin))
    assert bad.status_code == 422 and "role" in bad.json()["detail"]


def test_deactivating_stops_the_token_and_keeps_the_data(client: TestClient, participants: Participants) -> None:
    admin, mentee = participants.add("Ada Admin", "admin"), participants.add("Pat Senior", "mentee")
    client.post(f"{API}/conversations", json={"title": "kept"}, headers=auth(mentee))
    off = client.patch(f"{API}/users/{mentee['id']}", json={"active": False}, headers=auth(admin))
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.get(f"{API}/conversations", headers=auth(mentee)).status_code == 401
    client.patch(f"{API}/users/{mentee['id']}", json={"active": True}, headers=auth(admin))
    assert client.get(f"{API}/conversations", headers=auth(mentee)).json()["count"] == 1
    assert client.patch(f"{API}/users/999999", json={"active": False}, headers=auth(admin)).status_code == 404
    assert client.patch(f"{API}/users/{admin['id']}", json={"active": False}, headers=auth(admin)).status_code == 409


def test_forgetting_deletes_everything_personal_and_leaves_unlinkable_events(
    client: TestClient, services: Services, participants: Participants
) -> None:
    services.themes.use_classifier(AlwaysAITools())
    admin, mentee = participants.add("Ada Admin", "admin"), participants.add("Dana Fox", "mentee", cohort="atlas")
    conversation = client.post(f"{API}/conversations", json={"title": "mine"}, headers=auth(mentee)).json()["id"]
    for content in ("How do I use Copilot?", "And ChatGPT for my emails?"):
        response = client.post(
            f"{API}/conversations/{conversation}/messages", json={"content": content}, headers=auth(mentee)
        )
        assert response.status_code == 200
    goal = client.post(
        f"{API}/goals", json={"text": "Use Copilot to summarise my email each Friday by June"}, headers=auth(mentee)
    )
    assert goal.status_code == 201, goal.text
    assert services.themes.drain(20)
    user_id = int(mentee["id"])
    key = participant_key(user_id, services.settings.theme_hmac_secret)

    assert client.delete(f"{API}/users/{user_id}", headers=auth(admin)).status_code == 204

    with services.db_factory() as db:
        assert db.get(User, user_id) is None
        assert db.scalar(select(func.count()).where(Conversation.user_id == user_id)) == 0
        assert db.scalar(select(func.count()).where(Message.conversation_id == conversation)) == 0
        assert db.scalar(select(func.count()).where(Goal.user_id == user_id)) == 0
        remaining = list(db.scalars(select(ThemeEvent).where(ThemeEvent.participant_key == key)))
        keys_of_users = {
            participant_key(uid, services.settings.theme_hmac_secret) for uid in db.scalars(select(User.id))
        }
    assert [event.theme for event in remaining] == ["ai-tools", "ai-tools"]
    assert key not in keys_of_users, "no user row maps to the forgotten key"
    assert client.get(f"{API}/conversations", headers=auth(mentee)).status_code == 401
    assert client.delete(f"{API}/users/{user_id}", headers=auth(admin)).status_code == 404
    assert client.delete(f"{API}/users/{admin['id']}", headers=auth(admin)).status_code == 409

    newcomer = participants.add("Newcomer", "mentee")
    assert int(newcomer["id"]) != user_id, "a forgotten id is never given to someone else"


@pytest.mark.slow
def test_tandem_users_forget(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL"))}
    env.update(DATA_DIR=str(tmp_path / "data"), LLM_PROVIDER="offline")

    def tandem(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant", *args], env=env, capture_output=True, text=True, timeout=120
        )

    added = tandem("users", "add", "Dana Fox", "--role", "mentee")
    assert added.returncode == 0, added.stderr
    user_id = added.stdout.split()[1]
    forgotten = tandem("users", "forget", user_id, "--yes")
    assert forgotten.returncode == 0, forgotten.stderr
    assert f"user {user_id} forgotten" in forgotten.stdout
    with sqlite3.connect(tmp_path / "data" / "tandem.db") as connection:
        assert connection.execute("SELECT count(*) FROM users WHERE name = 'Dana Fox'").fetchone() == (0,)
    again = tandem("users", "forget", user_id, "--yes")
    assert again.returncode == 2 and again.stderr.strip() == f"error: no user {user_id}"


def test_the_anonymizer_is_built_once_on_first_use_and_learns_new_users(
    client: TestClient, services: Services, participants: Participants
) -> None:
    admin = participants.add("Zebulon Quark", "admin")
    assert not services.anonymizer.built
    anonymizer = services.anonymizer.get()
    assert services.anonymizer.get() is anonymizer
    assert "Zebulon" not in anonymizer.scrub("ask zebulon quark about it")
    created = client.post(f"{API}/users", json={"name": "Ottilie Vandersloot"}, headers=auth(admin))
    assert created.status_code == 201
    assert anonymizer.scrub("ottilie vandersloot joined") == "[PERSON] joined"


def test_the_cohort_label_is_set_cleared_and_unknown_fields_are_refused(
    client: TestClient, participants: Participants
) -> None:
    admin = auth(participants.add("Ada Admin", "admin"))
    user_id = participants.add("Pat Mentee", "mentee")["id"]
    url = f"{API}/users/{user_id}"

    labelled = client.patch(url, json={"cohort": "  spring-2027 "}, headers=admin)
    assert labelled.status_code == 200 and labelled.json()["cohort"] == "spring-2027"
    assert labelled.json()["active"] is True
    assert client.patch(url, json={"cohort": None}, headers=admin).json()["cohort"] is None

    for body in ({"cohort_label": "autumn"}, {}, {"active": True, "team": "x"}):
        refused = client.patch(url, json=body, headers=admin)
        assert refused.status_code == 422, body
    assert client.get(f"{API}/users", headers=admin).json()["data"][-1]["cohort"] is None


def test_a_forgotten_message_leaves_no_trace_in_the_sqlite_files(
    client: TestClient, services: Services, participants: Participants
) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's files only")
    marker = "Quokka-Lighthouse-7731"
    admin, mentee = participants.add("Ada Admin", "admin"), participants.add("Dana Fox", "mentee")
    conversation = client.post(f"{API}/conversations", json={}, headers=auth(mentee)).json()["id"]
    said = client.post(
        f"{API}/conversations/{conversation}/messages",
        json={"content": f"My project is called {marker}; how should we plan sessions?"},
        headers=auth(mentee),
    )
    assert said.status_code == 200
    services.themes.drain(20)
    database = Path(services.engine.url.database or "")
    files = [database, database.with_name(database.name + "-wal")]
    assert any(marker.encode() in path.read_bytes() for path in files if path.exists())  # it was stored
    assert client.delete(f"{API}/users/{mentee['id']}", headers=auth(admin)).status_code == 204
    for path in files:
        if path.exists():
            assert marker.encode() not in path.read_bytes(), path.name
