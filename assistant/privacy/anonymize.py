"""Replace personal data in a message with typed placeholders before it leaves the participant's space.

Used for theme logging, application logs, eval recordings and (with ``scrub_before_llm``) text sent
to an external model. Build one :class:`Anonymizer` per process: importing and building Presidio
takes a few seconds, after which a message takes a few milliseconds.

What it finds and misses is measured per entity type by ``tandem eval judgments --set pii`` on
``evals/datasets/judgments/pii.jsonl``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.privacy import lexicon
from assistant.privacy.common_words import COMMON_LOWER as _COMMON_LOWER
from assistant.privacy.lexicon import fold
from assistant.privacy.name_model import NameModel, tokens_of
from assistant.privacy.names import Roster, find_person_spans
from assistant.privacy.patterns import DEFAULT_ID_PATTERNS, find_birth_dates
from assistant.privacy.slots import slot_name_spans, whole_names

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
        self._names = _load_name_model()
        self._lock = threading.Lock()
        self._analyze("warm up: call +44 7700 900123 or mail a@example.com", set())

    def add_known_names(self, names: Iterable[str]) -> None:
        """Add participants (for example new users) to the roster."""
        with self._lock:
            self._roster = self._roster.merged(names)

    def anonymize(self, text: str, extra_names: Iterable[str] = ()) -> AnonymizedText:
        """Replace every finding with its placeholder; ``extra_names`` extend the roster for this call."""
        roster = self._roster.merged(extra_names)
        view = _VisibleView(text)
        seen = view.text
        cased = truecase(seen) if is_uncased(seen) else seen
        analyzed = self._analyze(cased, set(roster.parts))
        candidates = [e for e in analyzed if _plausible(e, seen, uncased=cased is not seen)]
        candidates += [Entity(span.type, span.start, span.end) for span in find_birth_dates(seen)]
        candidates += _cued_entities(seen)
        candidates += [Entity("PERSON", start, end) for start, end in find_person_spans(cased, roster)]
        candidates += [Entity("PERSON", start, end) for start, end in slot_name_spans(seen)]
        candidates = [Entity("PERSON", e.start, e.end) if e.type == "NAME_MODEL" else e for e in candidates]
        candidates += _other_mentions(seen, candidates)
        people = [(e.start, e.end) for e in candidates if e.type == "PERSON"]
        candidates += [Entity("PERSON", start, end) for start, end in whole_names(seen, people)]
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

    def _analyze(self, text: str, roster_parts: set[str]) -> list[Entity]:
        """Presidio's recognisers, and the learned name model on the same spaCy parse (parsed once)."""
        artifacts = self._analyzer.nlp_engine.process_text(text, "en")
        results = self._analyzer.analyze(text=text, language="en", nlp_artifacts=artifacts)
        found = [Entity(result.entity_type, result.start, result.end) for result in results]
        if self._names is not None and artifacts.tokens is not None:
            tokens = tokens_of(artifacts.tokens)
            found += [Entity("NAME_MODEL", start, end) for start, end in self._names.spans(text, tokens, roster_parts)]
        return found


_NOT_A_PHONE_LABEL = re.compile(
    r"\b(?:version|ver|build|release|po|order|invoice|ticket|inc|req|case|batch|lot|serial|sku|item|part|"
    r"account|acct|meeting id|zoom id|isbn|iban|sort code|chg|task)\b[^.!?\n]*$",
    re.IGNORECASE,
)
_PHONE_CUE = re.compile(
    r"\b(?:call|phone|mobile|cell|tel|text|whatsapp|dial|fax|ext|ring\s+(?:me|him|her|them|us|on))\b", re.IGNORECASE
)


def _load_name_model() -> NameModel | None:
    """The learned name model from the judgments weights; without it, spaCy NER and the context rules alone."""
    from assistant.judgments.model import WeightsError, load_weights

    try:
        spec = load_weights()["tasks"].get("names")
    except WeightsError:
        return None
    return NameModel(spec) if spec else None


