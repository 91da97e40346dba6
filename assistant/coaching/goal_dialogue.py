"""The goal coach as a conversation: each message is a new draft, an answer to the question just asked,
or a request about the draft, and the coach keeps the goal's parts between turns.

One question at a time, about the first SMART criterion the draft still misses; the draft is rewritten
from the mentee's own words (:mod:`assistant.coaching.goal_parts`) and checked by the SMART heads, whose
verdicts the reply names once, without scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.coaching.goal_parts import (
    DATE_PLACEHOLDER,
    MEASURE,
    MEASURE_PLACEHOLDER,
    NUMBER_PATTERN,
    PART_LABELS,
    PART_OF_CRITERION,
    PURPOSE_PLACEHOLDER,
    TASK_PLACEHOLDER,
    TOOL,
    GoalParts,
    clean_fragment,
    compose,
    details_of,
    is_action,
    merge,
    named_tool,
    task_phrase,
    tool_name,
)
from assistant.coaching.goals import CRITERIA, LABELS, QUESTION_ORDER, GoalCheck, check_goal

Intent = Literal["draft", "answer", "rewrite", "shorten", "explain", "change", "thanks"]
REQUESTS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        "explain",
        re.compile(
            r"\bwhat'?s\s+(?:still\s+)?(?:wrong|missing|the problem)|\bwhat\s+is\s+(?:wrong|missing)|"
            r"\bwhy\s+(?:is|isn'?t|not|does|"
            r"doesn'?t)\b|\bwhich\s+(?:part|criteri\w*|bit)\b|\bis\s+(?:it|this|that|my goal)\s+(?:good|ok|okay|smart|"
            r"enough|fine|any good|alright)|\bhow\s+(?:is|does)\s+(?:it|this|that)\s+look|\bwhat\s+do\s+you\s+think|"
            r"\bgood\s+enough\b|\bexplain\b|\b(?:is|are)\s+missing\b|\bmissing\s*\?|\bwhich\s+element\b",
            re.I,
        ),
    ),
    (
        "shorten",
        re.compile(r"\b(?:shorter|shorten|trim|too\s+long|cut\s+it\s+down|more\s+concise|condense|simpler)\b", re.I),
    ),
    (
        "rewrite",
        re.compile(
            r"\b(?:rewrite|re-write|rephrase|reword|polish|redo)\b|\bimprove\s+(?:it|this|that|my|the)\b|"
            r"\bmake\s+(?:it\s+)?(?:better|stronger|smart\w*|nicer|sound\s+better)\b|\bwrite\s+(?:it\s+)?better\b|\bfix\s+(?:it|this|that)\b|\bbetter\s+version\b|"
            r"\b(?:write|word|phrase)\s+it\b|\bhelp\s+me\s+(?:word|write|phrase)\b",
            re.I,
        ),
    ),
    (
        "change",
        re.compile(
            r"^\W*(?:no\b[\s,.]*|actually\b[\s,.]*|wait\b[\s,.]*)*(?:change|make\s+it|switch|replace|move|push|"
            r"set|put|let'?s\s+(?:do|make|say|go\s+with))\b|\binstead\s+of\b|\binstead\b",
            re.I,
        ),
    ),
)
SCALING_DOWN = re.compile(
    r"(?i)\b(?:not\s+realistic|unrealistic|too\s+(?:much|ambitious|big)|that'?s\s+a\s+lot|fair\s+(?:point|enough)|"
    r"let'?s\s+start\s+with|start\s+(?:small|with)|just\s+one)\b"
)
"""An answer that narrows an over-ambitious draft to one tool: the tool's use replaces the draft's action."""
THANKS = re.compile(
    r"^\W*(?:thanks?|thank\s+you|thx|cheers|ok(?:ay)?|great|perfect|looks\s+good|sounds\s+good|cool|nice|"
    r"that'?s\s+(?:it|great|perfect|good))\b[^?]{0,40}$",
    re.I,
)
ANSWER_START = re.compile(
    r"^\W*(?:yes|yeah|yep|no|nope|maybe|probably|mostly|i\s+think|i\s+guess|for|because|so\s+that|by|before|"
    r"within|in\s+\d|with|using|about|around|at\s+least|it'?s|that\s+would|ideally|end\s+of|\d)",
    re.I,
)
QUESTIONS = {
    "specific": "Which tool or task exactly will you work on? For example the programme, the report or the post.",
    "measurable": "How will you and your mentor know it is done: how many, or what will you produce?",
    "time_bound": "By when do you want to reach it? A date or a month works, or a number of weeks.",
    "relevant": "What work is it for: which task, report or part of your job will it help with?",
    "achievable": "Is that realistic alongside your job in the time you have? What would a good first step be?",
}
CRITERION_OF_PART = {part: criterion for criterion, part in PART_OF_CRITERION.items()}
PLACEHOLDER_OF = {
    "task": TASK_PLACEHOLDER,
    "measure": MEASURE_PLACEHOLDER,
    "deadline": DATE_PLACEHOLDER,
    "purpose": PURPOSE_PLACEHOLDER,
}


@dataclass
class GoalConversation:
    """The goal coach's state between turns, stored with the conversation."""

    parts: GoalParts = field(default_factory=GoalParts)
    asked: str = ""  # the criterion the last reply asked about
    answered: list[str] = field(default_factory=list)  # criteria the mentee has answered in this conversation

    def to_dict(self) -> dict[str, Any]:
        return {"goal": {"parts": self.parts.to_dict(), "asked": self.asked, "answered": list(self.answered)}}

    @classmethod
    def from_dict(cls, state: dict[str, Any] | None) -> GoalConversation:
        data = (state or {}).get("goal") or {}
        if not isinstance(data, dict):
            return cls()
        answered = [str(a) for a in data.get("answered", []) if a in CRITERIA]
        asked = str(data.get("asked", "")) if data.get("asked") in CRITERIA else ""
        return cls(GoalParts.from_dict(data.get("parts")), asked, answered)


