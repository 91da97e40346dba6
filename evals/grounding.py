"""Are a reply's citations real, and does the cited text support what the reply says?

Citations are read as a participant reads them: the marker ``[n]`` in the text points at the reply's
n-th citation. A citation is valid when it names a chunk the pipeline retrieved for this question.

Support is measured by token overlap, with no model: a sentence is supported when at least
``SUPPORT_THRESHOLD`` of its content words (lower-cased, stop words removed, a plural "s" stripped)
occur in the text of the citations its markers point at; a sentence without a marker is checked
against all of the reply's citations. Overlap rewards quoting and paraphrase that keeps the guideline's
words; it cannot tell a negated sentence from the original, which is why grounding is also checked
against the reference answers by the text metrics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.coaching.qa import ERROR_NOTICE, LEAK_NOTICE, MALFORMED_NOTICE, TIMEOUT_NOTICE
from assistant.llm.composer import OFFLINE_FOOTER
from assistant.retrieval.hybrid import tokenize

SUPPORT_THRESHOLD = 0.5
MARKERS = re.compile(r"(?:\s*\[\d{1,2}\])+")
MARKER_NUMBER = re.compile(r"\[(\d{1,2})\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def answer_body(text: str) -> str:
    """The reply without the fixed notices (offline footer, fallback notice); markers stay."""
    for notice in (OFFLINE_FOOTER, TIMEOUT_NOTICE, ERROR_NOTICE, MALFORMED_NOTICE, LEAK_NOTICE):
        text = text.replace(notice, "")
    return text.strip()


def plain_answer(text: str) -> str:
    """What the text metrics compare with a reference answer: the body without citation markers."""
    return re.sub(r"\s+", " ", MARKERS.sub("", answer_body(text))).strip()


def content_words(text: str) -> set[str]:
    return {word[:-1] if len(word) > 3 and word.endswith("s") else word for word in tokenize(text)}


@dataclass(frozen=True)
class Claim:
    sentence: str
    markers: tuple[int, ...]


def claims(text: str) -> list[Claim]:
    """Sentences of the body, each with the markers that follow it (or sit inside it)."""
    body = answer_body(text)
    result: list[Claim] = []
    cursor = 0
    for match in MARKERS.finditer(body):
        numbers = tuple(int(n) for n in MARKER_NUMBER.findall(match.group(0)))
        result += _sentences(body[cursor : match.start()], numbers)
        cursor = match.end()
    result += _sentences(body[cursor:], ())
    return [claim for claim in result if content_words(claim.sentence)]


def _sentences(segment: str, markers: tuple[int, ...]) -> list[Claim]:
    return [Claim(sentence.strip(), markers) for sentence in SENTENCE_END.split(segment.strip()) if sentence.strip()]


@dataclass
class Grounding:
    citation_valid: bool
    citation_problems: list[str]
    sentences: int
    supported: int
    unsupported: list[str] = field(default_factory=list)

    @property
    def support(self) -> float:
        return self.supported / self.sentences if self.sentences else 0.0


def support_share(sentence: str, cited_texts: Iterable[str]) -> float:
    words = content_words(sentence)
    cited: set[str] = set()
    for text in cited_texts:
        cited |= content_words(text)
    return len(words & cited) / len(words) if words else 0.0


def check_grounding(reply: Mapping[str, Any], retrieved: Sequence[str], chunk_texts: Mapping[str, str]) -> Grounding:
    """Citation validity and sentence support of one reply.

    ``chunk_texts`` maps chunk ids to their text (the index); a citation's text is taken from there,
    so a citation to a chunk that does not exist supports nothing.
    """
    citations = reply.get("citations") or []
    problems = []
    if not citations:
        problems.append("no citation")
    for citation in citations:
        if citation.get("chunk_id") not in retrieved:
            problems.append(f"cites {citation.get('source')} - {citation.get('section')}, which was not retrieved")
    found = claims(reply["text"])
    for number in sorted({n for claim in found for n in claim.markers}):
        if not 1 <= number <= len(citations):
            problems.append(f"marker [{number}] points at no citation (the reply has {len(citations)})")
    texts = [chunk_texts.get(str(c.get("chunk_id")), "") for c in citations]
    supported, unsupported = 0, []
    for claim in found:
        cited = [texts[n - 1] for n in claim.markers if 1 <= n <= len(texts)] if claim.markers else texts
        if support_share(claim.sentence, cited) >= SUPPORT_THRESHOLD:
            supported += 1
        else:
            unsupported.append(claim.sentence)
    return Grounding(not problems, problems, len(found), supported, unsupported)
