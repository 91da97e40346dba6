"""The theme log: HMAC keys and ISO weeks, nothing personal in an event, off the request path, and
application logs that never hold a message or a token."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import make_db_factory, make_engine, migrate, transaction
from assistant.db.models import ThemeEvent
from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.services import Services
from assistant.themes.classify import ThemeClassifier, ThemeScore
from assistant.themes.events import Author, ThemeLogger, participant_key, week_start
from tests.conftest import Participants, auth
from tools.demo.themes import TEMPLATES, render

API = "/api/v1"
SECRET = "log-test-secret"


class FixedClassifier:
    def __init__(self, *themes: str) -> None:
        self.themes = themes
        self.seen: list[str] = []

    def classify(self, text: str) -> list[ThemeScore]:
        self.seen.append(text)
        return [ThemeScore(theme, 0.8) for theme in self.themes]


class BlockingClassifier(FixedClassifier):
    """Holds the worker until released: shows whether the reply waited for it."""

    def __init__(self) -> None:
        super().__init__("ai-tools")
        self.started = threading.Event()
        self.release = threading.Event()

    def classify(self, text: str) -> list[ThemeScore]:
        self.started.set()
        assert self.release.wait(20), "never released"
        return super().classify(text)


class FailingClassifier:
    def classify(self, text: str) -> list[ThemeScore]:
        raise RuntimeError(f"cannot classify {text!r}")


def events(services: Services, user_id: int | str | None = None) -> list[ThemeEvent]:
    with services.db_factory() as db:
        query = select(ThemeEvent)
        if user_id is not None:
            query = query.where(
                ThemeEvent.participant_key == participant_key(int(user_id), services.settings.theme_hmac_secret)
            )
        return list(db.scalars(query))


def conversation(client: TestClient, person: dict[str, str], mode: str = "ask") -> str:
    response = client.post(f"{API}/conversations", json={"title": "t", "mode": mode}, headers=auth(person))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_participant_key_is_the_hmac_of_the_user_id() -> None:
    expected = hmac.new(SECRET.encode(), b"42", hashlib.sha256).hexdigest()
    assert participant_key(42, SECRET) == expected and len(expected) == 64
    assert participant_key(42, "another-secret") != expected
    assert participant_key(43, SECRET) != expected


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        (datetime(2030, 4, 10, 12, 0, tzinfo=UTC), date(2030, 4, 8)),
        (datetime(2030, 4, 8, 0, 0, tzinfo=UTC), date(2030, 4, 8)),
        (datetime(2030, 4, 14, 23, 59, tzinfo=UTC), date(2030, 4, 8)),
        (datetime(2030, 4, 14, 20, 0, tzinfo=timezone(timedelta(hours=-5))), date(2030, 4, 15)),
        (datetime(2030, 4, 15, 1, 0, tzinfo=timezone(timedelta(hours=3))), date(2030, 4, 8)),
        (date(2030, 1, 1), date(2029, 12, 31)),
    ],
)
def test_week_start_is_the_iso_monday_in_utc(moment: datetime | date, monday: date) -> None:
    assert week_start(moment) == monday


def test_the_event_table_has_no_place_for_text_names_or_ids(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/schema.db")
    migrate(engine)
    columns = {column["name"] for column in inspect(engine).get_columns("theme_events")}
    engine.dispose()
    assert columns == {"id", "theme", "role", "cohort", "week_start", "participant_key", "confidence"}


# --- a property: whatever a message holds, an event holds none of it -------------------------------

NAMES = ["Dana Fox", "Rose Miller", "Jürgen Schmidt", "Priya Raman", "Okafor", "Mei-Ling Chen"]
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)
emails = st.builds(lambda user, host: f"{user}@{host}.example.com", words, words)
phones = st.builds(lambda digits: f"+44 7700 {digits}", st.integers(min_value=100000, max_value=999999))
ids = st.builds(lambda number: f"EMP-{number}", st.integers(min_value=10000, max_value=99999))


@pytest.fixture(scope="module")
def classifier(embedder: MiniLMEmbedder) -> ThemeClassifier:
    return ThemeClassifier(None, embedder)


@pytest.fixture(scope="module")
def event_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('events')}/events.db")
    migrate(engine)
    yield make_db_factory(engine)
    engine.dispose()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    theme=st.sampled_from(sorted(TEMPLATES)),
    seed=st.integers(min_value=0, max_value=10_000),
    name=st.sampled_from(NAMES),
    email=emails,
    phone=phones,
    employee_id=ids,
    user_id=st.integers(min_value=1, max_value=10**9),
    role=st.sampled_from(["mentee", "mentor"]),
)
def test_no_event_column_holds_any_part_of_the_message(
    classifier: ThemeClassifier,
    event_store: sessionmaker[Session],
    theme: str,
    seed: int,
    name: str,
    email: str,
    phone: str,
    employee_id: str,
    user_id: int,
    role: str,
) -> None:
    import random

    text = f"{render(theme, role, random.Random(seed))} {name} said to mail {email} or call {phone}, id {employee_id}."
    with transaction(event_store) as db:
        db.execute(delete(ThemeEvent))
    logger = ThemeLogger(event_store, SECRET, lambda: classifier)
    logger.record(text, author=Author(user_id, role, "atlas"), when=datetime(2030, 4, 10, tzinfo=UTC))
    with event_store() as db:
        stored = list(db.scalars(select(ThemeEvent)))

    planted = [name, *name.split(), email, phone, employee_id, str(user_id)]
    long_pieces = {text[i : i + 12] for i in range(len(text) - 11)}
    for event in stored:
        assert event.theme in classifier.theme_ids
        assert event.participant_key == participant_key(user_id, SECRET)
        # the key is the HMAC of the id (above) and the confidence a number: a run of the id's digits can turn
        # up in a hex digest or a decimal by chance (user 817, key "...4817..."), so those two are checked
        # for the message's words, and the text columns for everything planted
        assert isinstance(event.confidence, float)
        for value in (event.role, event.cohort, event.participant_key):
            assert value is not None
            words = [piece for piece in planted if len(piece) > 2 and not piece.isdigit()]
            checked = planted if value != event.participant_key else words
            assert not any(piece in value for piece in checked if len(piece) > 2), (value, planted)
            assert not any(piece in value for piece in long_pieces), value
        assert event.week_start == date(2030, 4, 8)


# --- the logger on its own ------------------------------------------------------------------------


def test_the_classifier_is_built_on_first_use_only(event_store: sessionmaker[Session]) -> None:
    built: list[int] = []

    def build() -> FixedClassifier:
        built.append(1)
        return FixedClassifier("career-growth")

    logger = ThemeLogger(event_store, SECRET, build)
    assert built == []
    logger.record("How do I get promoted?", author=Author(7, "mentee", None), when=date(2030, 4, 8))
    logger.record("And my CV?", author=Author(7, "mentee", None), when=date(2030, 4, 8))
    assert built == [1]


def test_admins_and_hr_are_not_participants(event_store: sessionmaker[Session]) -> None:
    fixed = FixedClassifier("ai-tools")
    logger = ThemeLogger(event_store, SECRET, lambda: fixed)
    assert logger.record("trying Copilot", author=Author(1, "admin", None), when=date(2030, 4, 8)) == 0
    assert logger.record("trying Copilot", author=Author(1, "hr", None), when=date(2030, 4, 8)) == 0
    assert fixed.seen == []


def test_the_reply_does_not_wait_for_the_classifier(
    client: TestClient, services: Services, participants: Participants
) -> None:
    blocking = BlockingClassifier()
    services.themes.use_classifier(blocking)
    mentee = participants.add("Pat Senior", "mentee", cohort="atlas")
    conversation_id = conversation(client, mentee)
    try:
        response = client.post(
            f"{API}/conversations/{conversation_id}/messages",
            json={"content": "How do I write a good prompt for Copilot?"},
            headers=auth(mentee),
        )
        assert response.status_code == 200, response.text
        assert blocking.started.wait(10), "the classifier was never asked"
        assert events(services, mentee["id"]) == [], "the reply came back while the classifier was still busy"
    finally:
        blocking.release.set()
    assert services.themes.drain(20)
    [event] = events(services, mentee["id"])
    assert (event.theme, event.role, event.cohort) == ("ai-tools", "mentee", "atlas")
    assert event.week_start == week_start(datetime.now(UTC))


def test_every_mode_is_logged_but_a_refused_message_is_not(
    client: TestClient, services: Services, participants: Participants
) -> None:
    services.themes.use_classifier(FixedClassifier("feedback-anxiety"))
    mentor = participants.add("Sam Young", "mentor")
    rehearsal = client.post(
        f"{API}/conversations", json={"mode": "rehearse", "persona": {"attitude": "busy"}}, headers=auth(mentor)
    ).json()["id"]
    response = client.post(
        f"{API}/conversations/{rehearsal}/messages",
        json={"content": "I noticed the slides were hard to read; could we try a larger font?"},
        headers=auth(mentor),
    )
    assert response.status_code == 200, response.text
    refused = client.post(f"{API}/conversations/{rehearsal}/messages", json={"content": "  "}, headers=auth(mentor))
    assert refused.status_code == 422
    missing = client.post(f"{API}/conversations/nope/messages", json={"content": "hello there"}, headers=auth(mentor))
    assert missing.status_code == 404
    assert services.themes.drain(20)
    assert [e.theme for e in events(services, mentor["id"])] == ["feedback-anxiety"]


def test_a_failing_classifier_costs_the_events_not_the_reply(
    client: TestClient, services: Services, participants: Participants, caplog: pytest.LogCaptureFixture
) -> None:
    services.themes.use_classifier(FailingClassifier())
    mentee = participants.add("Lee Senior", "mentee")
    conversation_id = conversation(client, mentee)
    secret_text = "My badge EMP-48213 stopped working in Teams, what now?"
    with caplog.at_level(logging.WARNING):
        response = client.post(
            f"{API}/conversations/{conversation_id}/messages", json={"content": secret_text}, headers=auth(mentee)
        )
        assert response.status_code == 200, response.text
        assert services.themes.drain(20)
    assert events(services, mentee["id"]) == []
    failures = [r for r in caplog.records if "themes not counted after" in r.getMessage()]
    assert failures and "RuntimeError" in failures[0].getMessage(), "given up after retries, by message id only"
    assert "EMP-48213" not in caplog.text and secret_text not in caplog.text
    assert services.themes.outbox_size() == 0


def test_application_logs_never_hold_message_text_or_tokens(
    client: TestClient,
    services: Services,
    participants: Participants,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Everything logged at DEBUG during conversations, SQL included, and an answer that fails with the
    message inside its exception: neither the message nor the bearer token appears."""
    services.themes.use_classifier(FailingClassifier())
    mentee = participants.add("Kim Senior", "mentee")
    conversation_id = conversation(client, mentee)
    token = mentee["token"]
    texts = [
        "Zebra-striped question one: how do I share my calendar in Outlook?",
        "Zebra-striped question two: what is the GROW model?",
        "Zebra-striped question three: this one makes the answer fail.",
    ]
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # SQLAlchemy keeps itself at WARNING otherwise
    with caplog.at_level(logging.DEBUG):
        ok = client.post(
            f"{API}/conversations/{conversation_id}/messages", json={"content": texts[0]}, headers=auth(mentee)
        )
        assert ok.status_code == 200
        with client.stream(
            "POST",
            f"{API}/conversations/{conversation_id}/messages",
            json={"content": texts[1]},
            headers={**auth(mentee), "Accept": "text/event-stream"},
        ) as streamed:
            body = "".join(streamed.iter_text())
        assert "event: done" in body

        def broken_stream(**kwargs: object) -> object:
            raise RuntimeError(f"model choked on {kwargs['content']!r} for {token}")

        monkeypatch.setattr(services.skills, "stream", broken_stream)
        failed = client.post(
            f"{API}/conversations/{conversation_id}/messages", json={"content": texts[2]}, headers=auth(mentee)
        )
        assert failed.status_code == 503
        assert services.themes.drain(20)

    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records), "SQL logging was on"
    assert any("answering failed" in r.getMessage() for r in caplog.records)
    logged = caplog.text + json.dumps([r.getMessage() for r in caplog.records])
    for text in texts:
        assert text not in logged
    assert "Zebra-striped" not in logged
    assert token not in logged


def test_all_events_of_a_message_share_its_week_and_key(
    client: TestClient, services: Services, participants: Participants
) -> None:
    services.themes.use_classifier(FixedClassifier("ai-tools", "data-privacy-security"))
    mentor = participants.add("Ana Young", "mentor", cohort="beacon")
    conversation_id = conversation(client, mentor)
    client.post(
        f"{API}/conversations/{conversation_id}/messages",
        json={"content": "Can I paste a client contract into ChatGPT?"},
        headers=auth(mentor),
    )
    assert services.themes.drain(20)
    stored = events(services, mentor["id"])
    assert sorted(e.theme for e in stored) == ["ai-tools", "data-privacy-security"]
    assert len({(e.week_start, e.participant_key, e.role, e.cohort) for e in stored}) == 1
    with services.db_factory() as db:
        total = db.scalar(select(func.count()).select_from(ThemeEvent).where(ThemeEvent.cohort == "beacon"))
    assert total is not None and total >= 2
