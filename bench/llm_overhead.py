"""Tandem's own cost on the LLM path, against a local OpenAI-compatible stub with a fixed delay and rate."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from assistant.coaching.qa import QAService
from assistant.config import Settings
from assistant.llm.providers import make_chat_model, provider_label
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
        qa = QAService(
            services.retriever,
            services.settings.prompts_dir,
            services.settings.knowledge_dir,
            chat_model=make_chat_model(settings),
            provider=provider_label(settings),
            min_relevance=-1.0,
        )

        async def one(question: str) -> tuple[float, float]:
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
    ttft = [t - stub_ttft for t, _ in results]
    total = [t - stub_total for _, t in results]
    return OverheadFigures(p50(ttft), p95(ttft), p50(total), p95(total), tokens)
