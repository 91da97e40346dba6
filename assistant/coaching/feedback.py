"""Critique one line of feedback with Situation-Behavior-Impact, flag risky phrasing, and suggest a rephrasing.

The labels follow the rule block of ``evals/datasets/feedback.yaml`` (``python -m evals.skills`` measures
how closely). Everything is a rule over the line's own words, so each verdict quotes what it relied on.
Words inside quotation marks or in reported speech ("you said you had never used Loom") are the mentee's
words, not the speaker's: they are never flagged.

Rephrasings never invent facts: they drop labels, absolutes, hedges and condescension, and mark what only
the speaker can fill in with ``[when: the meeting or day]``, ``[what you saw or heard]`` and
``[the effect on you, the team or the client]``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.knowledge.sections import guideline_citation

_PLAIN: dict[str, str | int | None] = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
_PLAIN_PUNCTUATION = str.maketrans(_PLAIN)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


MAX_LINE_CHARS = 2000
SBI = ("situation", "behavior", "impact")
FLAG_KINDS = ("judgmental", "absolute", "vague", "condescending", "hedging")
GUIDELINE = "feedback-across-generations.md"
SECTION_SBI = "Situation-Behavior-Impact"
SECTION_JUDGMENTAL = "Avoiding judgmental and ageist phrasing"
SECTION_HABITS = "Avoiding absolutes, vague praise, condescension and over-hedging"

WHEN = "[when: the meeting or day]"
WHAT = "[what you saw or heard]"
EFFECT = "[the effect on you, the team or the client]"
FOLLOW_UP = "How did it look from your side?"


@dataclass(frozen=True)
class Part:
    met: bool
    why: str


@dataclass(frozen=True)
class Flag:
    kind: str
    span: str
    why: str
    start: int
    end: int

    def as_contract(self) -> dict[str, str]:
        return {"kind": self.kind, "span": self.span, "why": self.why}


@dataclass(frozen=True)
class FeedbackCheck:
    line: str
    situation: Part
    behavior: Part
    impact: Part
    flags: list[Flag]
    rephrasings: list[str]
    citations: list[dict[str, Any]]

    def as_contract(self) -> dict[str, Any]:
        return {
            "situation": {"met": self.situation.met, "why": self.situation.why},
            "behavior": {"met": self.behavior.met, "why": self.behavior.why},
            "impact": {"met": self.impact.met, "why": self.impact.why},
            "flags": [flag.as_contract() for flag in self.flags],
            "rephrasings": list(self.rephrasings),
            "citations": [{k: c[k] for k in ("source", "section", "text")} for c in self.citations],
        }

    def score(self) -> int:
        """SBI parts met minus flags: used to rank lines of a rehearsal."""
        return sum((self.situation.met, self.behavior.met, self.impact.met)) - len(self.flags)


# --- vocabulary -----------------------------------------------------------------------------------

WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
OCCASION = (
    r"(?:call|meeting|stand-?up|standup|demo|workshop|webinar|session|presentation|pitch|review|training|"
    r"review|one-to-one|1:1|catch-?up|huddle|sync|all-hands|briefing|interview|chat|lunch)"
)
SITUATION = re.compile(
    rf"\b(?:(?:on|last|this|during|in|at|from)\s+(?:the\s+)?)?{WEEKDAY}(?:'s)?(?:\s+(?:[\w-]+\s+)?(?:morning|"
    rf"afternoon|evening|night|{OCCASION}))?\b|"
    rf"\b(?:(?:earlier\s+)?today|yesterday|this\s+(?:morning|afternoon|evening)|"
    rf"last\s+(?:night|week|month|time|year|quarter))(?:'s(?:\s+(?:[\w-]+\s+)?{OCCASION}\b)?)?|"
    r"\btonight\b|\bjust\s+now\b|"
    rf"\b(?:in|at|during)\s+the\s+last\s+{OCCASION}\b|\bthe\s+last\s+{OCCASION}\b|"
    rf"\b(?:on\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b|\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)

ACTION_VERBS = (
    "share|shared|sharing|screen|screen[- ]?share|screen[- ]?shared|interrupt|read|use|say|said|call|tell|told|"
    "laugh|send|sent|post|reply|forward|take|took|add|print|write|wrote|let|record|run|ran|hit|mute|book|forget|forgot|"
    "close|type|scroll|open|click|present|speak|spoke|talk|turn|start|join|leave|left|skip|move|put|show|"
    "explain|cut|miss|email|message|text|answer|keep|kept|stop|switch|paste|upload|download|delete|change|"
    "edit|draft|invite|cancel|schedule|reschedule|arrive|come|came|log|drop|ask|give|gave|make|made|do|"
    "check|leave|walk|hang|end|finish|lead|led|set|bring|brought|go|went|raise|pick|picked|ignore|copy|"
    "reply-all|cc|bcc|respond|handle|fix|tag|mention|pin|rename|save|store|print|sign|wait|refuse|push|"
    "prepare|plan|run|host|chair|facilitate|demo|spend|spent|stay|sit|sat|look|watch|listen|correct|"
    "repeat|rush|skip|work|worked|find|found|see|saw|hear|heard|stood|shut|threw|chose|drew|won|lost|broke|began|"
    "showed|shown"
)
NON_ACTIONS = _word_set(
    """
    are were is was be been being seem seemed seems look looked looks feel felt feels get got gets care cares
    know knew knows understand understood understands think thought thinks struggle struggled struggles
    need needed needs want wanted wants like liked likes love loved hate hated have has had can could should
    would will may might must did does do don't didn't doesn't won't wouldn't can't couldn't shouldn't
    """
)
EVALUATION = r"(?:great|well|good|fine|amazing|awesome|nicely|brilliantly|badly|poorly|ok|okay|a\s+great\s+job)"
ADVERBS = (
    r"(?:(?:always|never|constantly|just|again|also|then|still|often|sometimes|really|actually|accidentally|even|"
    r"all|usually|finally|first|immediately|quickly|clearly)\s+)*"
)
BEHAVIOR_PATTERNS = (
    re.compile(
        rf"(?<!\blike )(?<!\bfor )(?<!\bto )(?<!\bwith )(?<!\bat )(?<!\babout )(?<!\bthank )\b(?:you|u)\s+{ADVERBS}"
        r"(?P<verb>[a-z][\w'-]*)(?P<rest>[^.,;!?]*)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:did|didn't|did not|do|don't|does|doesn't)\s+(?:you|u)\s+{ADVERBS}"
        r"(?P<verb>[a-z][\w'-]*)(?P<rest>[^.,;!?]*)",
        re.IGNORECASE,
    ),
    re.compile(rf"\bthanks?(?:\s+you)?\s+for\s+{ADVERBS}(?P<verb>[a-z]+ing)\b(?P<rest>[^.,;!?]*)", re.I),
    # "you've sent", "you had shared", "you're always sharing": perfect and progressive forms.
    re.compile(
        rf"\b(?:you've|you\s+have|you'd|you\s+had|you're|you\s+are|you\s+were)\s+{ADVERBS}"
        r"(?P<verb>[a-z][\w'-]*(?:ed|ing)|sent|read|said|told|wrote|written|taken|took|left|kept|put|run|shown|"
        r"spoken|given|made|done|forgotten|hit|cut|set)\b(?P<rest>[^.,;!?]*)",
        re.IGNORECASE,
    ),
)
NEGATION = re.compile(r"^(?:didn't|did\s+not|don't|do\s+not|never|won't|wouldn't)$", re.IGNORECASE)
OBSERVABLE_STATE = re.compile(
    r"^(?:were|are|was)\s+(?:on\s+mute|muted|late|offline|on\s+your\s+phone|off\s+camera|not\s+on\s+camera|"
    r"away|absent|on\s+another\s+call)\b",
    re.IGNORECASE,
)
VAGUE_OBJECT = re.compile(r"^\s*(?:anything|something|everything|nothing|new\s+things|things)\b", re.IGNORECASE)

OTHERS = (
    r"(?:the\s+|our\s+|my\s+|your\s+|some\s+|remote\s+|other\s+|new\s+)*(?:client|clients|client\s+team|customer|"
    r"customers|team|group|room|audience|attendees|participants|directors?|managers?|colleagues?|interns?|people|"
    r"everyone|everybody|nobody|no\s+one|finance|hr|it|sales|marketing|legal|management|board|readers|viewers|"
    r"listeners|users|students|trainees|guests|stakeholders|partners|suppliers|recipients|members|"
    r"(?-i:[A-Z][a-z]+)(?=\s+(?:had|has|could|couldn't|was|got|started|stopped|left|asked|missed|lost|said|"
    r"turned|went|ended|needed|didn't|did\s+not))|"
    r"the\s+\d+\s+\w+|\d+\s+(?:people|attendees|colleagues|participants|customers|clients)|"
    r"(?:two|three|four|five|six|several|some|most|half\s+the)\s+(?:people|directors|colleagues|attendees|"
    r"participants|customers|clients|of\s+us|of\s+them|managers|members)|he|she|they)"
)
SO_ADVERB = (
    r"(?:fast|slow|slowly|quick|quickly|much|many|long|old|old-school|bad|badly|good|well|hard|easy|often|far|"
    r"little|few|early|late|loud|loudly|quiet|busy|rude|stubborn|lazy|sorry|happy|proud|glad|true|\w+ly)\b"
)
CONSEQUENCE = re.compile(
    r"\bso\s+(?:that\s+)?(?=(?:the|I|we|they|he|she|it|nobody|no\s+one|everyone|people|our|my|\d|two|three|four|"
    r"five|several|some|most)\b)[^.;!?]*|"
    rf"(?<=,)\s*so\s+(?!{SO_ADVERB})[^.;!?]*|"
    r"\b(?:which|that|this)\s+(?:meant|means|made|makes|saved|saves|cost|costs|helped|helps|left|caused|"
    r"led\s+to|confused|gave|let|cut|kept|stopped|allowed|forced|slowed|sped|delayed|distracted|annoyed|"
    r"embarrassed|worried|impressed|reassured)\b[^.;!?]*|"
    r"\bas\s+a\s+result\b[^.;!?]*|\bbecause\s+of\s+(?:that|this)\b[^.;!?]*",
    re.IGNORECASE,
)
FEELING = re.compile(
    r"\b(?:I|he|she|they|we)\s+(?:really\s+)?(?:felt|feel|was|were|am|got)\s+(?!sorry\b|wrong\b|going\b|going\b)"
    r"[^.;!?]*|"
    r"\b(?:I|we)\s+(?:could|couldn't|could\s+not|had\s+to|lost|ended\s+up|missed|wasted|saved|finished)\b[^.;!?]*|"
    r"\bmade\s+(?:me|us|them|him|her|the\s+\w+)\s+[^.;!?]*|"
    r"\b(?:it|that|this)\s+(?:really\s+)?(?:helped|helps|saved|saves|made|makes|cost|costs|meant|means|"
    r"confused|distracted)\b[^.;!?]*|"
    r"\b(?:it's|it\s+is|it\s+was|that's|that\s+was)\s+(?:\w+\s+){0,2}?(?:embarrassing|confusing|frustrating|"
    r"stressful|hard|difficult|distracting|helpful|useful)\s+for\s+[^.;!?]*",
    re.IGNORECASE,
)
OTHERS_REACTED = re.compile(
    rf"(?:^|[,.;!?]\s*|\band\s+|\bthen\s+|\bso\s+)(?P<who>{OTHERS})\s+(?:(?:could|couldn't|could\s+not|can|can't|"
    r"cannot|did|didn't|did\s+not|would|wouldn't|then|all|also|really|just|immediately|anyway|still|not|never|"
    r"actually|finally|even)\s+)*(?P<verb>[a-z][\w'-]*)[^.;!?]*",
    re.IGNORECASE,
)
REACTION_NON_IMPACT = _word_set(
    "think thinks thought says say believe believes believed is are was were like likes know knows "
    "your my the a an our their his her its this that who which and of in at on for with you"
)

JUDGMENTAL = re.compile(
    r"\b(?:dinosaurs?|boomers?|ok\s+boomer|at\s+your\s+age|old[- ]school|old[- ]fashioned|old\s+people|"
    r"your\s+generation|people\s+your\s+age|grand(?:pa|ma|dad|mother|father)s?|out\s+of\s+touch|clueless|lazy|"
    r"hopeless|stubborn|rude|technophobe|luddite|incompetent|idiot|senile|"
    r"behind\s+the\s+times|kids\s+these\s+days|too\s+young\s+to\s+understand|even\s+a\s+child|"
    r"even\s+(?:my|a)\s+(?:grand\w+|kid|kids|child|toddler|five-year-old))\b|"
    r"\byou(?:'re|\s+are)\s+(?:so\s+|really\s+|just\s+|such\s+|too\s+|a\s+bit\s+|very\s+)*(?:a\s+|an\s+)?"
    r"(?:slow|bad|awful|careless|disorganised|disorganized|arrogant|difficult|negative|closed-minded|"
    r"hopeless|lost|terrible|useless|stupid|dumb)\b|"
    r"\byou\s+(?:just\s+|really\s+|clearly\s+)?(?:don't|do\s+not)\s+(?:really\s+|even\s+)?(?:get\s+it|care|understand)\b|"
    r"\byou\s+never\s+learn\b",
    re.IGNORECASE,
)
ABSOLUTE = re.compile(
    r"\b(?:always|never|everyone|nobody|no\s+one|every\s+time|all\s+the\s+time|constantly|everything|nothing)\b",
    re.IGNORECASE,
)
VAGUE_PRAISE = re.compile(
    r"\b(?:great|good|nice|excellent|awesome|amazing|fantastic|brilliant|super|cool)\s+(?:job|work|stuff|effort)\b|"
    r"\bwell\s+done\b|^\s*(?:nice|great|awesome|amazing|perfect|good)\s*!*\s*$|"
    rf"\b(?:you|u)\s+did\s+{EVALUATION}\b|"
    r"\b(?:are|were|was|is)\s+(?:really\s+|very\s+|pretty\s+)?(?:good|great|fine|nice|ok|okay)\b(?=\s*[.!]*\s*$)",
    re.IGNORECASE,
)
CONDESCENDING = re.compile(
    r"\blet\s+me\s+explain\s+(?:this|it|that)?\s*(?:again\s+)?slowly\b|"
    r"\bit'?s\s+(?:really\s+|so\s+|very\s+|super\s+)?(?:easy|simple)\b|"
    r"\bit'?s\s+not\s+(?:that\s+|so\s+)?(?:hard|difficult|complicated)\b|\banyone\s+can\s+do\s+(?:it|this|that)\b|"
    r"\blet\s+me\s+do\s+it\s+for\s+you\b|\bobviously\b|\bnot\s+rocket\s+science\b|"
    r"\bjust(?=\s+(?:click|press|open|type|do|use|go|drag|tap|hit|select|scroll|log|follow)\b)",
    re.IGNORECASE,
)
HEDGES = re.compile(
    r"\bmaybe\s+I'm\s+wrong\b|\bI\s+(?:might|could|may)\s+be\s+wrong\b|\bmaybe\b|\bperhaps\b|\bpossibly\b|"
    r"\bsorry\b|\bkind\s+of\b|\bsort\s+of\b|\ba\s+little\s+bit\b|\bjust\s+a\s+thought\b|\bignore\s+me\b|"
    r"\bfeel\s+free\s+to\s+ignore\b|\bif\s+it's\s+(?:okay|ok|alright)\b|\bprobably\s+nothing\b|\bI\s+guess\b|"
    r"\bI'm\s+not\s+sure\b|\bno\s+offen[cs]e\b|\bif\s+you\s+don't\s+mind\b",
    re.IGNORECASE,
)
MIN_STACKED_HEDGES = 2

QUOTED = re.compile(r"\"[^\"]*\"|(?:(?<=\s)|^)'[^']*'(?=[\s.,;!?]|$)")
REPORTED_SPEECH = re.compile(
    r"\b(?:you|he|she|they|I|we)\s+(?:said|say|says|told\s+(?:me|us|him|her|them)|mentioned|wrote|claimed|"
    r"admitted|called\s+(?:it|the\s+\w+(?:\s+\w+)?))\s+(?:that\s+)?[^,;.!?]*",
    re.IGNORECASE,
)

_WHY_FLAG = {
    "judgmental": "labels the person or their age instead of describing what they did",
    "absolute": "is an absolute; it invites an argument about the exception instead of the behaviour",
    "vague": "is praise with nothing specific to repeat",
    "condescending": "talks down to the mentee",
    "hedging": "is one of several hedges that hide the message",
}


# --- public API -----------------------------------------------------------------------------------


def validate_line(line: str) -> str:
    if not line or not line.strip():
        raise ValueError("the feedback line is empty")
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"the feedback line is longer than {MAX_LINE_CHARS:,} characters")
    return line.strip()


def check_feedback(line: str, knowledge_dir: Path) -> FeedbackCheck:
    """Judge one feedback line against Situation-Behavior-Impact and flag phrasing that damages trust."""
    text = validate_line(line)
    norm = _normalise(text)
    protected = _protected_ranges(norm)
    situation = _first(SITUATION.finditer(norm), protected=[(s, e) for s, e, kind in protected if kind == "quote"])
    behavior = find_behavior(norm)
    impact = find_impact(norm, protected)
    flags = find_flags(text, norm, protected, behavior_met=behavior is not None)

    parts = {
        "situation": _part("situation", text, situation),
        "behavior": _part("behavior", text, behavior),
        "impact": _part("impact", text, impact),
    }
    rephrasings = _rephrase(text, parts, flags, situation, behavior, impact)
    sections = [SECTION_SBI]
    if any(flag.kind == "judgmental" for flag in flags):
        sections.append(SECTION_JUDGMENTAL)
    if any(flag.kind != "judgmental" for flag in flags):
        sections.append(SECTION_HABITS)
    citations = [guideline_citation(knowledge_dir, GUIDELINE, section) for section in sections]
    return FeedbackCheck(
        line=text,
        situation=parts["situation"],
        behavior=parts["behavior"],
        impact=parts["impact"],
        flags=flags,
        rephrasings=rephrasings,
        citations=citations,
    )


def summarize_rehearsal(lines: list[str], knowledge_dir: Path) -> dict[str, Any]:
    """How a whole rehearsal went: SBI coverage, flag counts, the best line, the weakest, and advice."""
    if not lines:
        raise ValueError("the rehearsal has no lines")
    checks = [check_feedback(line, knowledge_dir) for line in lines]
    count = len(checks)
    share = {part: round(sum(getattr(c, part).met for c in checks) / count, 3) for part in SBI}
    flag_counts = Counter(flag.kind for c in checks for flag in c.flags)
    ranked = sorted(range(count), key=lambda i: (checks[i].score(), -i))
    strongest, weakest = checks[ranked[-1]], checks[ranked[0]]
    advice = _advice(share, flag_counts, knowledge_dir)
    citations: list[dict[str, Any]] = []
    for item in advice:
        if item["citation"] not in citations:
            citations.append(item["citation"])
    return {
        "lines": count,
        "share_met": share,
        "flag_counts": {kind: flag_counts.get(kind, 0) for kind in FLAG_KINDS},
        "strongest": {"line": strongest.line, "score": strongest.score()},
        "needs_work": {
            "line": weakest.line,
            "score": weakest.score(),
            "rephrasing": weakest.rephrasings[0] if weakest.rephrasings else None,
        },
        "advice": [
            {"text": item["text"], "source": item["citation"]["source"], "section": item["citation"]["section"]}
            for item in advice
        ],
        "citations": [{k: c[k] for k in ("source", "section", "text")} for c in citations],
    }


# --- detection ------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Same length as the input, so match offsets index the original line."""
    return text.translate(_PLAIN_PUNCTUATION)