def _plausible(entity: Entity, text: str, uncased: bool = False) -> bool:
    """Drop the NER's and the phone matcher's known false alarms on text with no personal data."""
    found = text[entity.start : entity.end]
    if entity.type == "PERSON" and uncased:
        return False  # spaCy's NER on a lower-case text capitalised for it guesses; the name model decides there
    if entity.type in ("NAME_MODEL", "PERSON"):
        following = re.match(r"(?:\s*(?:,|and|&)\s*[A-Z][\w'-]+)*\s+([^\W\d_]+)", text[entity.end :])
        if following and fold(following.group(1)).removesuffix("s") in lexicon.PLACE_NOUNS:
            return False
        if any(fold(word) in lexicon.PLACE_NOUNS for word in found.split()):
            return False
    if entity.type == "NAME_MODEL":
        return True
    if entity.type == "PHONE":
        before = text[max(0, entity.start - 40) : entity.start]
        if _NOT_A_PHONE_LABEL.search(before) and not _PHONE_CUE.search(before[-20:]):
            return False
        dotted = re.fullmatch(r"\d+(?:\.\d+){2,}", found)  # 16.0.17126, 1.6.00.4472: version numbers
        return not (dotted and not _PHONE_CUE.search(before))
    if entity.type != "PERSON":
        return True
    words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+", found)
    if not words or any(word.isdigit() for word in words):
        return False
    if any(fold(word) in lexicon.NON_NAMES for word in words):
        return False
    if not uncased and any(word[0].islower() and fold(word) not in lexicon.PARTICLES for word in words):
        return False
    single = len(words) == 1
    return not (single and (fold(words[0]) in lexicon.WORD_NAMES or re.match(r"\s*:", text[entity.end :])))


def _other_mentions(text: str, found: list[Entity]) -> list[Entity]:
    """Every other mention of a name or id already found: "Gwen ... Gwen Pritchard", "staff 881290 and 881477".

    A name found once is a name wherever the same word appears capitalised (or in lower case when the
    writer writes names in lower case); an id found once makes other numbers of the same length ids too.
    """
    names = {
        fold(word)
        for entity in found
        if entity.type == "PERSON"
        for word in re.findall(r"[^\W\d_]{3,}", text[entity.start : entity.end])
        if fold(word) not in lexicon.WORD_NAMES and fold(word) not in lexicon.PARTICLES
    }
    extra = []
    if names:
        for match in re.finditer(r"[^\W\d_]{3,}", text):
            if fold(match.group()) in names:
                extra.append(Entity("PERSON", match.start(), match.end()))
    id_lengths = {len(re.sub(r"\D", "", text[e.start : e.end])) for e in found if e.type == "ID"} - {0}
    if id_lengths:
        for match in re.finditer(r"(?<![\w.,:/-])(?:[A-Za-z]{1,3}-?)?\d{5,10}(?![\w.,:/-]\d)", text):
            if len(re.sub(r"\D", "", match.group())) in id_lengths:
                extra.append(Entity("ID", match.start(), match.end()))
    return extra


_ID_LABEL = re.compile(
    r"\b(?:empl\w*|staff|personnel|payroll|badge|worker|colleague|member(?:ship)?|hr|clock|matricule|"
    r"matr[ií]cula|pf|service|agent|ids?|id's)\b",
    re.IGNORECASE,
)
_ID_LIKE = re.compile(r"(?<![\w-])(?:[A-Za-z]{1,3}[-#]?)?\d(?:[\d-]{3,11})\d(?![\w-])")
_PHONE_LOCAL = re.compile(r"(?<![\w+-])(?:\(?\d{2,4}\)?[\s.-]?)?\d{3,4}[\s.-]\d{4}(?![\w-])|(?<![\w-])\d{4,5}(?![\w-])")
_PHONE_BEFORE = re.compile(
    r"\b(?:cell|mobile|mob|hp|phone|tel|call|text|ring|whatsapp|ext|extension|x)\b\.?\s*(?:is|at|on|:|#|=|-)?\s*"
    r"(?:\w+\s+(?:at|on)\s+)?$",
    re.IGNORECASE,
)
_SITE_CUE = re.compile(r"\b(?:site|website|blog|portfolio|page|homepage)\s+(?:is\s+|at\s+|:\s*)?$", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}\b", re.IGNORECASE)
_ID_LABEL_AFTER = re.compile(
    r"^[^.!?\n]{0,30}?\b(?:empl\w*|staff|payroll|personnel|badge)\s+(?:id|ids|number|numbers|no\.?|nos\.?|nr\.?|code)\b"
    r"|^[^.!?\n]{0,20}?\bon the hr system\b",
    re.IGNORECASE,
)
# A message about people's ids ("staff nos", "employee ids", "Staff no." as a table header): every
# number in it of an id's shape is one, lists included; money, times, dates and phone numbers are not.
_ID_CONTEXT = re.compile(r"\b(?:empl\w*|staff|payroll|personnel|badge)\s*(?:id|ids|number|numbers|no|nos|nr)\b", re.I)
_ID_SHAPED = re.compile(r"(?<![\w.,:/+£$€-])(?:[A-Za-z]{1,2}-?)?\d{6,10}(?![\w.,:/-]?\d)")
# People listed by number: the same length of 6-10 digits twice or more, with no order/ticket label
_NUMBER_LIST = re.compile(r"(?<![\w.,:/+£$€-])\d{6,10}(?![\w.,:/-]?\d)")
# "S-1234567", "u0482731": one or two letters joined to six or more digits (INC-20391 tickets have three)
_PREFIXED_PERSON_ID = re.compile(r"(?<![\w-])[A-Za-z]{1,2}-?\d{6,9}(?![\w-])")
_EXTENSION = re.compile(r"(?<![\w.-])(?:x|ext\.?\s?)\d{3,5}(?![\w.-])", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;\n]\s")


