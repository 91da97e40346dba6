"""Application logs never contain a participant's message text or a token, whatever happens."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.app import create_app
from assistant.config import Settings
from assistant.services import Services, build_services
from tests.conftest import Participants, auth
from tests.support.openai_stub import OpenAIStub, StubBehaviour

API = "/api/v1"
SECRET_TEXTS = [
    "Zebulon Quark told me his PIN is 4417 and he hates Teams",
    "get better at tech before Zebulon leaves",
    "You're a dinosaur, Zebulon Quark, with this stuff.",
    "Plan our session about Zebulon's spreadsheet",
]


def scan(records: list[logging.LogRecord], secrets: list[str]) -> list[str]:
    leaks = []
    for record in records:
        text = record.getMessage() + " " + str(getattr(record, "exc_text", "") or "")
        leaks += [secret for secret in secrets if secret in text]
    return leaks


def exercise(client: TestClient, person: dict[str, str]) -> None:
    for mode, content in zip(("ask", "goal", "rehearse", "plan"), SECRET_TEXTS, strict=True):
        conversation = client.post(f"{API}/conversations", json={"mode": mode}, headers=auth(person)).json()["id"]
        client.post(f"{API}/conversations/{conversation}/messages", json={"content": content}, headers=auth(person))
        with client.stream(
            "POST",
            f"{API}/conversations/{conversation}/messages",
            json={"content": content},
            headers={**auth(person), "Accept": "text/event-stream"},
        ) as response:
            "".join(response.iter_text())
    client.post(f"{API}/ask", json={"content": SECRET_TEXTS[0]}, headers=auth(person))
    client.post(f"{API}/ask", json={"content": SECRET_TEXTS[0] + "\x00" * 3}, headers=auth(person))
    client.post(f"{API}/ask", json={"content": SECRET_TEXTS[0] * 200}, headers=auth(person))
    client.get(f"{API}/conversations", headers={"Authorization": f"Bearer {person['token']}x"})


def test_offline_paths_log_no_message_text_or_token(
    client: TestClient, participants: Participants, caplog: pytest.LogCaptureFixture
) -> None:
    person = participants.add("Zebulon Quark", "mentor")
    with caplog.at_level(logging.DEBUG):
        exercise(client, person)
    assert caplog.records, "nothing was logged at all: the capture is not working"
    assert scan(caplog.records, [*SECRET_TEXTS, person["token"]]) == []


def test_failing_model_and_failing_answer_log_no_message_text(
    settings: Settings, embedder: object, caplog: pytest.LogCaptureFixture
) -> None:
    with OpenAIStub(StubBehaviour(mode="error500")) as stub:
        llm = settings.model_copy(
            update={
                "llm_provider": "openai",
                "openai_base_url": stub.base_url,
                "openai_api_key": SecretStr("sk-never-log-me"),
                "llm_max_retries": 0,
                "rate_limit_per_minute": 0,
            }
        )
        services: Services = build_services(llm, embedder=embedder)  # type: ignore[arg-type]
        person = Participants(services).add("Zebulon Quark", "mentee")
        with caplog.at_level(logging.DEBUG), TestClient(create_app(llm, services=services)) as client:
            exercise(client, person)
            services.qa.plan = lambda *a, **k: (_ for _ in ()).throw(RuntimeError(SECRET_TEXTS[0]))  # type: ignore[method-assign]
            conversation = client.post(f"{API}/conversations", json={}, headers=auth(person)).json()["id"]
            failed = client.post(
                f"{API}/conversations/{conversation}/messages", json={"content": SECRET_TEXTS[1]}, headers=auth(person)
            )
            assert failed.status_code == 503
        services.close()
    assert any("chat model failed" in r.getMessage() for r in caplog.records)
    assert scan(caplog.records, [*SECRET_TEXTS, person["token"], "sk-never-log-me"]) == []