def _protected_ranges(text: str) -> list[tuple[int, int, str]]:
    """Quoted words and reported speech: what the mentee said, not the speaker's own phrasing."""
    ranges = [(m.start(), m.end(), "quote") for m in QUOTED.finditer(text)]
    ranges += [(m.start(), m.end(), "reported") for m in REPORTED_SPEECH.finditer(text)]
    return ranges


def _inside(start: int, end: int, ranges: list[tuple[int, int]] | list[tuple[int, int, str]]) -> bool:
    return any(r[0] <= start and end <= r[1] for r in ranges)


def _first(matches: Any, protected: list[tuple[int, int]]) -> tuple[int, int] | None:
    for match in matches:
        if not _inside(match.start(), match.end(), protected):
            return match.start(), match.end()
    return None


def find_behavior(text: str) -> tuple[int, int] | None:
    """The first observable action or words of the person ("you shared your screen with notifications on")."""
    for pattern in BEHAVIOR_PATTERNS:
        for match in pattern.finditer(text):
            verb = match.group("verb").lower()
            rest = match.group("rest")
            if pattern is BEHAVIOR_PATTERNS[2]:
                return match.start(), match.end()
            if pattern is BEHAVIOR_PATTERNS[3] and verb in ("being", "getting", "going", "used", "supposed"):
                continue
            if verb in ("were", "are", "was") and OBSERVABLE_STATE.match(f"{verb}{rest}"):
                return match.start(), match.end()
            if NEGATION.match(verb) or verb in ("not",):
                after = re.match(r"\s*(?:not\s+)?(?P<verb>[a-z][\w'-]*)(?P<rest>.*)", rest, re.IGNORECASE)
                if after is None:
                    continue
                verb, rest = after.group("verb").lower(), after.group("rest")
            if verb in NON_ACTIONS or verb.endswith("'re") or verb.endswith("'ve"):
                continue
            if not _is_action(verb) or VAGUE_OBJECT.match(rest):
                continue
            if re.match(rf"\s*{EVALUATION}\b", rest, re.IGNORECASE) and verb in ("did", "do", "does"):
                continue
            cut = re.search(r"\s+(?:and|but|because|which|while)\s+(?!you\b)", match.group("rest"))
            return match.start(), (match.start("rest") + cut.start()) if cut else match.end()
    return None


