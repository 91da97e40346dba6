"""The offline provider: a deterministic composer that answers with the guidelines' own sentences."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.retrieval.hybrid import Passage, tokenize

OFFLINE_PROVIDER = "offline"
OFFLINE_FOOTER = (
    "(Tandem offline assistant: this answer is composed from the program guidelines' own sentences, "
    "without a language model.)"
)
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
MARKDOWN_NOISE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|\*\*|__|`|^#+\s*")


@dataclass
class ComposedAnswer:
    text: str
    citations: list[dict[str, Any]]
    in_scope: bool
    chunk_ids: list[str] = field(default_factory=list)


def stem(token: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "ly", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def stems(text: str) -> set[str]:
    return {stem(t) for t in tokenize(text)}


def citation_for(passage: Passage) -> dict[str, Any]:
    return {
        "source": passage.chunk.source,
        "section": passage.chunk.section,
        "text": passage.chunk.text,
        "chunk_id": passage.chunk.id,
    }


def split_sentences(text: str) -> list[str]:
    sentences = []
    for raw in SENTENCE_BREAK.split(text):
        cleaned = MARKDOWN_NOISE.sub("", raw).strip()
        if len(cleaned.split()) >= 4 and not cleaned.endswith(":"):
            sentences.append(cleaned if cleaned[-1] in ".!?\"'" else cleaned + ".")
    return sentences


def decline_text(offline: bool) -> str:
    who = "Tandem's offline assistant" if offline else "Tandem"
    return (
        f"I'm {who}, and the program guidelines don't cover that question, so I won't guess. "
        "I can help with the reverse-mentoring program itself: development goals, planning sessions, "
        "giving feedback, the mentoring agreement, confidentiality and when to involve HR."
    )


def compose_answer(
    question: str, passages: list[Passage], max_sentences: int = 4, max_sources: int = 3
) -> ComposedAnswer:
    """Pick the guideline sentences that best answer the question and cite each one."""
    query = stems(question)
    candidates: list[tuple[float, int, int, str]] = []
    for rank, passage in enumerate(passages[:max_sources]):
        prior = 1.0 / (rank + 1)
        for position, sentence in enumerate(split_sentences(passage.chunk.text)):
            words = stems(sentence)
            overlap = len(query & words) / math.sqrt(len(words) + 1) if words else 0.0
            lead = 0.15 if position == 0 else 0.0
            candidates.append((overlap + 0.6 * prior + lead, rank, position, sentence))
    if not candidates:
        return ComposedAnswer(decline_text(offline=True), [], in_scope=False)

    chosen = sorted(candidates, key=lambda c: -c[0])[:max_sentences]
    chosen.sort(key=lambda c: (c[1], c[2]))
    numbers: dict[int, int] = {}
    parts = []
    for _, rank, _, sentence in chosen:
        number = numbers.setdefault(rank, len(numbers) + 1)
        parts.append(f"{sentence} [{number}]")
    used = sorted(numbers, key=lambda r: numbers[r])
    citations = [citation_for(passages[rank]) for rank in used]
    text = " ".join(parts) + "\n\n" + OFFLINE_FOOTER
    return ComposedAnswer(text, citations, in_scope=True, chunk_ids=[passages[r].chunk.id for r in used])
