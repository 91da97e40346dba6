"""Tandem's own cost on the LLM path, against a local OpenAI-compatible stub with a fixed delay and rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from assistant.coaching.qa import QAService
from assistant.config import Settings
from assistant.llm.providers import make_chat_model, make_gateway
from assistant.services import Services
from bench.stats import p50, p95
from tests.support.openai_stub import OpenAIStub, StubBehaviour

STUB_DELAY_S = 0.2
STUB_TOKEN_INTERVAL_S = 0.005


@dataclass
class OverheadFigures:
    ttft_overhead_p50: float
    ttft_overhead_p95: float
    total_overhead_p50: float
    total_overhead_p95: float
    tokens: int
    retrieval_p50: float = 0.0  # the turn's retrieval alone (query embedding, searches, fusion)
    sdk_ttft_p50: float = 0.0  # the openai SDK's own time to first token beyond the stub's delay
    sdk_total_p50: float = 0.0
    langchain_ttft_p50: float = 0.0  # ChatOpenAI.astream beyond the stub's delay
    langchain_total_p50: float = 0.0
    gateway_ttft_p50: float = 0.0  # Tandem's prompt + model gateway (LangChain inside), retrieval done before
    gateway_total_p50: float = 0.0

    @property
    def own_ttft_p50(self) -> float:
        """Tandem's own part of the LLM path over the bare SDK: the prompt and the gateway, not retrieval."""
        return self.gateway_ttft_p50 - self.sdk_ttft_p50

    @property
    def own_total_p50(self) -> float:
        return self.gateway_total_p50 - self.sdk_total_p50


def measure_llm_overhead(services: Services, questions: list[str]) -> OverheadFigures:
    reply = " ".join(["word"] * 40) + " [1]"
    behaviour = StubBehaviour(reply=reply, delay_seconds=STUB_DELAY_S, token_interval_seconds=STUB_TOKEN_INTERVAL_S)
    tokens = len(reply.split(" "))
    stub_ttft = STUB_DELAY_S * 1000
    stub_total = (STUB_DELAY_S + tokens * STUB_TOKEN_INTERVAL_S) * 1000
    with OpenAIStub(behaviour) as stub:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            llm_provider="openai",
            openai_base_url=stub.base_url,
            openai_model="stub",
            llm_max_retries=0,
        )
        model = make_chat_model(settings)
        assert model is not None
        qa = QAService(
            services.retriever,
            services.settings.prompts_dir,
            services.settings.knowledge_dir,
            gateway=make_gateway(settings, model),
        )

        async def one(question: str) -> tuple[float, float]:
            services.embedder.clear_cache()  # type: ignore[attr-defined]  # a new question: its embedding too
            started = time.perf_counter()
            first = None
            async for event in qa.stream(question, "mentor"):
                if event.kind == "token" and first is None:
                    first = time.perf_counter()
            end = time.perf_counter()
            return ((first or end) - started) * 1000, (end - started) * 1000

        async def run() -> list[tuple[float, float]]:
            await one(questions[0])
            return [await one(q) for q in questions]

        results = asyncio.run(run())
        sdk = asyncio.run(_clients(_sdk_stream(stub.base_url), questions))
        langchain = asyncio.run(_clients(_langchain_stream(settings), questions))
        gateway = asyncio.run(_clients(_gateway_stream(qa, questions), questions))
    retrieval = []
    for question in questions:
        services.embedder.clear_cache()  # type: ignore[attr-defined]
        started = time.perf_counter()
        services.retriever._retrieve(question, 5, "mentor", None)  # uncached: what a new question costs
        retrieval.append((time.perf_counter() - started) * 1000)
    ttft = [t - stub_ttft for t, _ in results]
    total = [t - stub_total for _, t in results]
    return OverheadFigures(
        p50(ttft),
        p95(ttft),
        p50(total),
        p95(total),
        tokens,
        retrieval_p50=p50(retrieval),
        sdk_ttft_p50=p50([t - stub_ttft for t, _ in sdk]),
        sdk_total_p50=p50([t - stub_total for _, t in sdk]),
        langchain_ttft_p50=p50([t - stub_ttft for t, _ in langchain]),
        langchain_total_p50=p50([t - stub_total for _, t in langchain]),
        gateway_ttft_p50=p50([t - stub_ttft for t, _ in gateway]),
        gateway_total_p50=p50([t - stub_total for _, t in gateway]),
    )


Stream = Callable[[str], AsyncIterator[str]]


def _sdk_stream(base_url: str) -> Stream:
    """The plain ``openai`` client on the same stub: the floor any OpenAI-compatible caller pays."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="stub", max_retries=0)

    async def stream(question: str) -> AsyncIterator[str]:
        chunks = await client.chat.completions.create(
            model="stub", messages=[{"role": "user", "content": question}], stream=True
        )
        async for chunk in chunks:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    return stream


def _gateway_stream(qa: QAService, questions: list[str]) -> Stream:
    """Tandem's LLM path after retrieval: the answer prompt built from the passages, then the gateway
    (leak guard, deadline, LangChain's ChatOpenAI). Retrieval runs before the clock starts."""
    assert qa.gateway is not None
    gateway = qa.gateway
    passages = {question: qa.plan(question, "mentor").passages for question in questions}

    async def stream(question: str) -> AsyncIterator[str]:
        async for piece in gateway.stream(qa._prompt(question, "mentor", passages[question], ())):
            yield piece

    return stream


def _langchain_stream(settings: Settings) -> Stream:
    """LangChain's ChatOpenAI alone (what Tandem's LLM path is built on), without retrieval or prompts."""
    model = make_chat_model(settings)
    assert model is not None, "the openai provider always has a chat model"

    async def stream(question: str) -> AsyncIterator[str]:
        async for chunk in model.astream(question):
            if chunk.content:
                yield str(chunk.content)

    return stream


async def _clients(stream: Stream, questions: list[str]) -> list[tuple[float, float]]:
    async def one(question: str) -> tuple[float, float]:
        started = time.perf_counter()
        first = None
        async for _ in stream(question):
            if first is None:
                first = time.perf_counter()
        end = time.perf_counter()
        return ((first or end) - started) * 1000, (end - started) * 1000

    await one(questions[0])
    return [await one(q) for q in questions]