def _is_action(verb: str) -> bool:
    if re.fullmatch(rf"(?:{ACTION_VERBS})(?:s|es|ed|d|ing)?", verb):
        return True
    return len(verb) > 4 and verb.endswith("ed") and verb not in NON_ACTIONS


def find_impact(text: str, protected: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """The first stated effect on the speaker, others, clients or results."""
    quotes = [(s, e) for s, e, kind in protected if kind == "quote"]
    candidates = []
    for pattern in (CONSEQUENCE, FEELING):
        for match in pattern.finditer(text):
            if _is_hedge_feeling(match.group(0)) or _inside(match.start(), match.end(), quotes):
                continue
            candidates.append((match.start(), match.end()))
    for match in OTHERS_REACTED.finditer(text):
        if match.group("verb").lower() in REACTION_NON_IMPACT:
            continue
        if _inside(match.start("who"), match.end(), quotes):
            continue
        candidates.append((match.start("who"), match.end()))
    return min(candidates) if candidates else None


def _is_hedge_feeling(fragment: str) -> bool:
    return bool(re.match(r"I\s+(?:was|am)\s+(?:wrong|sorry|not\s+sure|wondering|thinking)\b", fragment, re.IGNORECASE))


def find_flags(text: str, norm: str, protected: list[tuple[int, int, str]], behavior_met: bool) -> list[Flag]:
    """Flags in line order; spans are exact substrings of the line."""
    spans = [(s, e) for s, e, _ in protected]
    flags: list[Flag] = []

    def add(kind: str, start: int, end: int) -> None:
        span = text[start:end]
        flags.append(Flag(kind=kind, span=span, why=f'"{span}" {_WHY_FLAG[kind]}.', start=start, end=end))

    for match in JUDGMENTAL.finditer(norm):
        if not _inside(match.start(), match.end(), spans):
            add("judgmental", match.start(), match.end())
    for match in ABSOLUTE.finditer(norm):
        if not _inside(match.start(), match.end(), spans):
            add("absolute", match.start(), match.end())
    if not behavior_met:
        for match in VAGUE_PRAISE.finditer(norm):
            start, end = match.start(), match.end()
            while start < end and norm[start].isspace():
                start += 1
            end = start + len(norm[start:end].rstrip(" !."))
            add("vague", start, end)
    for match in CONDESCENDING.finditer(norm):
        if not _inside(match.start(), match.end(), spans):
            add("condescending", match.start(), match.end())
    hedges = [m for m in HEDGES.finditer(norm) if not _inside(m.start(), m.end(), spans)]
    if len(hedges) >= MIN_STACKED_HEDGES:
        for match in hedges:
            add("hedging", match.start(), match.end())
    flags.sort(key=lambda f: f.start)
    return _without_overlaps(flags)


def _without_overlaps(flags: list[Flag]) -> list[Flag]:
    kept: list[Flag] = []
    for flag in flags:
        if any(flag.start < k.end and k.start < flag.end for k in kept):
            continue
        kept.append(flag)
    return kept


def _part(name: str, text: str, span: tuple[int, int] | None) -> Part:
    if span is None:
        missing = {
            "situation": "Situation: the line does not say when or where it happened (one meeting, call or day).",
            "behavior": "Behavior: the line does not describe anything the person did or said.",
            "impact": "Impact: the line does not say what effect it had on you, the team or the client.",
        }
        return Part(False, missing[name])
    quote = _shorten(text[span[0] : span[1]].strip(" ,;:"))
    met = {
        "situation": f'Situation: "{quote}" anchors the feedback in one occasion.',
        "behavior": f'Behavior: "{quote}" describes what the person did or said.',
        "impact": f'Impact: "{quote}" states the effect.',
    }
    return Part(True, met[name])


def _shorten(quote: str, max_words: int = 14) -> str:
    words = quote.split()
    return " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")


