"""What kind of fact a question asks for, and whether a text holds that kind of fact.

"How often" wants a frequency, "how long" a duration, "who" a person or role: a sentence that holds
one is likelier to answer. The cue pairs feed the reranker and the selector as features; the heads
learn how much each one counts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.retrieval.mirror import tokenize

ASKS = {
    "frequency": re.compile(
        (
            r"\bhow\s+(?:often|frequent\w*|regular\w*)|\bhow\s+many\s+times\b|\bcadence\b|"
            r"\bmeet\w*\s+(?:every|weekly|monthly)|\bfrequen"
        ),
        re.I,
    ),
    "duration": re.compile(
        (r"\bhow\s+long\b|\bduration\b|\bhow\s+much\s+time\b|\blast(?:s)?\b|\bminutes?\b|\bhours?\b|\blength\b"), re.I
    ),
    "who": re.compile(
        (r"\bwho\b|\bwhom\b|\bwhich\s+(?:person|people|team|role)\b|\btalk\s+to\b|\bcontact\b|\bturn\s+to\b"), re.I
    ),
    "count": re.compile(r"\bhow\s+many\b|\bnumber\s+of\b|\bhow\s+much\b", re.I),
    "when": re.compile(
        (r"\bwhen\b|\bdeadline\b|\bby\s+when\b|\bwhat\s+time\b|\bhow\s+soon\b|\bbefore\s+or\s+after\b"), re.I
    ),
    "condition": re.compile(
        (r"\bwhat\s+(?:if|happens|should|do|can)\b|\bif\b|\bin\s+case\b|\bwhat\s+now\b|\bkeeps?\b"), re.I
    ),
    "definition": re.compile(
        (r"\bwhat\s+(?:is|are|does|do\s+you\s+mean)\b|\bmean(?:s|ing)?\b|\bstand\s+for\b|\bdefin"), re.I
    ),
    "reason": re.compile(r"\bwhy\b|\bpoint\s+of\b|\bwhat\s+for\b|\bbenefit|\bworth\b|\bin\s+it\s+for\b", re.I),
    "howto": re.compile(
        (r"\bhow\s+(?:do|can|should|to|would)\b|\bways?\s+to\b|\btips?\b|\badvice\b|\bbest\s+way\b"), re.I
    ),
    "allowed": re.compile(
        (
            r"\b(?:can|may|allowed|ok|okay|fine|should)\s+(?:i|we|he|she|they|my)\b|"
            r"\bis\s+it\s+(?:ok|okay|fine|allowed)\b"
        ),
        re.I,
    ),
}
HOLDS = {
    "frequency": re.compile(
        (
            r"\bevery\s+(?:two|three|four|other|\d+)?\s*(?:weeks?|months?|days?|session)|\bweekly\b|\bmonthly\b|"
            r"\bfortnight\w*|\bonce\s+a\b|\btwice\b|\b(?:a|per)\s+(?:week|month)\b|\bquarterly\b"
        ),
        re.I,
    ),
    "duration": re.compile(
        (
            r"\b\d+\s*(?:to|-|–)?\s*\d*\s*(?:minutes?|hours?|weeks?|months?|days?)\b|"
            r"\b(?:one|two|three|four|five|six|nine|twelve|ten|fifteen|twenty|thirty|forty|sixty|ninety)\s+(?:minutes?|hours?|weeks?|months?)\b|"
            r"\bhalf\s+an?\s+hour\b"
        ),
        re.I,
    ),
    "who": re.compile(
        (
            r"\bHR\b|\bprogram(?:me)?\s+lead\b|\bsponsor\b|\bmanager\b|\bbusiness\s+partner\b|\bspeak-up\b|"
            r"\bsecurity\b|\bemergency\b|\bcoordinator\b"
        ),
        re.I,
    ),
    "count": re.compile(r"\b\d+\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b", re.I),
    "when": re.compile(
        (
            r"\bbefore\b|\bafter\b|\bduring\b|\bwithin\b|\bby\s+the\s+end\b|\bfirst\s+session\b|"
            r"\bat\s+the\s+(?:start|end)\b|\bweek\s+\d|\bmonth\s+\d"
        ),
        re.I,
    ),
    "condition": re.compile(r"\bif\b|\bwhen\b|\bunless\b|\binstead\b", re.I),
    "definition": re.compile(r"\bis\s+(?:a|an|the)\b|\bmeans\b|\bstands\s+for\b|\bare\s+(?:the|a)\b|:\s", re.I),
    "reason": re.compile(r"\bbecause\b|\bso\s+that\b|\bhelps?\b|\bbenefit|\bprotects?\b|\bgives?\b|\bbuilds?\b", re.I),
    "howto": re.compile(
        (r"\b(?:ask|use|start|try|agree|write|plan|say|name|keep|end|offer|prepare|book|describe|contact)\b"), re.I
    ),
    "allowed": re.compile(r"\b(?:may|must|should|never|not|do\s+not|only|can)\b", re.I),
}
CUE_NAMES = tuple(ASKS)


def asked(text: str) -> dict[str, bool]:
    return {name: bool(pattern.search(text)) for name, pattern in ASKS.items()}


@lru_cache(maxsize=32768)
def held(text: str) -> dict[str, bool]:
    """Cached: the texts are the index's own chunks and sentences, read again for every question."""
    return {name: bool(pattern.search(text)) for name, pattern in HOLDS.items()}


@lru_cache(maxsize=32768)
def _stems(text: str) -> frozenset[str]:
    return frozenset(token[:5] for token in tokenize(text) if len(token) > 2)


def stems(text: str) -> set[str]:
    """Content words cut to five letters: "escalate" and "escalation" share "escal"."""
    return set(_stems(text))


def overlap(question_stems: set[str], text: str) -> float:
    """The share of the question's content words that ``text`` contains."""
    if not question_stems:
        return 0.0
    return len(question_stems & _stems(text)) / len(question_stems)
