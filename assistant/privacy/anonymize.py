"""Replace personal data in a message with typed placeholders before it leaves the participant's space.

Used for theme logging, application logs, eval recordings and (with ``scrub_before_llm``) text sent
to an external model. Build one :class:`Anonymizer` per process: importing and building Presidio
takes a few seconds, after which a message takes a few milliseconds.

What it finds and misses is measured by ``python -m evals.privacy`` on ``evals/datasets/pii.yaml``.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.privacy.names import Roster, find_person_spans
from assistant.privacy.patterns import DEFAULT_ID_PATTERNS, find_birth_dates

__all__ = ["DEFAULT_ID_PATTERNS", "PLACEHOLDERS", "AnonymizedText", "Anonymizer", "Entity"]

PLACEHOLDERS = {
    "PERSON": "[PERSON]",
    "EMAIL": "[EMAIL]",
    "PHONE": "[PHONE]",
    "ID": "[ID]",
    "URL": "[URL]",
    "ADDRESS": "[ADDRESS]",
    "DATE_OF_BIRTH": "[DATE_OF_BIRTH]",
}
# When two findings of the same length overlap, the more specific one wins.
_PRIORITY = {"EMAIL": 0, "URL": 1, "PHONE": 2, "ID": 3, "DATE_OF_BIRTH": 4, "ADDRESS": 5, "PERSON": 6}


@dataclass(frozen=True)
class Entity:
    """A piece of personal data; offsets index the original text."""

    type: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class AnonymizedText:
    text: str
    entities: list[Entity]

    def as_contract(self) -> dict[str, Any]:
        """The ``tandem anonymize --json`` object."""
        return {"text": self.text, "entities": [entity.as_dict() for entity in self.entities]}


class Anonymizer:
    """Finds names (roster and context), emails, phones, ids, URLs, addresses and birth dates."""

    def __init__(self, known_names: Iterable[str] = (), id_patterns: Sequence[str] = DEFAULT_ID_PATTERNS) -> None:
        from assistant.privacy.patterns import build_analyzer

        self._roster = Roster.build(known_names)
        self._analyzer = build_analyzer(id_patterns)
        self._lock = threading.Lock()
        self._analyze("warm up: call +44 7700 900123 or mail a@example.com")

    def add_known_names(self, names: Iterable[str]) -> None:
        """Add participants (for example new users) to the roster."""
        with self._lock:
            self._roster = self._roster.merged(names)

    def anonymize(self, text: str, extra_names: Iterable[str] = ()) -> AnonymizedText:
        """Replace every finding with its placeholder; ``extra_names`` extend the roster for this call."""
        roster = self._roster.merged(extra_names)
        view = _VisibleView(text)
        candidates = self._analyze(view.text)
        candidates += [Entity(span.type, span.start, span.end) for span in find_birth_dates(view.text)]
        candidates += [Entity("PERSON", start, end) for start, end in find_person_spans(view.text, roster)]
        entities = [view.to_original(entity) for entity in _resolve_overlaps(candidates)]
        pieces, cursor = [], 0
        for entity in entities:
            pieces += [text[cursor : entity.start], PLACEHOLDERS[entity.type]]
            cursor = entity.end
        pieces.append(text[cursor:])
        return AnonymizedText("".join(pieces), entities)

    def scrub(self, text: str) -> str:
        """The anonymized text alone."""
        return self.anonymize(text).text

    def _analyze(self, text: str) -> list[Entity]:
        results = self._analyzer.analyze(text=text, language="en")
        return [Entity(result.entity_type, result.start, result.end) for result in results]


# Cyrillic and Greek letters that look like Latin ones ("Dаna" with a Cyrillic "а").
_CONFUSABLES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеѕіјорсхуԁһӏΑΒΕΗΙΚΜΝΟΡΤΧΥΖαικνορτυχ",
    "ABESIJKMHOPCTXYaesijopcxydhlABEHIKMNOPTXYZaikvoptux",
)


class _VisibleView:
    """The text as a reader sees it, with a map back to the original offsets.

    Invisible characters (zero-width spaces, bidi controls, soft hyphens) and combining marks are
    dropped, compatibility forms (full-width letters) are folded and look-alike Cyrillic or Greek
    letters become Latin: "Dana" with a zero-width space inside, in full-width letters or with a
    Cyrillic "а" is still found as "Dana".
    """

    def __init__(self, text: str) -> None:
        self.original = text
        if text.isascii() and text.isprintable():
            self.text, self._index = text, None
            return
        chars: list[str] = []
        index: list[int] = []
        for position, char in enumerate(text):
            if char not in "\n\t" and unicodedata.category(char) in ("Cf", "Cc", "Mn", "Me"):
                continue
            visible = unicodedata.normalize("NFKC", char).translate(_CONFUSABLES) if not char.isascii() else char
            chars.append(visible)
            index.extend([position] * len(visible))
        self.text = "".join(chars)
        self._index = index

    def to_original(self, entity: Entity) -> Entity:
        if self._index is None:
            return entity
        start = self._index[entity.start]
        end = self._index[entity.end - 1] + 1
        while end < len(self.original) and unicodedata.category(self.original[end]) in ("Mn", "Me"):
            end += 1
        return Entity(entity.type, start, end)


def _resolve_overlaps(candidates: list[Entity]) -> list[Entity]:
    """Longest span wins (a URL over the name inside it); ties go to the more specific type.

    A shorter finding that sticks out of a longer one widens it, so no part of either survives.
    """
    ranked = sorted(candidates, key=lambda e: (-(e.end - e.start), _PRIORITY[e.type], e.start))
    chosen: list[Entity] = []
    for entity in ranked:
        if entity.end <= entity.start:
            continue
        overlapping = [other for other in chosen if entity.start < other.end and other.start < entity.end]
        if not overlapping:
            chosen.append(entity)
            continue
        start = min(entity.start, *(other.start for other in overlapping))
        end = max(entity.end, *(other.end for other in overlapping))
        for other in overlapping:
            chosen.remove(other)
        chosen.append(Entity(overlapping[0].type, start, end))
    return sorted(chosen, key=lambda e: e.start)
