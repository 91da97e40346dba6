"""The offline provider: a deterministic composer that answers with the guidelines' own sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.answers.plan import AnswerPlan
from assistant.retrieval.hybrid import Passage, Retrieval

OFFLINE_PROVIDER = "offline"
OFFLINE_FOOTER = "(Tandem's offline assistant: quoted from the program guidelines, no language model.)"
LEAD_IN = re.compile(r"^(?P<lead>[^:]{3,80}):\s+(?P<item>\S.*)$")
RANK_BONUS = 0.03
SPREAD = 0.12


@dataclass
class ComposedAnswer:
    text: str
    citations: list[dict[str, Any]]
    in_scope: bool
    chunk_ids: list[str] = field(default_factory=list)


def citation_for(passage: Passage) -> dict[str, Any]:
    return {
        "source": passage.chunk.source,
        "section": passage.chunk.section,
        "text": passage.chunk.text,
        "chunk_id": passage.chunk.id,
    }


PROGRAM_POINTER = (
    "I can help with the reverse-mentoring program itself: development goals, planning sessions, "
    "giving feedback, the mentoring agreement, confidentiality and when to involve HR."
)
"""The one line every decline ends with: what Tandem can help with instead."""


def decline_text(offline: bool) -> str:
    who = "Tandem's offline assistant" if offline else "Tandem"
    return f"I'm {who}, and the program guidelines don't cover that, so I won't guess. {PROGRAM_POINTER}"


def compose_from_plan(plan: AnswerPlan) -> ComposedAnswer:
    """The sentence that answers first, then its supports in reading order, each cited once per source.

    Sentences that continue one list lead-in ("A mentee is expected to: ...") share it: the lead-in is
    written once and the items follow, separated by semicolons.
    """
    if not plan.in_scope or not plan.chosen:
        return ComposedAnswer(decline_text(offline=True), [], in_scope=False)
    lead = plan.chosen[0]
    supports = sorted(plan.chosen[1:], key=lambda c: (c.sentence.chunk_index, c.sentence.position))
    ordered = [lead, *supports]
    numbers: dict[str, int] = {}
    passages: dict[str, Passage] = {p.chunk.id: p for p in plan.analysis.retrieval.passages}
    pieces: list[tuple[str, str, int]] = []  # (lead-in, text, citation number)
    for chosen in ordered:
        chunk_id = chosen.sentence.chunk.id
        number = numbers.setdefault(chunk_id, len(numbers) + 1)
        match = LEAD_IN.match(chosen.sentence.text)
        pieces.append((match["lead"] if match else "", chosen.sentence.text, number))
    parts: list[str] = []
    previous_lead, previous_number = "", 0
    for lead_in, text, number in pieces:
        if lead_in and lead_in == previous_lead and parts:
            item = LEAD_IN.match(text)["item"]  # type: ignore[index]
            parts[-1] = parts[-1].removesuffix(f" [{previous_number}]").rstrip(".") + f"; {item}"
            parts[-1] += f" [{number}]"
        else:
            parts.append(f"{text} [{number}]")
        previous_lead, previous_number = lead_in, number
    cited = sorted(numbers, key=lambda cid: numbers[cid])
    citations = [citation_for(passages[cid]) for cid in cited if cid in passages]
    text = " ".join(parts) + "\n\n" + OFFLINE_FOOTER
    return ComposedAnswer(text, citations, in_scope=True, chunk_ids=cited)


def compose_answer(retrieval: Retrieval, max_sentences: int = 4, max_sources: int = 3) -> ComposedAnswer:
    """Quote the guideline sentences closest in meaning to the question, in reading order, each cited.

    Sentences were embedded at ingest, so this costs one matrix product. A sentence must come close
    to the best one (within ``SPREAD``) to be quoted: a short, focused answer beats a long, loose one.
    """
    candidates: list[tuple[float, int, int, str]] = []
    for rank, passage in enumerate(retrieval.passages[:max_sources]):
        scored = retrieval.sentences.get(passage.chunk.id, [])
        for item in scored:
            score = item.similarity + RANK_BONUS * (max_sources - rank)
            candidates.append((score, rank, item.position, item.text))
    if not candidates:
        return ComposedAnswer(decline_text(offline=True), [], in_scope=False)

    best = max(c[0] for c in candidates)
    chosen: list[tuple[float, int, int, str]] = []
    seen: set[str] = set()
    for candidate in sorted(candidates, key=lambda c: -c[0]):
        if candidate[0] < best - SPREAD or len(chosen) == max_sentences:
            break
        if candidate[3] not in seen:
            seen.add(candidate[3])
            chosen.append(candidate)
    chosen.sort(key=lambda c: (c[1], c[2]))
    numbers: dict[int, int] = {}
    parts = []
    for _, rank, _, sentence in chosen:
        number = numbers.setdefault(rank, len(numbers) + 1)
        parts.append(f"{sentence} [{number}]")
    used = sorted(numbers, key=lambda r: numbers[r])
    passages = retrieval.passages
    citations = [citation_for(passages[rank]) for rank in used]
    text = " ".join(parts) + "\n\n" + OFFLINE_FOOTER
    return ComposedAnswer(text, citations, in_scope=True, chunk_ids=[passages[r].chunk.id for r in used])
