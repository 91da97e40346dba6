"""Critique one line of feedback with Situation-Behavior-Impact, flag risky phrasing, and suggest a rephrasing.

Situation, behaviour, impact and the judgmental and absolute flags are learned heads
(:mod:`assistant.judgments`) over the line's embedding and a few explainable features, trained on
``evals/datasets/judgments/feedback.jsonl`` by the rules in ``evals/LABELLING.md``. Each verdict
quotes the words of the feature that supports it. Vague praise and stacked hedges are advisory rule
flags (exact patterns); they do not change the SBI verdicts.

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

from assistant.judgments.features import FEEDBACK_FEATURES, QUOTED, plain
from assistant.judgments.model import Judge, Judgment, Match, shared_judge
from assistant.knowledge.chunking import split_sentences
from assistant.knowledge.sections import guideline_citation
from assistant.retrieval.embeddings import Embedder, get_embedder

MAX_LINE_CHARS = 2000
SBI = ("situation", "behavior", "impact")
FLAG_KINDS = ("judgmental", "absolute", "vague", "hedging")
GUIDELINE = "feedback-across-generations.md"
SECTION_SBI = "Situation-Behavior-Impact"
SECTION_JUDGMENTAL = "Avoiding judgmental and ageist phrasing"
SECTION_HABITS = "Avoiding absolutes, vague praise, condescension and over-hedging"

WHEN = "[when: the meeting or day]"
WHAT = "[what you saw or heard]"
EFFECT = "[the effect on you, the team or the client]"
FOLLOW_UP = "How did it look from your side?"

# The feature whose words a met part quotes, strongest first.
PART_EVIDENCE = {
    "situation": ("event_time",),
    "behavior": ("you_action", "quote"),
    "impact": ("impact", "feeling"),
}
FLAG_EVIDENCE = {"judgmental": ("judgmental_word", "condescending", "trait"), "absolute": ("absolute_word",)}


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
    is_feedback: bool = True  # False for a greeting, small talk, a question, an apology or a check-in

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


EVALUATION = r"(?:great|well|good|fine|amazing|awesome|nicely|brilliantly|badly|poorly|ok|okay|a\s+great\s+job)"
VAGUE_PRAISE = re.compile(
    r"\b(?:great|good|nice|excellent|awesome|amazing|fantastic|brilliant|super|cool)\s+(?:job|work|stuff|effort)\b|"
    r"\bwell\s+done\b|^\s*(?:nice|great|awesome|amazing|perfect|good)\s*!*\s*$|"
    rf"\b(?:you|u)\s+did\s+{EVALUATION}\b|"
    r"\b(?:are|were|was|is)\s+(?:really\s+|very\s+|pretty\s+)?(?:good|great|fine|nice|ok|okay)\b(?=\s*[.!]*\s*$)",
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
EVALUATES = re.compile(
    r"\b(?:could|should|needs?\s+to|might)\s+be\s+(?:a\s+(?:bit|little)\s+)?(?:better|clearer|shorter|improved|"
    r"tighter|more\s+\w+|less\s+\w+)\b|\bnot\s+(?:so\s+)?(?:great|good|ideal|clear)\b|"
    r"\btoo\s+(?:long|much|many|busy|fast|slow|quiet|loud)\b|\ba\s+bit\s+much\b|"
    r"\b(?:a\s+bit|kinda|kind\s+of|sort\s+of)\s+(?:flat|a\s+lot|meh|off|dull|messy|confusing|long|rushed)\b",
    re.IGNORECASE,
)  # criticism without any SBI part is still feedback (vague feedback), whatever the head says
CONVERSATIONAL = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|morning|good\s+(?:morning|afternoon|evening)|salam\w*|hallo|dear)\b"
    r"|\b(?:that'?s\s+(?:it|all|everything|my\s+(?:one\s+)?thing)|that\s+was\s+all|(?:i\s+)?finish\s+here|"
    r"this\s+is\s+what\s+i\s+wanted\s+to\s+say|"
    r"thanks?(?:\s+you)?\s+(?:again\s+)?for\s+(?:your\s+time|listening|hearing\s+me\s+out|making\s+time|meeting))\b",
    re.IGNORECASE,
)
"""A greeting or a closing; with a one-sentence question, the turns around feedback in a conversation."""
ASKS_LEAVE = re.compile(
    r"^\W*(?:(?:would|will)\s+it\s+be\s+ok(?:ay)?|is\s+it\s+ok(?:ay)?|(?:can|could|may)\s+i\s+(?:share|say|give|mention|"
    r"raise|tell\s+you)|do\s+you\s+mind\s+if)\b",
    re.IGNORECASE,
)
"""Asking leave to give feedback ("Would it be ok if I shared one observation?") is not the feedback itself."""
SMALL_TALK = re.compile(
    r"\b(?:weekend|holiday|vacation|how\s+are\s+you|how'?s\s+(?:it\s+going|your|the\s+family)|busy\s+(?:week|day)|"
    r"long\s+(?:day|night|week|shift)|coffee|tea\b|weather|congratulations|congrats|how\s+was\s+(?:your|the)|lunch|"
    r"traffic|commute|birthday|kids|family|congrat\w*|trip|hope\s+(?:you|the)|heard\s+(?:you|the|it)|saw\s+you|"
    r"did\s+the\s+[\w\s]{1,40}\s+(?:go|arrive)|how\s+did\s+[\w\s]{1,40}\s+go)\b",
    re.IGNORECASE,
)
"""Talk about the week, the family, the news: the turns before and after feedback in a conversation."""
ABOUT_YOU = re.compile(r"\b(?:you'?re|you\s+are|you\s+were|your|you'?ve|you\s+did|u\s+seem|you\s+seem)\b", re.I)


ABOUT_THE_PERSON = re.compile(
    r"\b(?:you'?re|you\s+are|you\s+were|you\s+did|u\s+seem|you\s+seem|you\s+always|you\s+never)\b", re.I
)
"""In a question, what makes it about the person ("Why are you always late?"), not about their week."""


def conversational_turn(text: str) -> bool:
    """A greeting, a closing or a one-sentence question that says nothing about the person ("How was audit
    week?", "Would it be ok if I shared one observation?"): the head alone read a third of these as feedback
    in the scripted rehearsals, and on the labelled lines' train and dev splits this rule flipped none."""
    if one_question(text) and not ABOUT_THE_PERSON.search(text):
        return True
    return bool(CONVERSATIONAL.search(text) or SMALL_TALK.search(text)) and not ABOUT_YOU.search(text)


def asks_leave(text: str) -> bool:
    return one_question(text) and bool(ASKS_LEAVE.search(text))


def one_question(text: str) -> bool:
    return text.rstrip().endswith("?") and len(split_sentences(text)) == 1


_WHY_FLAG = {
    "judgmental": "labels the person, their competence or their age instead of describing what they did",
    "absolute": "is an absolute; it invites an argument about the exception instead of the behaviour",
    "vague": "is praise with nothing specific to repeat",
    "hedging": "is one of several hedges that hide the message",
}


def feedback_judge(embedder: Embedder | None = None) -> Judge:
    """The SBI heads on the shared embedding model."""
    return shared_judge("feedback", FEEDBACK_FEATURES, embedder or get_embedder())


# --- public API -----------------------------------------------------------------------------------


def validate_line(line: str) -> str:
    if not line or not line.strip():
        raise ValueError("the feedback line is empty")
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"the feedback line is longer than {MAX_LINE_CHARS:,} characters")
    return line.strip()


