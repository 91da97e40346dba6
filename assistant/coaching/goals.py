"""Check a development-goal draft against SMART, offline, and suggest what the mentee still has to decide.

Each criterion is a learned head (:mod:`assistant.judgments`) over the draft's embedding and a few
explainable features, trained on ``evals/datasets/judgments/goals.jsonl`` by the rules in
``evals/LABELLING.md``. The "why" quotes the words of the feature that supports the verdict, so the
mentee sees what in the draft counted.

The suggestion never invents facts: it keeps the draft, takes out only over-ambitious words, and marks
everything only the mentee can decide with bracketed placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.judgments.features import GOAL_FEATURES
from assistant.judgments.model import Judge, Judgment, Match, shared_judge
from assistant.knowledge.sections import guideline_citation
from assistant.retrieval.embeddings import Embedder, get_embedder
from assistant.text import word_set

MAX_DRAFT_CHARS = 2000
CRITERIA = ("specific", "measurable", "achievable", "relevant", "time_bound")
QUESTION_ORDER = ("specific", "measurable", "time_bound", "relevant", "achievable")
MAX_QUESTIONS = 3
GUIDELINE = "development-goals.md"
LABELS = {
    "specific": "Specific",
    "measurable": "Measurable",
    "achievable": "Achievable",
    "relevant": "Relevant",
    "time_bound": "Time-bound",
}

TARGET_DATE = "[target date]"
HOW_MEASURED = "[how you will measure it]"
WHICH_TASK = "[which tool or task]"
WHY_IT_MATTERS = "[why it matters for your work]"
PLACEHOLDER = re.compile(r"\[[A-Za-z][^\[\]]{1,60}\]")  # what the suggested draft leaves to the mentee
REALISTIC_LEVEL = "[a realistic level]"

# Features whose words explain a verdict: (when met, when not met), strongest first.
EVIDENCE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "specific": (("named_tool", "action_verb", "proper_noun"), ("generic_tech",)),
    "measurable": (("count", "percent", "deliverable", "completion", "frequency"), ("vague_measure", "learning_verb")),
    "achievable": ((), ("over_ambition", "big_number", "short_period")),
    "relevant": (("work_link", "digital_topic", "named_tool", "purpose"), ("hobby", "personal")),
    "time_bound": (("time_frame",), ("vague_time", "frequency")),
}
NOT_MET = {
    "specific": "the draft does not name a concrete tool, platform or behaviour",
    "measurable": "there is no count, deliverable or completed action someone could check",
    "achievable": "the draft asks for more than a busy colleague can do in the time it gives",
    "relevant": "the goal does not connect to work or to the program's digital topics",
    "time_bound": "there is no deadline or time frame (a repeating schedule alone has none)",
}
MET_WITHOUT_EVIDENCE = {
    "achievable": "nothing in the draft sets an unrealistic standard, scope or volume",
}


@dataclass(frozen=True)
class Criterion:
    met: bool
    why: str


@dataclass(frozen=True)
class GoalCheck:
    criteria: dict[str, Criterion]
    questions: list[str]
    suggestion: str
    citations: list[dict[str, Any]]

    def as_contract(self) -> dict[str, Any]:
        return {
            "criteria": {name: {"met": c.met, "why": c.why} for name, c in self.criteria.items()},
            "questions": list(self.questions),
            "suggestion": self.suggestion,
            "citations": [{k: c[k] for k in ("source", "section", "text")} for c in self.citations],
        }


def goal_judge(embedder: Embedder | None = None) -> Judge:
    """The SMART heads on the shared embedding model."""
    return shared_judge("goals", GOAL_FEATURES, embedder or get_embedder())


# --- public API -----------------------------------------------------------------------------------


def validate_draft(draft: str) -> str:
    """The stripped draft, or ``ValueError`` with a one-line reason.

    Language check (cheap and honest, not a language identifier): at least 90% of the letters must be
    ASCII, and the draft must not use more common function words of German, French, Spanish, Dutch,
    Italian or Portuguese than of English; a draft of eight or more words must contain at least one
    English function word. Short English drafts such as "Learn AI." pass; so may a short draft in another
    language written without accents.
    """
    if not draft or not draft.strip():
        raise ValueError("the goal draft is empty")
    if len(draft) > MAX_DRAFT_CHARS:
        raise ValueError(f"the goal draft is longer than {MAX_DRAFT_CHARS:,} characters")
    text = draft.strip()
    if not is_probably_english(text):
        raise ValueError("the goal draft does not look like English; Tandem checks goals written in English")
    return text


def is_probably_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    ascii_share = sum(ch.isascii() for ch in letters) / len(letters)
    if ascii_share < 0.9:
        return False
    words = [w.lower() for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)]
    english = sum(w in ENGLISH_FUNCTION_WORDS for w in words)
    foreign = sum(w in FOREIGN_FUNCTION_WORDS for w in words)
    if foreign > english:
        return False
    return not (len(words) >= 8 and english == 0)


def check_goal(draft: str, knowledge_dir: Path, embedder: Embedder | None = None) -> GoalCheck:
    """Judge a goal draft against each SMART criterion, ask about what is missing and suggest a better draft."""
    text = validate_draft(draft)
    judgment = goal_judge(embedder).judge(text)
    criteria = {name: _criterion(name, text, judgment) for name in CRITERIA}
    missing = [name for name in QUESTION_ORDER if not criteria[name].met]
    questions = [_question(name, text, judgment) for name in missing][:MAX_QUESTIONS]
    suggestion = _suggest(text, criteria, judgment)
    citations = [guideline_citation(knowledge_dir, GUIDELINE, "The SMART goal framework")]
    if missing:
        citations.append(guideline_citation(knowledge_dir, GUIDELINE, "Weak and strong goal examples"))
    return GoalCheck(criteria=criteria, questions=questions, suggestion=suggestion, citations=citations)


# --- explanations ---------------------------------------------------------------------------------


def _reason(feature: str) -> str:
    return next(f.reason for f in GOAL_FEATURES if f.name == feature)


def _criterion(name: str, text: str, judgment: Judgment) -> Criterion:
    verdict = judgment.verdicts[name]
    supporting, opposing = EVIDENCE[name]
    if verdict.met:
        match = judgment.first(supporting)
        if match is not None:
            return Criterion(True, f'"{_quote(text, match)}" {_reason(match.feature)}.')
        because = MET_WITHOUT_EVIDENCE.get(name, "the draft as a whole reads as meeting it")
        return Criterion(True, f"{because[:1].upper()}{because[1:]}.")
    match = judgment.first(opposing)
    if match is not None:
        return Criterion(False, f'"{_quote(text, match)}" {_reason(match.feature)}; {NOT_MET[name]}.')
    return Criterion(False, f"{NOT_MET[name][:1].upper()}{NOT_MET[name][1:]}.")


def _quote(text: str, match: Match, max_words: int = 14) -> str:
    words = text[match.start : match.end].split()
    return " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")


# --- questions and suggestion ---------------------------------------------------------------------


def _question(name: str, text: str, judgment: Judgment) -> str:
    if name == "specific":
        return "Which tool or task exactly will you work on, and what will you use it for?"
    if name == "measurable":
        return "How will you and your mentor know it is done: what will you produce, how many, or how often?"
    if name == "time_bound":
        return "By when do you want to reach this goal, for example a date before your closing session?"
    if name == "relevant":
        return "Why does this goal matter for your work or your team?"
    over = judgment.first(EVIDENCE["achievable"][1])
    trigger = _quote(text, over, 8) if over else "this"
    return f'Is "{trigger}" realistic in the time you have, or what would a good first step look like?'


def _suggest(text: str, criteria: dict[str, Criterion], judgment: Judgment) -> str:
    """The mentee's draft with over-ambitious words taken out and placeholders for what is missing.

    Placeholders go before a purpose clause ("..., by [target date], so I can ...") so the draft still reads
    as one sentence; a draft of several sentences gets one short labelled sentence per missing part.
    """
    draft = text if criteria["achievable"].met else _tone_down(text, judgment.fired("over_ambition"))
    body = re.sub(r"\s{2,}", " ", draft).strip().rstrip(" .!?;,")
    missing = {name for name in CRITERIA if not criteria[name].met}
    if not missing - {"achievable"}:
        return _capitalise(body + ".")
    if len(re.findall(r"[.!?](?:\s|$)", body + ".")) > 1 or "\n" in body:
        labelled = {
            "specific": f"Tool or task: {WHICH_TASK}.",
            "measurable": f"Measure: {HOW_MEASURED}.",
            "time_bound": f"Deadline: {TARGET_DATE}.",
            "relevant": f"Why it matters: {WHY_IT_MATTERS}.",
        }
        if WHICH_TASK in body:
            labelled.pop("specific")
        return _capitalise(" ".join([f"{body}.", *(v for k, v in labelled.items() if k in missing)]))
    inserts = []
    if "specific" in missing and WHICH_TASK not in body:
        inserts.append(f"specifically {WHICH_TASK}")
    if "measurable" in missing:
        inserts.append(f"measured by {HOW_MEASURED}")
    if "time_bound" in missing:
        inserts.append(f"{'until' if judgment.fired('frequency') else 'by'} {TARGET_DATE}")
    sentence = body
    if inserts:
        purpose = next((m for m in judgment.fired("purpose") if m.start < len(body)), None)
        if purpose is not None and purpose.start > 0:
            head, tail = body[: purpose.start].rstrip(" ,"), body[purpose.start :].lstrip(" ,")
            sentence = f"{head}, {', '.join(inserts)}, {tail}"
        else:
            sentence = f"{body}, {', '.join(inserts)}"
    if "relevant" in missing:
        sentence += f", because {WHY_IT_MATTERS}"
    return _capitalise(sentence + ".")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tone_down(text: str, spans: list[Match]) -> str:
    """Replace absolute standards and unbounded scopes with a placeholder the mentee fills in."""
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor:
            continue
        pieces.append(text[cursor : span.start])
        fragment = text[span.start : span.end]
        if re.fullmatch(r"(?:perfectly|completely|flawlessly|fluently)", fragment, re.IGNORECASE):
            replacement = ""
        elif re.match(r"(?:every|all|any|absolutely|everything)\b", fragment, re.IGNORECASE):
            replacement = WHICH_TASK
        else:
            replacement = REALISTIC_LEVEL
        if replacement[:1].lower() in "aeiou[" and pieces and re.search(r"\ban?\s+$", pieces[-1]):
            pieces[-1] = re.sub(r"\ban?(\s+)$", r"a\1", pieces[-1])
        pieces.append(replacement)
        cursor = span.end
    pieces.append(text[cursor:])
    toned = "".join(pieces)
    toned = re.sub(r"\s+([,.;!?])", r"\1", toned)
    toned = re.sub(r",\s*([.!?]|$)", r"\1", toned)
    return re.sub(r"\s{2,}", " ", toned).strip()


ENGLISH_FUNCTION_WORDS = word_set(
    """
    the a an and or but to of in on at for with by from about as is are be was were will would can could
    should i we you my our your it this that these those so if not do does did have has had me us them
    they he she his her their its than then there here what which who when where how all any each every
    more most some no up out into over after before until within just also only very
    """
)
FOREIGN_FUNCTION_WORDS = word_set(
    """
    der das und ist nicht ich ein eine einen mit für auf den dem des zu bis mein meine wir sie
    le les et est une pour dans avec je ne pas du au aux sur mon ma mes nous vous
    el los las y es una para por con que del lo mi mis nosotros como pero
    het een van ik niet zijn voor
    il di che per non sono gli della
    um uma não com meu minha
    """
)


# --- saved goals -----------------------------------------------------------------------------------

MAX_SAVED_GOAL_CHARS = 2000


def saved_goal_text(text: str) -> str:
    """A goal's wording as saved: cleaned, one line, no [bracketed] placeholder left (ValueError otherwise)."""
    from assistant.text import clean_text

    cleaned = " ".join(clean_text(text).split())
    if not cleaned:
        raise ValueError("the goal text must not be empty")
    if len(cleaned) > MAX_SAVED_GOAL_CHARS:
        raise ValueError(f"the goal text is longer than {MAX_SAVED_GOAL_CHARS:,} characters")
    if PLACEHOLDER.search(cleaned):
        raise ValueError("replace the [bracketed] placeholders with your own words before saving the goal")
    return cleaned


def saved_goal_fields(
    text: str, knowledge_dir: Path, *, today: date, target_date: date | None = None, current: date | None = None
) -> dict[str, Any]:
    """What a goal saved or reworded stores: its text, its SMART criteria, and a target date: the one
    given, else the one it already has, else the date its own words set ("By 31 March I will ...").
    The API's routes and ``tandem goals add|update`` both call this, so they cannot drift apart."""
    from assistant.coaching.dates import find_target_date

    wording = saved_goal_text(text)
    return {
        "text": wording,
        "criteria": check_goal(wording, knowledge_dir).as_contract()["criteria"],
        "target_date": target_date or current or find_target_date(wording, today),
    }
