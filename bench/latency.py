"""In-process answer latency of the offline provider, stage by stage, against the floor and a baseline."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.llm.composer import compose_from_plan
from assistant.services import Services
from assistant.turns import accept_message, store_reply
from bench.stats import p50, p95

QA_DATASET = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "qa.yaml"


def qa_questions() -> list[str]:
    return [case["question"] for case in yaml.safe_load(QA_DATASET.read_text())["cases"]]


@dataclass
class StageTimes:
    stages: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, ms: float) -> None:
        self.stages.setdefault(name, []).append(ms)

    def rows(self) -> list[tuple[str, float, float]]:
        return [(name, p50(values), p95(values)) for name, values in self.stages.items()]


def clear_caches(services: Services) -> None:
    clear = getattr(services.embedder, "clear_cache", None)
    if clear:
        clear()


def measure_floor(services: Services, questions: list[str]) -> list[float]:
    """One query embedding plus one vector search: the least any grounded answer costs."""
    times = []
    for question in questions:
        clear_caches(services)
        started = time.perf_counter()
        vector = services.embedder.embed([question])[0]
        services.store.query(vector, 5)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure_turns(services: Services, questions: list[str]) -> tuple[StageTimes, list[float]]:
    """Whole offline turns as the API runs them: store the question, retrieve, compose, store the reply."""
    with transaction(services.db_factory) as db:
        user, _ = crud.create_user(db, name="Bench User", role="mentor")
        conversation = crud.create_conversation(db, user=user)
        db.expunge(user)
        conversation_id = conversation.id
    stages = StageTimes()
    totals = []
    for question in questions:
        clear_caches(services)
        started = time.perf_counter()
        mark = started
        turn = accept_message(services.db_factory, user=user, conversation_id=conversation_id, content=question)
        now = time.perf_counter()
        stages.add("store question", (now - mark) * 1000)
        plan = services.qa.plan(question, user.role)
        for name, ms in plan.analysis.timings_ms.items():
            stages.add(name, ms)
        mark = time.perf_counter()
        composed = compose_from_plan(plan)
        now = time.perf_counter()
        stages.add("compose", (now - mark) * 1000)
        mark = now
        from assistant.coaching.qa import Reply

        reply = Reply(composed.text, composed.citations, "offline", composed.in_scope, chunk_ids=composed.chunk_ids)
        store_reply(services.db_factory, user=user, turn=turn, reply=reply)
        now = time.perf_counter()
        stages.add("store reply", (now - mark) * 1000)
        totals.append((now - started) * 1000)
    return stages, totals


def measure_baseline(chain: Any, questions: list[str], services: Services) -> list[float]:
    times = []
    for question in questions:
        clear_caches(services)
        started = time.perf_counter()
        chain.invoke({"input": question})
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure_query_batching(
    services: Services, questions: list[str], sizes: tuple[int, ...] = (1, 4, 8, 16)
) -> dict[int, float]:
    """Milliseconds per query when ``size`` concurrent questions would share one embedding call: what
    micro-batching the queries of concurrent requests could save (new questions, cache cleared)."""
    embed = services.embedder.embed
    per_query = {}
    for size in sizes:
        clear_caches(services)
        started = time.perf_counter()
        for first in range(0, len(questions) - size + 1, size):
            embed(questions[first : first + size])
        count = (len(questions) // size) * size
        per_query[size] = (time.perf_counter() - started) * 1000 / count
    return per_query