# --- rephrasing -----------------------------------------------------------------------------------


def _rephrase(
    text: str,
    parts: dict[str, Part],
    flags: list[Flag],
    situation: tuple[int, int] | None,
    behavior: tuple[int, int] | None,
    impact: tuple[int, int] | None,
) -> list[str]:
    """One rephrasing that keeps the message, without what was flagged, with placeholders for missing parts.

    Only flagged words change: labels and vague praise go (with their clause when it says nothing else),
    hedges and condescension are deleted, absolutes become statements about one occasion.
    """
    missing = [name for name in SBI if not parts[name].met]
    if not flags and not missing:
        return []
    kinds = {flag.kind for flag in flags}
    if "vague" in kinds and behavior is None:
        when = text[situation[0] : situation[1]].strip() if situation else f"in {WHEN}"
        effect = text[impact[0] : impact[1]].strip(" .!") if impact else EFFECT
        return [f"Thank you for {WHAT} {when}: {effect}."]
    anchors = [span for span in (situation, behavior, impact) if span is not None]
    body = _tidy(_edit_flagged(text, flags, anchors), hedged="hedging" in kinds)
    sentence = body
    if situation is None and WHEN not in sentence:
        sentence = f"In {WHEN}, {_lower_first(sentence)}" if sentence else f"In {WHEN},"
    if behavior is None:
        sentence = sentence.rstrip(".!? ")
        sentence = f"{sentence}: {WHAT}." if body else f"{sentence} {WHAT}."
    if impact is None:
        if sentence.endswith("?"):
            sentence = f"{sentence} The effect was {EFFECT}."
        else:
            sentence = sentence.rstrip(".!? ") + f", so {EFFECT}."
    elif not re.search(r"[.!?]$", sentence):
        sentence += "."
    sentence = re.sub(r"\s{2,}", " ", sentence).strip()
    sentence = sentence[:1].upper() + sentence[1:]
    praise = re.search(r"\b(?:thanks?|thank\s+you|great|nice|well\s+done|good)\b", text, re.IGNORECASE)
    critical = kinds & {"judgmental", "condescending"} or ("absolute" in kinds and not praise)
    if critical and not sentence.endswith("?"):
        sentence = f"{sentence} {FOLLOW_UP}"
    return [sentence]


