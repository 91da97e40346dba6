"""Person names: roster names (any case, possessive) and other people's names recognised by context.

Rules, in order:

1. A roster full name ("Mark Chen", "mark chen", "MARK CHEN") is one span.
2. A single roster name part is a name whenever it is not an ordinary word; a part that is also a
   word (Will, Mark, Rose, Grace ...) only when the context says so: capitalised mid-sentence,
   possessive, addressed ("Grace, thanks"), followed by a verb at the start of a sentence ("Will
   said"), or after a person cue ("asked Rose", "my mentor Drew"). "I will try", "Will you ...",
   "mark the date", "Grace period", "this summer" stay.
3. Other capitalised words count as names only next to a person cue: a title ("Dr. Lee"), a role
   noun ("my manager Priya"), a speech verb ("Priya said"), a person preposition ("talked to
   Jürgen", "with Sam"), a possessive ("Priya's"), or an appositive ("the mentee, Inês, is").
   Capitalised words listed in :mod:`assistant.privacy.lexicon` (products, places, months ...)
   never count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from assistant.privacy import lexicon
from assistant.privacy.lexicon import fold

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’][sS]$")
_CONTRACTION = re.compile(r"['’](?:d|ll|re|ve|m|t)$|n['’]t$")
_SENTENCE_BREAK = re.compile(r"[.!?:;\n—–•|]|\s-\s|^\s*-")
MAX_CONTEXT_NAME_TOKENS = 3
_NAME_INTRODUCERS = lexicon.PERSON_VERBS_BEFORE | lexicon.ROLE_NOUNS
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "across", "around", "outside", "inside", "via"})


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    outer_end: int  # after a possessive "'s" or "'", if any
    folded: str

    @property
    def possessive(self) -> bool:
        return self.outer_end > self.end

    @property
    def is_capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def is_all_caps(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()


def tokenize(text: str) -> list[Token]:
    """Words with their offsets; a trailing possessive "'s" is split off and remembered."""
    tokens = []
    for match in _TOKEN.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        outer_end = end
        if _POSSESSIVE.search(word) and len(word) > 2:
            word, end = word[:-2], end - 2
        elif end < len(text) and text[end] in "'’" and word.endswith(("s", "S")):
            outer_end = end + 1
        tokens.append(Token(word, start, end, outer_end, fold(word)))
    return tokens


class Kind(Enum):
    PLAIN = "plain"  # never an ordinary word: always a name
    WORD = "word"  # also an English word: a name only in a name context
    STRONG = "strong"  # also a month, place or product: needs a speech verb or the surname


def _kind(part: str) -> Kind:
    if part in lexicon.STRONGLY_AMBIGUOUS:
        return Kind.STRONG
    if part in lexicon.WORD_NAMES or part in lexicon.NON_NAMES or len(part) <= 2:
        return Kind.WORD
    return Kind.PLAIN


@dataclass
class Roster:
    """Known participants' names, split into parts for matching."""

    full_names: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    parts: dict[str, Kind] = field(default_factory=dict)
    first_names: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, names: Iterable[str]) -> Roster:
        roster = cls()
        roster.add(names)
        return roster

    def add(self, names: Iterable[str]) -> None:
        for name in names:
            parts = tuple(token.folded for token in tokenize(name))
            if not parts:
                continue
            if len(parts) > 1:
                variants = self.full_names.setdefault(parts[0], [])
                if parts not in variants:
                    variants.append(parts)
                    variants.sort(key=len, reverse=True)
            self.first_names.add(parts[0])
            for part in parts:
                self.parts[part] = _kind(part)

    def merged(self, names: Iterable[str]) -> Roster:
        names = list(names)
        if not names:
            return self
        copy = Roster(
            {key: list(value) for key, value in self.full_names.items()},
            dict(self.parts),
            set(self.first_names),
        )
        copy.add(names)
        return copy