@dataclass(frozen=True)
class GoalTurn:
    """One coach reply: what the message was read as, the draft now, its SMART check and what to ask next."""

    intent: Intent
    draft: str  # the goal with placeholders for the parts still unknown
    check: GoalCheck | None  # the SMART check of the draft without placeholders
    question: str | None
    missing: list[str]  # criteria not met
    unknown: list[str]  # parts shown as placeholders
    note: str = ""
    state: GoalConversation = field(default_factory=GoalConversation)

    def as_data(self) -> dict[str, Any]:
        check = self.check.as_contract() if self.check else {"criteria": {}, "questions": [], "citations": []}
        check["questions"] = [self.question] if self.question else []
        check["suggestion"] = self.draft
        check["suggestion_source"] = "offline"
        return {
            "goal_check": check,
            "intent": self.intent,
            "missing": list(self.missing),
            "unknown": [PART_LABELS[p] for p in self.unknown],
            "target_date": self.state.parts.target_date or None,
        }


def read_intent(message: str, conversation: GoalConversation) -> Intent:
    """What the mentee's message does: a request about the draft, thanks, an answer or a new draft."""
    text = " ".join(message.split())
    has_draft = bool(conversation.parts.action)
    if not has_draft:
        return "draft"
    for intent, pattern in REQUESTS:
        if pattern.search(text):
            if intent == "change" and details_of(text, _today()).empty and not TOOL.search(text):
                continue  # "let's do it" changes nothing
            return intent
    if THANKS.match(text) and len(text.split()) <= 8:
        return "thanks"
    words = len(text.split())
    if words >= 6 and is_action(text) and not ANSWER_START.match(text) and _new_subject(text, conversation):
        return "draft"
    return "answer"


def _new_subject(text: str, conversation: GoalConversation) -> bool:
    """Whether an action sentence restarts the goal rather than adding the part just asked about."""
    if conversation.asked == "measurable" and MEASURE.search(text) and len(text.split()) <= 12:
        return False  # "I'll build 3 reports myself" answers "how many?"
    tool = named_tool(text)
    old = f"{conversation.parts.action} {conversation.parts.task}".lower()
    return bool(tool) and (tool.lower() not in old or len(text.split()) >= len(conversation.parts.action.split()))