def _lower_first(sentence: str) -> str:
    first = sentence.split(" ", 1)[0]
    if first in ("You", "Your", "When", "Nobody", "Few", "People", "Everyone", "The", "During", "Why", "Thanks"):
        return sentence[:1].lower() + sentence[1:]
    return sentence


CLAUSE_BREAK = re.compile(r"(?<=[.!?])\s+|,\s+|;\s+|\s+-\s+|\s+and\s+(?=you\b|your\b|I\b|we\b|the\b)", re.IGNORECASE)
ABSOLUTE_REWRITES = (
    (re.compile(r"^every\s+time\s+(?:we|you|I|they)\b[^,.;!?]*?\s+(?=you\b)", re.I), f"in {WHEN}, "),
    (re.compile(r"^every\s+time\s*", re.I), ""),
    (re.compile(r"^all\s+the\s+time\s*", re.I), ""),
    (re.compile(r"^(?:always|constantly)\s*", re.I), ""),
    (re.compile(r"^never\s+(?=[a-z]+\b)(?![a-z]+ed\b)", re.I), "didn't "),
    (re.compile(r"^never\b", re.I), "not"),
    (re.compile(r"^(?:nobody|no\s+one)\s+(\w+?)s\b", re.I), r"few people \1"),
    (re.compile(r"^(?:nobody|no\s+one)\b", re.I), "few people"),
    (re.compile(r"^(?:everyone)\s+(\w+?)s\b", re.I), r"people \1"),
    (re.compile(r"^everyone\b", re.I), "people"),
    (re.compile(r"^everything\b", re.I), "a lot"),
    (re.compile(r"^nothing\b", re.I), "not much"),
)