class _Sentence:
    """Context queries over one message's tokens."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens

    def gap_before(self, i: int) -> str:
        start = self.tokens[i - 1].outer_end if i > 0 else 0
        return self.text[start : self.tokens[i].start]

    def gap_after(self, i: int) -> str:
        end = self.tokens[i + 1].start if i + 1 < len(self.tokens) else len(self.text)
        return self.text[self.tokens[i].outer_end : end]

    def prev(self, i: int) -> Token | None:
        """The token before i when only spaces separate them."""
        if i > 0 and not self.tokens[i - 1].possessive and self.gap_before(i).isspace():
            return self.tokens[i - 1]
        return None

    def next(self, i: int) -> Token | None:
        """The token after i when only spaces separate them."""
        if i + 1 < len(self.tokens) and not self.tokens[i].possessive and self.gap_after(i).isspace():
            return self.tokens[i + 1]
        return None

    def sentence_start(self, i: int) -> bool:
        if i == 0:
            return True
        gap = self.gap_before(i)
        if gap.strip() == "." and self.tokens[i - 1].folded in lexicon.TITLES:
            return False
        return bool(_SENTENCE_BREAK.search(gap))

    def shouting(self, i: int) -> bool:
        """An all-caps word among all-caps neighbours: its case says nothing."""
        if not self.tokens[i].is_all_caps:
            return False
        neighbours = [self.tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(self.tokens)]
        return any(t.is_all_caps for t in neighbours)

    def after_title(self, i: int) -> bool:
        if i == 0 or self.tokens[i - 1].folded not in lexicon.TITLES:
            return False
        return self.gap_before(i).strip() in ("", ".")


def _used_as_name(sentence: _Sentence, i: int, kind: Kind) -> bool:
    """Whether an ambiguous roster word (Will, Mark, Rose ...) is used as a name here."""
    token = sentence.tokens[i]
    shouting = sentence.shouting(i)
    if not token.is_capitalised and not shouting:
        return False
    strong = kind is Kind.STRONG
    prev, nxt = sentence.prev(i), sentence.next(i)
    at_start = sentence.sentence_start(i)
    if nxt is not None and nxt.folded in lexicon.NON_NAME_FOLLOWERS:
        return False
    if prev is not None and prev.folded in lexicon.DETERMINERS and not at_start:
        return False
    if sentence.after_title(i):
        return True
    if prev is not None and prev.folded in _NAME_INTRODUCERS:
        return True
    if nxt is not None and nxt.folded in (lexicon.SPEECH_VERBS if strong else lexicon.NAME_FOLLOWERS):
        return True
    if strong:
        return False
    if token.possessive or sentence.gap_after(i).lstrip().startswith(","):
        return True
    if nxt is not None and nxt.text.islower() and nxt.text.endswith("ed") and len(nxt.text) > 4:
        return True
    return not at_start and not shouting


def _name_like(token: Token) -> bool:
    """A capitalised word that could be a name (not a product, place, month or function word)."""
    return (
        token.is_capitalised
        and not token.is_all_caps
        and len(token.text) >= 2
        and token.folded not in lexicon.NON_NAMES
        and not _CONTRACTION.search(token.text)
    )


def _after_person_cue(sentence: _Sentence, i: int) -> bool:
    """Whether a person cue precedes token i: "asked Priya", "with Sam", "talked to Jürgen", "email from Priya"."""
    prev = sentence.prev(i)
    if prev is None:
        return False
    if prev.folded in lexicon.PERSON_VERBS_BEFORE or prev.folded in lexicon.PERSON_PREPOSITIONS:
        return True
    before = sentence.prev(i - 1)
    if before is None:
        return False
    return (prev.folded == "to" and before.folded in lexicon.TO_PERSON_VERBS) or (
        prev.folded == "from" and before.folded in lexicon.FROM_PERSON_NOUNS
    )


def _context_run_is_person(sentence: _Sentence, first: int, last: int) -> bool:
    """Whether the capitalised run tokens[first..last] is a person by its context."""
    tokens = sentence.tokens
    prev, nxt = sentence.prev(first), sentence.next(last)
    at_start = sentence.sentence_start(first)
    if sentence.after_title(first):
        return True
    if prev is not None and prev.folded in _PLACE_PREPOSITIONS and not tokens[last].possessive:
        return False  # "in Tbilisi wants to join": a place, whatever verb follows
    if prev is not None and prev.folded in lexicon.ROLE_NOUNS:
        return True
    if nxt is not None and nxt.folded in lexicon.SPEECH_VERBS:
        return True
    if nxt is not None and nxt.folded == "from" and not tokens[last].possessive:
        after = sentence.next(last + 1)
        if not at_start or (after is not None and after.folded in lexicon.ORGANISATION_WORDS):
            return True
    if tokens[last].possessive:
        return True
    if not at_start and _after_person_cue(sentence, first):
        return True
    if first > 0 and "," in sentence.gap_before(first) and sentence.gap_after(last).strip() == ",":
        after = tokens[last + 1] if last + 1 < len(tokens) else None
        if after is not None and after.folded in lexicon.NAME_FOLLOWERS:
            return True
    return False


def find_person_spans(text: str, roster: Roster) -> list[tuple[int, int]]:
    """Offsets of person names in text (roster names and context names)."""
    tokens = tokenize(text)
    sentence = _Sentence(text, tokens)
    claimed = [False] * len(tokens)
    spans: list[tuple[int, int]] = []

    def claim(first: int, last: int) -> None:
        for j in range(first, last + 1):
            claimed[j] = True
        spans.append((tokens[first].start, tokens[last].end))

    for i, token in enumerate(tokens):
        if claimed[i]:
            continue
        for parts in roster.full_names.get(token.folded, ()):
            last = i + len(parts) - 1
            if last < len(tokens) and all(
                tokens[i + k].folded == part and (k == 0 or sentence.prev(i + k) is not None)
                for k, part in enumerate(parts)
            ):
                claim(i, last)
                break

    for i, token in enumerate(tokens):
        kind = roster.parts.get(token.folded)
        if claimed[i] or kind is None:
            continue
        if kind is Kind.PLAIN or _used_as_name(sentence, i, kind):
            first, last = i, i
            prev = sentence.prev(i)
            if token.folded not in roster.first_names and prev is not None and not claimed[i - 1] and _name_like(prev):
                first = i - 1  # "Priya Patel" when the roster has "Grace Patel"
            nxt = sentence.next(i)
            if (
                token.folded in roster.first_names
                and nxt is not None
                and not claimed[i + 1]
                and _name_like(nxt)
                and nxt.folded not in roster.parts
            ):
                last = i + 1
            claim(first, last)

    i = 0
    while i < len(tokens):
        if claimed[i] or not _name_like(tokens[i]):
            i += 1
            continue
        last = i
        while (
            last - i + 1 < MAX_CONTEXT_NAME_TOKENS
            and not tokens[last].possessive
            and (nxt := sentence.next(last)) is not None
            and not claimed[last + 1]
            and _name_like(nxt)
        ):
            last += 1
        if _context_run_is_person(sentence, i, last):
            claim(i, last)
        i = last + 1

    _add_coordinated_names(sentence, claimed, claim)
    return _merge_adjacent(text, sorted(spans))


def _merge_adjacent(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join names separated only by spaces: "Grace Chen" found as "Grace" and "Chen" is one name."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (merged[-1][1] >= start or text[merged[-1][1] : start].strip(" ") == ""):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _add_coordinated_names(sentence: _Sentence, claimed: list[bool], claim: Callable[[int, int], None]) -> None:
    """A capitalised word joined by "and", "or" or "&" to a found name is one too ("with Sam and Alex")."""
    tokens = sentence.tokens
    changed = True
    while changed:
        changed = False
        for i, token in enumerate(tokens[:-2]):
            if not claimed[i] or token.possessive:
                continue
            conj = sentence.next(i)
            if conj is None or conj.folded not in ("and", "or"):
                continue
            candidate = sentence.next(i + 1)
            if candidate is not None and not claimed[i + 2] and _name_like(candidate):
                claim(i + 2, i + 2)
                changed = True
        for i in range(len(tokens) - 1):
            gap = sentence.gap_after(i)
            if claimed[i] and not claimed[i + 1] and gap.strip() == "&" and _name_like(tokens[i + 1]):
                claim(i + 1, i + 1)
                changed = True
