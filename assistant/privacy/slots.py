"""Names found by the slot they fill, not by a list: "iris said", "Dawn (my mentee)", "ask for Lakshmi",
"her real name's Bilkis", "that's Till's flat", a sign-off line ("Ta, Pam"). And names of several parts
kept whole: "Nguyễn Thị Hồng Nhung", "Joanna de Vries-Smit", "Siobhán Ní Bhriain".

A word in a person slot is a name when it is written like one (capitalised, and not a word this domain
uses for something else: a month, a tool, a team), or, written in lower case, when it is a given name
that is also an everyday word ("grace", "mark") or no everyday word at all. The same words outside a
slot ("a rose garden", "in summer", "mark the date") are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.privacy import lexicon
from assistant.privacy.common_words import COMMON_LOWER

NAME = r"[^\W\d_][^\W\d_'’]*(?:-[^\W\d_]+)?"
PERSON_ONLY_VERBS = (
    r"said|says|prefers|preferred|asked|asks|told|tells|thinks|thought|wants|wanted|decided|mentioned|"
    r"suggested|suggests|replied|wrote|emailed|texted|messaged|agreed|complained|explained|admitted|promised|"
    r"confirmed|reckons|likes|hates|loves|laughed|cried|apologised|apologized|insisted|offered|volunteered"
)
TEAMS = r"legal|hr|finance|it|sales|marketing|accounts|payroll|procurement|ops|operations|compliance|facilities|audit"
ROLES = "|".join(sorted(lexicon.ROLE_NOUNS, key=len, reverse=True))
THINGS = (
    r"flat|house|home|place|desk|office|car|laptop|phone|team|birthday|wedding|party|leaving|farewell|room|kids|"
    r"husband|wife|partner|mum|mom|dad|mother|father|dog|cat|baby|sister|brother|garden|leaving\s+do"
)
SIGN_OFF = r"ta|thanks|thank\s+you|thx|cheers|best|regards|kind\s+regards|best\s+wishes|love|many\s+thanks|speak\s+soon"

_ANY, _CAPITAL, _OWNER = "any", "capital", "owner"
"""What a slot's word must be: a name written any way, a capitalised name, or a capitalised owner ("Till's
flat": a word that is otherwise a preposition cannot take a possessive)."""
SLOTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), capital)
    for pattern, capital in (
        # the subject of a verb only people do, opening a sentence or after "and"/"but"
        (
            rf"(?:^|(?<=[.!?]\s)|(?<=\n)|(?<=\band\s)|(?<=\bbut\s)|(?<=,\s))(?P<name>{NAME})\s+(?:{PERSON_ONLY_VERBS})\b",
            _ANY,
        ),
        (
            rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?P<name>{NAME})\s+(?:starts|started|joins|joined)\s+(?:on\s+)?"
            r"(?:monday|tuesday|wednesday|thursday|friday|tomorrow|today|next\s+week|us|the\s+team)\b",
            _CAPITAL,
        ),
        (rf"\b(?P<name>{NAME})\s+and\s+i\b", _ANY),
        (rf"\b(?:me|myself)\s+and\s+(?P<name>{NAME})\b", _ANY),
        (rf"\b(?P<name>{NAME})\s+from\s+(?:the\s+)?(?:{TEAMS})\b(?!\s+(?:team|department)\s+(?:is|was))", _ANY),
        # appositions with a role: "Dawn (my mentee)", "Dawn, my mentee"
        (rf"\b(?P<name>{NAME})\s*\((?:my|our|his|her|their|the)\s+(?:new\s+|old\s+)?(?:{ROLES})\)", _ANY),
        (rf"\b(?P<name>{NAME}),\s+(?:my|our|his|her|their)\s+(?:new\s+|old\s+)?(?:{ROLES})\b", _CAPITAL),
        # objects of asking and telling (capitalised: "ask for the form" is not a person)
        (
            rf"\b(?:ask(?:ed)?\s+for|ask(?:ed)?|tell|told|cc(?:'d)?|ping(?:ed)?|thank(?:ed)?|invite(?:d)?|remind(?:ed)?)"
            rf"\s+(?P<name>{NAME})\b",
            _CAPITAL,
        ),
        # naming: "her real name's Bilkis", "goes by Sully", "everyone calls him Sully", "known as Bex"
        (
            rf"\b(?:real\s+name(?:'s|’s|\s+is)|(?:his|her|their|my)\s+name(?:'s|’s|\s+is)|goes\s+by|known\s+as|"
            rf"calls?\s+(?:him|her|them|me)|called\s+(?:him|her|them|me))\s+(?P<name>{NAME}(?:\s+{NAME}){{0,3}})",
            _ANY,
        ),
        # a possessive before a place or a thing of one's own: "Till's flat", "Priya's leaving do"
        (rf"\b(?P<name>{NAME})['’]s\s+(?:new\s+|old\s+)?(?:{THINGS})\b", _OWNER),
        # a sign-off: "Ta, Pam", "Thanks,\nDestiny", or a name alone on the last line
        (rf"(?:^|(?<=\n)|(?<=[.!?]\s))(?:{SIGN_OFF})[,!.]?\s+(?P<name>{NAME}(?:\s+{NAME})?)\s*[.!]?\s*$", _CAPITAL),
        (rf"(?<=\n)\s*[-–—~]?\s*(?P<name>{NAME}(?:\s+{NAME})?)\s*[.!]?\s*$", _CAPITAL),
    )
)
NOT_NAMES = (
    (lexicon.NON_NAMES - lexicon.WORD_NAMES - lexicon.SEASONS)
    | lexicon.ROLE_NOUNS
    | lexicon.DETERMINERS
    | frozenset(
        re.findall(
            r"\S+",
            """
            i you he she we they it everyone everybody someone somebody nobody anyone anybody people who this that
            management leadership team staff hr it finance legal sales marketing ops admin one all both mentees
            mentors participants colleagues nurses teachers engineers students kids parents customers there here
            then so and but or also just still really yes no ok okay thanks
            """,
        )
    )
)