def _cued_entities(text: str) -> list[Entity]:
    """Ids, phone numbers and personal sites that only the words before them give away.

    "employee number in the sign up (put 77310284": an id-like token in the same clause, within a
    few words after an id label; "cell 555-0142", "ext 2241": a short local number right after a phone
    cue; "her site is zaneledube.co.za": a bare domain after "site".
    """
    found = []
    for label in _ID_LABEL.finditer(text):
        window = text[label.end() : label.end() + 45]
        cut = _CLAUSE_END.search(window)
        window = window[: cut.start()] if cut else window
        for match in _ID_LIKE.finditer(window):
            if sum(char.isdigit() for char in match.group()) >= 4:
                found.append(Entity("ID", label.end() + match.start(), label.end() + match.end()))
    for match in _ID_LIKE.finditer(text):
        if _ID_LABEL_AFTER.match(text[match.end() : match.end() + 50]):
            found.append(Entity("ID", match.start(), match.end()))
    if _ID_CONTEXT.search(text):
        found += [Entity("ID", m.start(), m.end()) for m in _ID_SHAPED.finditer(text)]
    numbers = [m for m in _NUMBER_LIST.finditer(text) if not _NOT_A_PHONE_LABEL.search(text[: m.start()][-40:])]
    lengths = [len(m.group()) for m in numbers]
    found += [Entity("ID", m.start(), m.end()) for m in numbers if lengths.count(len(m.group())) >= 2]
    found += [Entity("ID", m.start(), m.end()) for m in _PREFIXED_PERSON_ID.finditer(text)]
    found += [Entity("PHONE", m.start(), m.end()) for m in _EXTENSION.finditer(text)]
    for match in _PHONE_LOCAL.finditer(text):
        if _PHONE_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
            found.append(Entity("PHONE", match.start(), match.end()))
    for match in _BARE_DOMAIN.finditer(text):
        if _SITE_CUE.search(text[max(0, match.start() - 25) : match.start()]):
            found.append(Entity("URL", match.start(), match.end()))
    return found


def is_uncased(text: str) -> bool:
    """Whether the writer does not capitalise (so names are in lower case too): no capital opens a sentence."""
    starts = re.findall(r"(?:^|[.!?]\s+|\n\s*)([^\W\d_])", text)
    return bool(starts) and not any(letter.isupper() for letter in starts)


def truecase(text: str) -> str:
    """The text with words that could be names capitalised, same length, for NER and the context rules.

    Words of three letters or more that are neither function words nor in the English vocabulary of
    :mod:`assistant.privacy.common_words` are capitalised; the name model still decides.
    """

    def cap(match: re.Match[str]) -> str:
        word = match.group()
        if fold(word) in lexicon.FUNCTION_WORDS or fold(word) in _COMMON_LOWER or len(word) < 3:
            return word
        return word[:1].upper() + word[1:]

    return re.sub(r"(?<![\w@./])[^\W\d_]+", cap, text)


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