def _edit_flagged(text: str, flags: list[Flag], anchors: list[tuple[int, int]]) -> str:
    """Rewrite the line clause by clause, touching only flagged spans (never quoted or reported words)."""
    pieces: list[tuple[int, int, str]] = []
    cursor = 0
    for match in CLAUSE_BREAK.finditer(text):
        pieces.append((cursor, match.start(), match.group(0)))
        cursor = match.end()
    pieces.append((cursor, len(text), ""))
    out: list[list[str]] = []
    for start, end, separator in pieces:
        inside = [f for f in flags if start <= f.start < end]
        has_sbi = any(a < end and start < b for a, b in anchors)
        if any(f.kind in ("judgmental", "vague") for f in inside) and not has_sbi:
            if out:
                out[-1][1] = separator
            continue
        clause = text[start:end]
        for flag in sorted(inside, key=lambda f: -f.start):
            a, b = flag.start - start, flag.end - start
            if flag.kind == "absolute":
                for pattern, replacement in ABSOLUTE_REWRITES:
                    rewritten, count = pattern.subn(replacement, clause[a:], count=1)
                    if count:
                        clause = clause[:a] + rewritten
                        break
            else:
                clause = clause[:a] + clause[b:]
        if _is_filler(clause):
            if out:
                out[-1][1] = separator
            continue
        out.append([clause, separator])
    return "".join(clause + separator for clause, separator in out)