def check_feedback(line: str, knowledge_dir: Path, embedder: Embedder | None = None) -> FeedbackCheck:
    """Judge one feedback line against Situation-Behavior-Impact and flag phrasing that damages trust."""
    text = validate_line(line)
    judgment = feedback_judge(embedder).judge(text)
    spans = {name: _evidence(judgment, name) for name in SBI}
    parts = {name: _part(name, text, judgment.verdicts[name].met, spans[name]) for name in SBI}
    flags = _flags(text, judgment, behavior_met=parts["behavior"].met)
    pointed = any(f.kind in ("judgmental", "absolute", "vague") for f in flags) or bool(EVALUATES.search(text))
    is_feedback = pointed or (
        judgment.verdicts["is_feedback"].met
        and not asks_leave(text)
        and not (conversational_turn(text) and not parts["behavior"].met)
    )
    if not is_feedback:  # a greeting, a question or an apology has no situation, behaviour or impact to score
        parts = {name: Part(False, NOT_FEEDBACK) for name in SBI}
    rephrasings = (
        _rephrase(text, parts, flags, spans["situation"], spans["behavior"], spans["impact"]) if is_feedback else []
    )
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
        is_feedback=is_feedback,
    )


NOT_FEEDBACK = (
    "This line is not feedback (a greeting, small talk, a question, an apology or a check-in), so there is "
    "nothing to score against Situation-Behavior-Impact."
)