def coach_turn(message: str, state: dict[str, Any] | None, knowledge_dir: Path, today: date | None = None) -> GoalTurn:
    """Read one message against the conversation so far and reply as the goal coach."""
    day = today or _today()
    conversation = GoalConversation.from_dict(state)
    parts = conversation.parts
    intent = read_intent(message, conversation)
    text = " ".join(message.split())
    note = ""
    if intent == "draft":
        found = details_of(text, day)
        kept = _carried_over(parts, text)
        parts = GoalParts(action=_without_deadline(text, found.deadline), measure=found.measure, purpose=found.purpose)
        for name in ("measure", "purpose", "deadline", "target_date"):
            if not getattr(parts, name) and kept.get(name):
                setattr(parts, name, kept[name])
        if found.deadline:
            parts.deadline, parts.target_date = found.deadline, found.target_date
        conversation = GoalConversation(parts=parts)
    elif intent == "answer":
        found = details_of(text, day, parts.action)
        asked_part = PART_OF_CRITERION.get(conversation.asked)
        changed = merge(parts, found, asked_part)
        conversation.answered = sorted({*conversation.answered, *(CRITERION_OF_PART[c] for c in changed)})
        if conversation.asked == "achievable" or (SCALING_DOWN.search(text) and found.tool):
            conversation.answered = sorted({*conversation.answered, "achievable"})
            if found.rest and is_action(found.rest):
                parts.action = found.rest
            elif found.tool and found.tool.lower() not in parts.action.lower():
                to_do = re.search(r"(?i)\bto\s+\w+.*$", found.rest)
                parts.action = f"Use {found.tool}" + (f" {to_do.group(0)}" if to_do else "")
                parts.task = "" if found.tool.lower() in parts.task.lower() else parts.task
        if not changed and conversation.asked != "achievable":
            note = "I could not find a detail in that answer, so the draft is unchanged."
    elif intent == "change":
        note = _apply_change(parts, text, day)
    check, missing = _checked(parts, knowledge_dir)
    unknown = [
        PART_OF_CRITERION[c] for c in missing if c in PART_OF_CRITERION and not parts.known(PART_OF_CRITERION[c])
    ]
    draft = compose(parts, with_placeholders=dict.fromkeys(unknown, True), short=intent == "shorten")
    question = None if intent in ("explain", "thanks") and not missing else _next_question(missing, conversation)
    conversation.asked = _criterion_of(question)
    return GoalTurn(intent, draft, check, question, missing, unknown, note, conversation)


def _today() -> date:
    return datetime.now(UTC).date()


def _carried_over(parts: GoalParts, new_draft: str) -> dict[str, str]:
    """The parts of the old goal a new draft keeps: only when it is the same goal reworded (shared tool)."""
    if not parts.action:
        return {}
    old_tools = {tool_name(m.group(0)).lower() for m in TOOL.finditer(f"{parts.action} {parts.task}")}
    new_tools = {tool_name(m.group(0)).lower() for m in TOOL.finditer(new_draft)}
    return parts.to_dict() if old_tools & new_tools else {}


def _without_deadline(text: str, deadline: str) -> str:
    """The draft without its date, which the composed goal writes once at its end."""
    if not deadline:
        return clean_fragment(text) or text
    pattern = re.compile(
        r"(?i)[,\s]*\b(?:by|before|until|till|no later than|within|in|on)?\s*(?:the\s+)?" + re.escape(deadline)
    )
    stripped = pattern.sub("", text, count=1)
    return clean_fragment(stripped) or text


def _checked(parts: GoalParts, knowledge_dir: Path) -> tuple[GoalCheck | None, list[str]]:
    known = compose(parts)
    try:
        check = check_goal(known, knowledge_dir)
    except ValueError:
        return None, list(QUESTION_ORDER)
    return check, [name for name in QUESTION_ORDER if not check.criteria[name].met]


def _next_question(missing: list[str], conversation: GoalConversation) -> str | None:
    """One question: the first missing criterion not yet answered (a repeat only if nothing else is left)."""
    fresh = [c for c in missing if c not in conversation.answered]
    choice = fresh[0] if fresh else (missing[0] if missing else None)
    return QUESTIONS[choice] if choice else None


def _criterion_of(question: str | None) -> str:
    return next((name for name, text in QUESTIONS.items() if text == question), "")