FILLERS = re.compile(
    r"^\s*(?:but\s+|and\s+|so\s+)?(?:let's\s+be\s+real|honestly|to\s+be\s+honest|frankly|seriously|"
    r"i'm|i\s+am|if\s+not|lol|typical(?:\s+\w+)?\s+move)?[\s,.;!?]*$",
    re.IGNORECASE,
)


def _is_filler(clause: str) -> bool:
    return bool(FILLERS.match(clause))


def _tidy(text: str, hedged: bool) -> str:
    text = re.sub(r"\.\.\.+\s*", " ", text)
    text = re.sub(r",?\s*\b(?:do|don't|did|didn't|are|aren't|is|isn't|can't|won't)\s+you\s*\?", ".", text, flags=re.I)
    text = re.sub(r"\b(?:honestly|frankly|to\s+be\s+honest),?\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^\s*(?:but|and|so)\s+", "", text, flags=re.IGNORECASE)
    if hedged:
        text = text.replace("?", ".")
    text = re.sub(r"\s+([,.;!?])", r"\1", text)
    text = re.sub(r"([,;])\s*([,.;!?])", r"\2", text)
    text = re.sub(r"^[\s,.;!?]+", "", text)
    text = re.sub(r"[\s,;]+$", "", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _advice(share: dict[str, float], flags: Counter[str], knowledge_dir: Path) -> list[dict[str, Any]]:
    def cite(section: str) -> dict[str, Any]:
        return guideline_citation(knowledge_dir, GUIDELINE, section)

    advice: list[dict[str, Any]] = []
    if flags.get("judgmental"):
        advice.append(
            {
                "text": "Replace labels and age remarks with what the person did: talk about the skill, not the age.",
                "citation": cite(SECTION_JUDGMENTAL),
            }
        )
    weakest = min(SBI, key=lambda part: share[part])
    if share[weakest] < 1.0:
        hint = {
            "situation": 'Name one occasion ("In Tuesday\'s team call") instead of "always" or "in meetings".',
            "behavior": "Describe what the person did or said, as a camera would record it.",
            "impact": 'Say what effect it had on you, the team or the client, with an "I" statement where you can.',
        }[weakest]
        advice.append({"text": hint, "citation": cite(SECTION_SBI)})
    other = [kind for kind in ("absolute", "vague", "condescending", "hedging") if flags.get(kind)]
    if len(advice) < 2 and other:
        advice.append(
            {
                "text": f"Watch for {', '.join(other)} phrasing: name the occasion, be specific and stay confident.",
                "citation": cite(SECTION_HABITS),
            }
        )
    if not advice:
        advice.append(
            {
                "text": "Every line had a situation, a behaviour and an impact; close with a question such as "
                '"How did it look from your side?"',
                "citation": cite(SECTION_SBI),
            }
        )
    return advice[:2]
