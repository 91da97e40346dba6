"""The ``openai`` provider through its real client code, against a local stub server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from assistant.coaching.qa import ERROR_NOTICE, MALFORMED_NOTICE, TIMEOUT_NOTICE, QAService, ReplyEvent
from assistant.config import Settings
from assistant.llm.providers import make_chat_model, make_gateway
from assistant.services import Services
from tests.support.openai_stub import OpenAIStub, StubBehaviour

QUESTION = "How should I give feedback to my senior mentee?"


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub(StubBehaviour()) as server:
        yield server


def llm_qa(
    services: Services,
    stub: OpenAIStub,
    *,
    timeout: float = 5.0,
    retries: int = 0,
    first_token: float = 15.0,
    total: float = 60.0,
) -> QAService:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_provider="openai",
        openai_base_url=stub.base_url,
        openai_api_key="sk-test-secret",
        openai_model="stub-model",
        llm_timeout_seconds=timeout,
        llm_max_retries=retries,
        llm_first_token_seconds=first_token,
        llm_total_seconds=total,
    )
    model = make_chat_model(settings)
    assert model is not None
    return QAService(
        services.retriever,
        services.settings.prompts_dir,
        services.settings.knowledge_dir,
        gateway=make_gateway(settings, model),
    )


def events(qa: QAService, question: str = QUESTION) -> list[ReplyEvent]:
    async def run() -> list[ReplyEvent]:
        return [e async for e in qa.stream(question, "mentor")]

    return asyncio.run(run())


def test_streams_the_model_answer_with_citations(services: Services, stub: OpenAIStub) -> None:
    result = events(llm_qa(services, stub))
    tokens = [e.text for e in result if e.kind == "token"]
    reply = result[-1].reply
    assert reply is not None and len(tokens) > 3
    assert "".join(tokens).strip() == reply.text == stub.behaviour.reply
    assert reply.provider == "openai:stub-model" and not reply.fallback and reply.in_scope
    assert len(reply.citations) == 2 and all(c["source"].startswith("knowledge/") for c in reply.citations)

    request = stub.behaviour.requests[0]
    assert request["stream"] is True and request["model"] == "stub-model"
    assert request["max_completion_tokens"] == request["max_tokens"] == services.settings.llm_max_tokens
    assert reply.data["written_by"]["model"] == "stub-model" and reply.data["written_by"]["date"]
    system = request["messages"][0]["content"]
    assert "Answer only from the numbered guideline passages" in system  # prompts/qa_system.md
    assert "[1] (knowledge/" in request["messages"][-1]["content"]


def test_markers_are_renumbered_to_the_reply_s_own_citations(services: Services, stub: OpenAIStub) -> None:
    stub.behaviour.reply = "Name the moment [4]. Then ask how it landed [2]. Nothing at [9]."
    result = events(llm_qa(services, stub))
    reply = result[-1].reply
    assert reply is not None and not reply.fallback
    assert reply.text == "Name the moment [2]. Then ask how it landed [1]. Nothing at [9]."
    prompt = stub.behaviour.requests[0]["messages"][-1]["content"]
    sections = [
        line.split(" - ", 1)[1].rstrip(")") for line in prompt.splitlines() if line[:1] == "[" and " - " in line
    ]
    assert [c["section"] for c in reply.citations] == [sections[1], sections[3]]


def test_a_reply_that_marks_no_passage_cites_none(services: Services, stub: OpenAIStub) -> None:
    stub.behaviour.reply = "Name one specific moment and say how it affected you."
    reply = events(llm_qa(services, stub))[-1].reply
    assert reply is not None and not reply.fallback and reply.in_scope
    assert reply.citations == []


@pytest.mark.parametrize("mode", ["error500", "error429", "malformed"])
def test_endpoint_failures_fall_back_to_offline_and_say_so(services: Services, stub: OpenAIStub, mode: str) -> None:
    stub.behaviour.mode = mode
    reply = events(llm_qa(services, stub, retries=1))[-1].reply
    assert reply is not None
    assert reply.fallback and reply.provider == "offline"
    # an error is not called a timeout, and an unreadable body is not called an error status
    assert reply.text.startswith(MALFORMED_NOTICE if mode == "malformed" else ERROR_NOTICE)
    assert reply.citations and reply.in_scope
    if mode != "malformed":
        assert len(stub.behaviour.requests) == 2  # one retry, then the fallback


def test_slow_endpoint_times_out_and_falls_back(services: Services, stub: OpenAIStub) -> None:
    stub.behaviour.mode = "slow"
    stub.behaviour.delay_seconds = 3
    reply = events(llm_qa(services, stub, timeout=0.5))[-1].reply
    assert reply is not None and reply.fallback and TIMEOUT_NOTICE in reply.text


def test_a_model_that_sends_nothing_is_given_up_on_at_the_first_token_deadline(
    services: Services, stub: OpenAIStub
) -> None:
    stub.behaviour.delay_seconds = 3  # the HTTP client would wait 5 s; the first-token deadline is 0.5 s
    reply = events(llm_qa(services, stub, first_token=0.5))[-1].reply
    assert reply is not None and reply.fallback and reply.text.startswith(TIMEOUT_NOTICE)


def test_a_model_that_trickles_is_given_up_on_at_the_whole_reply_deadline(services: Services, stub: OpenAIStub) -> None:
    stub.behaviour.token_interval_seconds = 0.3  # every token arrives well inside every per-read timeout
    result = events(llm_qa(services, stub, first_token=2.0, total=1.0))
    reply = result[-1].reply
    assert reply is not None and reply.fallback and TIMEOUT_NOTICE in reply.text
    assert "reset" in [e.kind for e in result]  # what was shown of the trickle is withdrawn


def test_a_model_that_starts_in_time_may_take_longer_than_the_first_token_deadline(
    services: Services, stub: OpenAIStub
) -> None:
    stub.behaviour.token_interval_seconds = 0.1  # about 1.5 s in all, over a first-token deadline of 0.5 s
    reply = events(llm_qa(services, stub, first_token=0.5, total=20.0))[-1].reply
    assert reply is not None and not reply.fallback and reply.text == stub.behaviour.reply


def test_stream_cut_halfway_resets_and_falls_back(services: Services, stub: OpenAIStub) -> None:
    stub.behaviour.mode = "cut"
    result = events(llm_qa(services, stub))
    kinds = [e.kind for e in result]
    assert "reset" in kinds
    shown_after_reset = "".join(e.text for e in result[kinds.index("reset") :] if e.kind == "token")
    reply = result[-1].reply
    assert reply is not None and reply.fallback
    assert shown_after_reset.strip() == reply.text.strip()


def test_out_of_scope_question_never_reaches_the_model(services: Services, stub: OpenAIStub) -> None:
    reply = events(llm_qa(services, stub), "What's the weather in Paris tomorrow?")[-1].reply
    assert reply is not None and not reply.in_scope
    assert stub.behaviour.requests == []


def test_api_key_is_sent_only_as_a_header(services: Services, stub: OpenAIStub) -> None:
    events(llm_qa(services, stub))
    assert stub.behaviour.headers[0]["authorization"] == "Bearer sk-test-secret"
    assert "sk-test-secret" not in str(stub.behaviour.requests)


@pytest.mark.parametrize("mode", ["ok", "error500", "error429", "malformed", "cut", "slow"])
def test_every_turn_stores_exactly_one_question_and_one_answer(
    settings: Settings, embedder: object, stub: OpenAIStub, mode: str
) -> None:
    """Whatever the endpoint does, the participant gets an answer and the database holds whole turns."""
    from fastapi.testclient import TestClient

    from assistant.app import create_app
    from assistant.services import build_services
    from tests.conftest import Participants, auth

    stub.behaviour.mode = mode
    stub.behaviour.delay_seconds = 2 if mode == "slow" else 0
    llm_settings = settings.model_copy(
        update={
            "llm_provider": "openai",
            "openai_base_url": stub.base_url,
            "openai_model": "stub-model",
            "llm_timeout_seconds": 0.5,
            "llm_max_retries": 1,
        }
    )
    services = build_services(llm_settings, embedder=embedder)  # type: ignore[arg-type]
    person = Participants(services).add()
    with TestClient(create_app(llm_settings, services=services)) as client:
        conversation = client.post("/api/v1/conversations", json={}, headers=auth(person)).json()["id"]
        for _ in range(2):
            with client.stream(
                "POST",
                f"/api/v1/conversations/{conversation}/messages",
                json={"content": QUESTION},
                headers={**auth(person), "Accept": "text/event-stream"},
            ) as response:
                body = "".join(response.iter_text())
            assert response.status_code == 200 and "event: done" in body
        messages = client.get(f"/api/v1/conversations/{conversation}", headers=auth(person)).json()["messages"]
    services.close()
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2
    assert all(m["fallback"] is (mode != "ok") for m in messages if m["role"] == "assistant")
    if mode != "ok":
        notices = (TIMEOUT_NOTICE, ERROR_NOTICE, MALFORMED_NOTICE)
        assert all(m["content"].startswith(notices) for m in messages if m["role"] == "assistant")


def test_a_rehearsal_whose_model_fails_is_flagged_as_a_fallback(services: Services, stub: OpenAIStub) -> None:
    from assistant.coaching.modes import SkillRouter, initial_state
    from assistant.coaching.qa import collect

    stub.behaviour.mode = "error500"
    qa = llm_qa(services, stub)
    router = SkillRouter(qa, services.settings.knowledge_dir, gateway=qa.gateway)
    state, _ = initial_state("rehearse", {"persona": {"attitude": "defensive"}}, services.settings.knowledge_dir)
    line = "In Monday's review you read the slides aloud for twenty minutes, and two people stopped listening."
    reply = asyncio.run(collect(router.stream(mode="rehearse", state=state, content=line, role="mentor")))
    assert reply.fallback and reply.provider == "offline"
    assert reply.data["fallback_notice"] == ERROR_NOTICE
    assert reply.text and ERROR_NOTICE not in reply.text  # the persona stays in character; the flag says it