def summarize_rehearsal(lines: list[str], knowledge_dir: Path) -> dict[str, Any]:
    """How a whole rehearsal went: SBI coverage, flag counts, the best line, the weakest, advice, and how the
    lines moved.

    Only lines that are feedback are scored (a greeting or a check-in is not a miss). Rephrasings are built
    from the mentor's own words: the weakest lines, with flagged words taken out and a missing situation or
    impact borrowed from another line of the same rehearsal; a line whose missing part nobody said is not
    rephrased (the advice says what to add), so no rephrasing carries a placeholder.
    """
    if not lines:
        raise ValueError("the rehearsal has no lines")
    every_check = [check_feedback(line, knowledge_dir) for line in lines]
    checks = [c for c in every_check if c.is_feedback] or every_check
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
    rephrasings = _rephrase_from_rehearsal([checks[i] for i in ranked], knowledge_dir)
    return {
        "lines": count,
        "share_met": share,
        "went_well": _went_well(checks, share, flag_counts),
        "missed": [
            {"part": part, "lines": sum(not getattr(c, part).met for c in checks)} for part in SBI if share[part] < 1
        ],
        "rephrasings": rephrasings,
        "flag_counts": {kind: flag_counts.get(kind, 0) for kind in FLAG_KINDS},
        "strongest": {"line": strongest.line, "score": strongest.score()},
        "needs_work": {
            "line": weakest.line,
            "score": weakest.score(),
            "rephrasing": rephrasings[0] if rephrasings and weakest.score() < strongest.score() else None,
        },
        "progress": _progress(every_check),
        "advice": [
            {"text": item["text"], "source": item["citation"]["source"], "section": item["citation"]["section"]}
            for item in advice
        ],
        "citations": [{k: c[k] for k in ("source", "section", "text")} for c in citations],
    }


def _rephrase_from_rehearsal(ranked: list[FeedbackCheck], knowledge_dir: Path, limit: int = 2) -> list[str]:
    """Up to ``limit`` rephrasings of the weakest lines, each part in the mentor's own words."""
    donors: dict[str, str] = {}
    for check in ranked[::-1]:  # the strongest line's words first
        judgment = feedback_judge().judge(check.line)
        for part in ("situation", "impact"):
            span = _evidence(judgment, part) if getattr(check, part).met else None
            if span and part not in donors:
                donors[part] = check.line[span[0] : span[1]].strip(" ,.;")
    rephrasings: list[str] = []
    for check in ranked:
        missing = [part for part in SBI if not getattr(check, part).met]
        if not check.flags and not missing:
            continue
        if "behavior" in missing or any(part not in donors for part in missing):
            continue  # what the person did is the mentor's to say; nothing to borrow
        judgment = feedback_judge().judge(check.line)
        spans = [_evidence(judgment, part) for part in SBI if getattr(check, part).met]
        body = _tidy(
            _edit_flagged(check.line, check.flags, [s for s in spans if s]), "hedging" in {f.kind for f in check.flags}
        )
        sentence = body.rstrip(".!? ")
        if not sentence:
            continue
        if "situation" in missing:
            situation = donors["situation"]
            sentence = f"{situation[:1].upper()}{situation[1:]}, {_lower_first(sentence)}"
        if "impact" in missing:
            sentence = f"{sentence}, and {_lower_first(donors['impact'])}"
        sentence = re.sub(r"\s{2,}", " ", sentence).strip()
        sentence = sentence[:1].upper() + sentence[1:] + "."
        if PLACEHOLDER_TEXT.search(sentence) or sentence in rephrasings:
            continue
        rephrasings.append(sentence)
        if len(rephrasings) == limit:
            break
    return rephrasings


PLACEHOLDER_TEXT = re.compile(r"\[[^\]]{2,60}\]")


def _progress(checks: list[FeedbackCheck]) -> list[dict[str, Any]]:
    """Each line of the rehearsal in order: whether it was feedback, the SBI parts it named and its flags."""
    return [
        {
            "line": number,
            "feedback": check.is_feedback,
            "parts": [part for part in SBI if getattr(check, part).met],
            "flags": sorted({flag.kind for flag in check.flags}),
        }
        for number, check in enumerate(checks, 1)
    ]


