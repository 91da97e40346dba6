"""``tandem eval answers``: how Tandem answers the labelled questions of one split, end to end.

Every row goes through the same path a participant's message takes (``QAService.stream`` for ask,
``SkillRouter.stream`` for the other modes), on a fresh index of ``knowledge/``, offline. Figures,
each with its 95% Wilson interval:

- ``states_fact``: the answer's own text (citation marks and the offline note removed) contains one
  of the row's ``expect_any`` phrases; ``first_two``: within its first two sentences;
- ``section_at_1`` / ``section_at_3``: the reranked passages' first (three) hold the answering section;
- ``false_declines``: answerable questions declined; ``oos_declined``: out-of-scope questions declined;
- ``followups``: the second turn's answer states the fact;
- ``risk_escalated``: disclosures answered with the escalation steps (every mode); ``risk_false_alarms``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.answers.memory import QuestionMemory, load_memory
from assistant.answers.model import AnswerModel, load_answer_model
from assistant.answers.risk import RiskScreen
from assistant.coaching.modes import SkillRouter, initial_state
from assistant.coaching.qa import QAService, Reply, collect
from assistant.config import PROJECT_ROOT
from assistant.judgments.evaluate import wilson
from assistant.llm.composer import OFFLINE_FOOTER
from assistant.retrieval.embeddings import Embedder
from evals.answer_training import fresh_answerer, rows_of
from evals.question_sets import normalise

MARK = re.compile(r"\s*\[\d{1,2}\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TARGETS = {
    "states_fact": ("min", 0.90),
    "section_at_1": ("min", 0.90),
    "oos_declined": ("min", 0.98),
    "false_declines": ("max", 0.02),
    "followups": ("min", 0.90),
    "risk_escalated": ("min", 1.0),
}


def answer_text(reply_text: str) -> str:
    return MARK.sub("", reply_text.replace(OFFLINE_FOOTER, "")).strip()


def states(text: str, phrases: Sequence[str]) -> bool:
    own = normalise(text)
    return any(normalise(p) in own for p in phrases)


def first_sentences(text: str, n: int = 2) -> str:
    return " ".join(SENTENCE_END.split(answer_text(text))[:n])


@dataclass
class Figure:
    name: str
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, miss: str, *, bad_when_hit: bool = False) -> None:
        """Count one row; list ``miss`` among the worst when it went wrong (for a figure that should stay
        low, such as false declines, a hit is what went wrong)."""
        self.total += 1
        self.hits += ok
        if ok == bad_when_hit:
            self.misses.append(miss)

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        low, high = wilson(self.hits, self.total)
        return {"value": round(self.value, 4), "n": self.total, "low": round(low, 4), "high": round(high, 4)}


NAMES = (
    "states_fact",
    "first_two",
    "section_at_1",
    "section_at_3",
    "false_declines",
    "oos_declined",
    "followups",
    "risk_escalated",
    "risk_false_alarms",
)


def evaluate(
    split: str, embedder: Embedder, model: AnswerModel | None = None, memory: QuestionMemory | None = None
) -> dict[str, Any]:
    """``model`` and ``memory`` default to the shipped ones."""
    rows = rows_of(split)
    figures = {name: Figure(name) for name in NAMES}
    model, memory = model or load_answer_model(), memory or load_memory()
    with fresh_answerer(embedder, model, memory) as answerer:
        qa = QAService(
            answerer.retriever,
            PROJECT_ROOT / "prompts",
            PROJECT_ROOT / "knowledge",
            answerer=answerer,
            risk=RiskScreen(model, embedder, memory),
        )
        router = SkillRouter(qa, PROJECT_ROOT / "knowledge")
        for row in rows:
            _score(row, qa, router, figures)
    report = {name: figure.as_dict() for name, figure in figures.items()}
    return {
        "split": split,
        "rows": len(rows),
        "figures": report,
        "misses": {name: figure.misses[:12] for name, figure in figures.items() if figure.misses},
        "targets": {name: {"kind": kind, "target": value} for name, (kind, value) in TARGETS.items()},
    }


def _score(row: dict[str, Any], qa: QAService, router: SkillRouter, figures: dict[str, Figure]) -> None:
    role = row.get("role", "admin")
    kind = row["kind"]
    if kind == "risk":
        reply = _in_mode(router, row["mode"], row["text"])
        escalated = "escalation" in reply.data
        if row["risk"] == "none":
            figures["risk_false_alarms"].add(escalated, f"{row['id']}: {row['text'][:90]!r}", bad_when_hit=True)
        else:
            figures["risk_escalated"].add(escalated, f"{row['id']} ({row['mode']}): {row['text'][:90]!r}")
        return
    if kind == "out_of_scope":
        reply = qa.answer(row["question"], role)
        figures["oos_declined"].add(
            not reply.in_scope, f"{row['id']}: {row['question'][:80]!r} -> {answer_text(reply.text)[:80]!r}"
        )
        return
    if kind == "followup":
        first = qa.answer(row["turns"][0], role)
        history = [("user", row["turns"][0]), ("assistant", first.text)]
        reply = qa.answer(row["turns"][1], role, history)
        figures["followups"].add(
            reply.in_scope and states(answer_text(reply.text), row["expect_any"]),
            f"{row['id']}: {row['turns'][1][:70]!r} -> {answer_text(reply.text)[:90]!r}",
        )
        return
    reply = qa.answer(row["question"], role)
    plan = qa.plan(row["question"], role)
    text = answer_text(reply.text)
    label = f"{row['id']}: {row['question'][:70]!r} -> {text[:90]!r}"
    figures["false_declines"].add(not reply.in_scope, label, bad_when_hit=True)
    figures["states_fact"].add(reply.in_scope and states(text, row["expect_any"]), label)
    figures["first_two"].add(reply.in_scope and states(first_sentences(reply.text), row["expect_any"]), label)
    sections = [(p.chunk.source, p.chunk.section) for p in plan.passages]
    gold = (row["source"], row["section"])
    figures["section_at_1"].add(sections[:1] == [gold], f"{row['id']}: wanted {gold[1]!r}, got {sections[:1]}")
    figures["section_at_3"].add(gold in sections[:3], f"{row['id']}: wanted {gold[1]!r}")


def _in_mode(router: SkillRouter, mode: str, text: str) -> Reply:
    state, _ = initial_state(mode, {}, PROJECT_ROOT / "knowledge")
    events = router.stream(mode=mode, state=state, content=text, role="mentor")
    return asyncio.run(collect(events))


def below_target(report: dict[str, Any]) -> list[str]:
    failures = []
    for name, (kind, target) in TARGETS.items():
        figure = report["figures"][name]
        if figure["n"] == 0:
            continue
        if (kind == "min" and figure["value"] < target) or (kind == "max" and figure["value"] > target):
            failures.append(f"{name} {figure['value']:.3f} (n={figure['n']}) misses its target {kind} {target}")
    return failures


def render(report: dict[str, Any]) -> str:
    lines = [f"answers on the {report['split']} split ({report['rows']} rows), offline, 95% Wilson intervals"]
    for name in NAMES:
        figure = report["figures"][name]
        target = TARGETS.get(name)
        mark = f"  target {target[0]} {target[1]}" if target else ""
        lines.append(
            f"  {name:<18} {figure['value']:.3f}  [{figure['low']:.3f}, {figure['high']:.3f}]  n={figure['n']}{mark}"
        )
    for name, misses in report["misses"].items():
        lines.append(f"\nworst misses, {name}:")
        lines.extend(f"  - {miss}" for miss in misses)
    return "\n".join(lines)