def _is_name(word: str) -> bool:
    folded = lexicon.fold(word.split("-")[0]).lower()
    if folded in NOT_NAMES or len(folded) < 2:
        return False
    if word[:1].isupper():
        return True
    return folded in lexicon.WORD_NAMES or (folded not in COMMON_LOWER and len(folded) >= 3)


def _fits(word: str, slot: str) -> bool:
    if slot != _ANY and not word[:1].isupper():
        return False
    return _is_name(word) or (slot == _OWNER and lexicon.fold(word).lower() in lexicon.FUNCTION_WORDS)


def slot_name_spans(text: str) -> list[tuple[int, int]]:
    """The spans of names that fill a person slot; each part of a multi-word name checked on its own."""
    spans: list[tuple[int, int]] = []
    for pattern, capital in SLOTS:
        for match in pattern.finditer(text):
            start, end = match.span("name")
            words = list(re.finditer(NAME, text[start:end]))
            fits = [_fits(w.group(0), capital) for w in words]
            if fits and all(fits):
                spans.append((start, end))
            elif fits and fits[0]:
                spans.append((start, start + words[0].end()))
    return spans


def whole_names(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each person span grown over the capitalised parts and particles beside it, and spans that only a
    particle or a name part separates joined: "[PERSON] Hồng [PERSON]" becomes one name."""
    grown: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        start, end = _grow_left(text, start), _grow_right(text, end)
        if grown and _bridged(text[grown[-1][1] : start]):
            grown[-1] = (grown[-1][0], max(end, grown[-1][1]))
        else:
            grown.append((start, end))
    return grown


def _bridged(gap: str) -> bool:
    """Two names with nothing between them but spaces, a particle or one capitalised word ("Thị Hồng")."""
    words = gap.split()
    if not words:
        return True
    return len(words) == 1 and (words[0][:1].isupper() or lexicon.fold(words[0]).lower() in lexicon.PARTICLES)


def _grow_right(text: str, end: int) -> int:
    while True:
        match = re.match(rf"[ \t]+(?P<word>{NAME})", text[end:])
        if not match:
            return end
        word = match.group("word")
        if _name_part(word):
            end += match.end()
            continue
        if lexicon.fold(word).lower() in lexicon.PARTICLES:
            after = re.match(rf"[ \t]+{NAME}", text[end + match.end() :])
            if after and _name_part(after.group(0).strip()):
                end += match.end() + after.end()
                continue
        return end


def _grow_left(text: str, start: int) -> int:
    while True:
        match = re.search(rf"(?P<word>{NAME})[ \t]+$", text[:start])
        if not match:
            return start
        word = match.group("word")
        at_sentence_start = not text[: match.start()].strip() or re.search(r"[.!?\n]\s*$", text[: match.start()])
        # a capitalised word opening a sentence may be any word, so there it must not be an everyday one
        if not _name_part(word) or (at_sentence_start and lexicon.fold(word).lower() in COMMON_LOWER):
            return start
        start = match.start()


def _name_part(word: str) -> bool:
    """A capitalised word that can be part of a name here (not a month, a tool, a team or a function word)."""
    if not word[:1].isupper() or (word.isupper() and len(word) > 1):
        return False
    folded = lexicon.fold(word.split("-")[0]).lower()
    return folded not in NOT_NAMES and folded not in lexicon.SEASONS and folded not in lexicon.TITLES
