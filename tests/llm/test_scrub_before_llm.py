"""``SCRUB_BEFORE_LLM``: names and contact details in a question never reach an external model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from assistant.config import Settings
from assistant.db import crud
from assistant.db.engine import transaction
from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.services import build_services
from tests.support.openai_stub import OpenAIStub, StubBehaviour

QUESTION = "How do I give feedback to Dana Fox in our next session? She said to write to dana.fox@example.com."


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub(StubBehaviour()) as server:
        yield server


def sent_to_model(settings: Settings, embedder: MiniLMEmbedder, stub: OpenAIStub, *, scrub: bool) -> str:
    configured = settings.model_copy(
        update={
            "llm_provider": "openai",
            "openai_base_url": stub.base_url,
            "openai_model": "stub-model",
            "openai_api_key": SecretStr("sk-test"),
            "scrub_before_llm": scrub,
        }
    )
    services = build_services(configured, embedder=embedder)
    try:
        with transaction(services.db_factory) as db:
            crud.create_user(db, name="Dana Fox", role="mentee")

        async def ask() -> None:
            async for _ in services.qa.stream(QUESTION, "mentor"):
                pass

        asyncio.run(ask())
    finally:
        services.close()
    assert stub.behaviour.requests, "the question never reached the model, so this test proves nothing"
    return json.dumps(stub.behaviour.requests)


def test_with_scrubbing_the_model_never_sees_the_name_or_the_email(
    settings: Settings, embedder: MiniLMEmbedder, stub: OpenAIStub
) -> None:
    sent = sent_to_model(settings, embedder, stub, scrub=True)
    assert "Dana" not in sent and "dana.fox@example.com" not in sent
    assert "feedback" in sent and "[EMAIL]" in sent


def test_without_scrubbing_the_question_goes_as_typed(
    settings: Settings, embedder: MiniLMEmbedder, stub: OpenAIStub
) -> None:
    assert "dana.fox@example.com" in sent_to_model(settings, embedder, stub, scrub=False)