def _went_well(checks: list[FeedbackCheck], share: dict[str, float], flags: Counter[str]) -> list[str]:
    """What to keep doing: parts present in every line, no harsh words, a line with all three parts."""
    names = {"situation": "the situation", "behavior": "the behaviour", "impact": "the impact"}
    every = [names[part] for part in SBI if share[part] == 1]
    kept = [f"You named {' and '.join(every)} in every line." if every else ""]
    if not any(flags.get(kind) for kind in ("judgmental", "absolute", "condescending")):
        kept.append("No labels, absolutes or condescending words: you kept to facts.")
    full = next((c.line for c in checks if all(getattr(c, part).met for part in SBI) and not c.flags), None)
    if full and len(every) < len(SBI):
        kept.append(f'This line named the situation, the behaviour and its impact: "{_shorten(full, 40)}"')
    elif not full and (best := max(checks, key=lambda c: c.score(), default=None)) and best.score() > 0:
        named = [names[part] for part in SBI if getattr(best, part).met]
        kept.append(f'Your clearest line named {" and ".join(named)}: "{_shorten(best.line, 40)}"')
    return [item for item in kept if item] or ["You kept practising; each try makes the real conversation easier."]


# --- verdicts and their evidence ------------------------------------------------------------------


def _evidence(judgment: Judgment, part: str) -> tuple[int, int] | None:
    """The span a met part quotes; a part the model finds met with no feature quotes the whole line."""
    if not judgment.verdicts[part].met:
        return None
    match = judgment.first(PART_EVIDENCE[part])
    if match is None:
        return None
    return match.start, _clause_end(judgment.text, match.end) if part != "situation" else match.end


def _clause_end(text: str, end: int, max_words: int = 12) -> int:
    """Extend a quote to the end of its clause ("you shared" -> "you shared your screen with notifications on")."""
    rest = re.match(r"[^,;.!?\n]*?(?=\s+(?:and|but|so|which|because|while)\b|[,;.!?\n]|$)", text[end:])
    words = rest.group().split() if rest else []
    return end + len(rest.group()) if rest and len(words) <= max_words else end


def _flags(text: str, judgment: Judgment, behavior_met: bool) -> list[Flag]:
    """Learned flags (judgmental, absolute) and advisory rule flags (vague praise, stacked hedges), in line order."""
    view = plain(text)
    flags: list[Flag] = []

    def add(kind: str, start: int, end: int) -> None:
        span = text[start:end]
        flags.append(Flag(kind=kind, span=span, why=f'"{span}" {_WHY_FLAG[kind]}.', start=start, end=end))

    for kind, features in FLAG_EVIDENCE.items():
        if not judgment.verdicts[kind].met:
            continue
        matches = [m for feature in features for m in judgment.fired(feature)][:3] or [Match(kind, 0, len(text))]
        for match in matches:
            add(kind, match.start, match.end)
    if not behavior_met:
        for found in VAGUE_PRAISE.finditer(view):
            start, end = found.start(), found.end()
            while start < end and view[start].isspace():
                start += 1
            add("vague", start, start + len(view[start:end].rstrip(" !.")))
    quoted = [m.span() for m in QUOTED.finditer(view)]
    hedges = [m for m in HEDGES.finditer(view) if not any(s <= m.start() and m.end() <= e for s, e in quoted)]
    if len(hedges) >= MIN_STACKED_HEDGES:
        for found in hedges:
            add("hedging", found.start(), found.end())
    flags.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Flag] = []
    for flag in flags:
        if not any(flag.start < k.end and k.start < flag.end for k in kept):
            kept.append(flag)
    return kept


def _part(name: str, text: str, met: bool, span: tuple[int, int] | None) -> Part:
    if met and span is None:
        return Part(True, f"{name.capitalize()}: the line as a whole reads as stating it.")
    if span is None:
        missing_why = {
            "situation": "Situation: the line does not say when or where it happened (one meeting, call or day).",
            "behavior": "Behavior: the line does not describe anything the person did or said.",
            "impact": "Impact: the line does not say what effect it had on you, the team or the client.",
        }
        return Part(False, missing_why[name])
    quote = _shorten(text[span[0] : span[1]].strip(" ,;:"))
    met_why = {
        "situation": f'Situation: "{quote}" anchors the feedback in one occasion.',
        "behavior": f'Behavior: "{quote}" describes what the person did or said.',
        "impact": f'Impact: "{quote}" states the effect.',
    }
    return Part(True, met_why[name])


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