def _apply_change(parts: GoalParts, message: str, day: date) -> str:
    """Change the detail the message names: the date, the number (and what is counted) or the tool."""
    found = details_of(message, day)
    done = []
    if found.deadline and found.target_date != parts.target_date:
        parts.deadline, parts.target_date = found.deadline, found.target_date
        done.append(f"the target date is now {found.deadline}")
    if found.number:
        old = MEASURE.search(parts.measure) or MEASURE.search(parts.action)
        if old is not None:
            said = re.match(rf"(?i)^(?:\w+\s+)?(?P<count>{NUMBER_PATTERN})\s+(?P<noun>.+)$", found.measure)
            count = said.group("count") if said else found.number
            noun = said.group("noun") if said and MEASURE.fullmatch(found.measure) else old.group("noun")
            before = old.group(0)
            for name in ("action", "measure"):
                setattr(parts, name, getattr(parts, name).replace(before, f"{count} {noun}"))
        else:
            parts.measure = found.measure
        done.append(f"the measure is now {found.measure}")
    name = rf"(?:{TOOL.pattern}|[A-Z]\w+(?:\s+[A-Z]\w+)?)"
    swap = re.search(rf"\b(?:[Uu]se\s+|[Ww]ith\s+|[Tt]o\s+)?(?P<new>{name})\s+instead\s+of\s+(?P<old>{name})", message)
    swap = swap or re.search(rf"\binstead\s+of\s+(?P<old>{name}),?\s+(?:[Uu]se\s+)?(?P<new>{name})", message)
    swap = swap or re.search(
        rf"\b(?:[Rr]eplace|[Cc]hange|[Ss]witch)\s+(?P<old>{name})\s+(?:with|to|for)\s+(?P<new>{name})", message
    )
    if swap:
        old_tool, new_tool = swap.group("old"), tool_name(swap.group("new"))
        for name in ("action", "task", "measure", "purpose"):
            setattr(parts, name, re.sub(rf"(?i)\b{re.escape(old_tool)}\b", new_tool, getattr(parts, name)))
        done.append(f"{new_tool} instead of {tool_name(old_tool)}")
    elif found.tool and not found.number and not found.deadline:
        current = TOOL.search(f"{parts.action} {parts.task}")
        if current and current.group(0).lower() != found.tool.lower():
            for name in ("action", "task"):
                setattr(
                    parts, name, re.sub(rf"(?i)\b{re.escape(current.group(0))}\b", found.tool, getattr(parts, name))
                )
            done.append(f"{found.tool} instead of {tool_name(current.group(0))}")
    if found.tool and found.tool.lower() not in f"{parts.action} {parts.task}".lower():
        parts.task = task_phrase(found.rest, found.tool)  # a tool named in passing ("..., Jaggaer. I want to ...")
        done.append(f"the tool is now {found.tool}")
    return (
        ("Changed: " + "; ".join(done).rstrip(".") + ".")
        if done
        else "I could not tell what to change, so the draft is unchanged."
    )


# --- the reply as text ------------------------------------------------------------------------------

LEADS: dict[Intent, str] = {
    "draft": "Here is your goal as a draft:",
    "answer": "Your goal with what you just added:",
    "rewrite": "Rewritten from what you have told me:",
    "shorten": "A shorter version:",
    "explain": "Your goal as it stands:",
    "change": "Your goal with the change:",
    "thanks": "Your goal as it stands:",
}


def render_turn(turn: GoalTurn) -> str:
    lines = []
    if turn.note:
        lines += [turn.note, ""]
    lines += [LEADS[turn.intent], "", f"> {turn.draft}", ""]
    met = [LABELS[c] for c in CRITERIA if turn.check and turn.check.criteria[c].met]
    if turn.check is None:
        lines.append("I could not check this draft against SMART.")
    elif not turn.missing:
        lines.append("SMART check: all five criteria are met (" + ", ".join(met) + ").")
    elif turn.intent == "explain":
        lines.append("SMART check, what it still needs:")
        lines += [f"- {LABELS[c]}: {turn.check.criteria[c].why}" for c in turn.missing]
        if met:
            lines += ["", "Already there: " + ", ".join(met) + "."]
    else:
        missing = ", ".join(LABELS[c] for c in turn.missing)
        lines.append(f"SMART check: met {', '.join(met) or 'none yet'}; still missing {missing}.")
    if turn.unknown:
        named = ", ".join(f"{PART_LABELS[p]} {PLACEHOLDER_OF[p]}" for p in turn.unknown)
        lines.append(f"Still yours to fill in: {named}.")
    if turn.question:
        lines += ["", turn.question]
    elif not turn.missing:
        lines += ["", "If it reads right to you, save it to My goals; you can still ask me to shorten or change it."]
    lines += ["", "Based on the program's goal-setting guideline. [1]"]
    return "\n".join(lines)
