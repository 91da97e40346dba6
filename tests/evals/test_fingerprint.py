"""The request fingerprint: what changes an answer changes it; volatile fields and credentials never count."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from evals.fingerprint import describe_request, fingerprint
from evals.recorders import MissingRecordingError, ReplayChatModel

SECRET = "sk-fingerprint-secret-42"


def model(**overrides: object) -> ChatOpenAI:
    settings: dict[str, object] = {
        "model": "local-model",
        "api_key": SecretStr(SECRET),
        "base_url": "http://127.0.0.1:9/v1",
        "temperature": 0,
        "max_tokens": 200,
        "timeout": 30,
        "max_retries": 2,
    }
    settings.update(overrides)
    return ChatOpenAI(**settings)  # type: ignore[arg-type]


def messages(question: str = "What is the GROW model?", message_id: str = "run-1") -> list:
    return [
        SystemMessage("You are a coach.", id=f"{message_id}-system"),
        HumanMessage(question, id=f"{message_id}-user", response_metadata={"created": message_id}),
    ]


def test_volatile_fields_do_not_change_the_fingerprint() -> None:
    base = fingerprint(describe_request(model(), messages(message_id="run-1")))
    other_ids = fingerprint(describe_request(model(), messages(message_id="run-2")))
    transport = fingerprint(
        describe_request(
            model(timeout=5, max_retries=0, base_url="http://127.0.0.1:10/v1", api_key=SecretStr("sk-other")),
            messages(),
            run_id="abc",
            timeout=3,
            extra_headers={"X-Request-Id": "r-1"},
        )
    )
    assert base == other_ids == transport


@pytest.mark.parametrize(
    ("changed_model", "question"),
    [
        (model(temperature=0.7), "What is the GROW model?"),
        (model(max_tokens=100), "What is the GROW model?"),
        (model(model="another-model"), "What is the GROW model?"),
        (model(), "What is the SMART model?"),
    ],
)
def test_what_changes_the_answer_changes_the_fingerprint(changed_model: ChatOpenAI, question: str) -> None:
    assert fingerprint(describe_request(model(), messages())) != fingerprint(
        describe_request(changed_model, messages(question))
    )


def test_a_described_request_holds_no_credential_or_endpoint() -> None:
    stored = json.dumps(describe_request(model(), messages(), extra_headers={"Authorization": f"Bearer {SECRET}"}))
    assert SECRET not in stored
    assert "Bearer" not in stored and "127.0.0.1" not in stored


def test_a_call_without_recording_fails_naming_the_case() -> None:
    replay = ReplayChatModel(reference=model(), recorded={"qa/qa001": []})
    replay.start_case("qa/qa001")
    with pytest.raises(MissingRecordingError, match="qa/qa001"):
        replay.invoke(messages())
    assert [miss.case_id for miss in replay.misses] == ["qa/qa001"]
    assert "no model call" in replay.misses[0].why
