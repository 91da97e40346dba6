"""Routes a conversation's messages to the skill of its mode and keeps the mode's state across turns."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.coaching.feedback import check_feedback, summarize_rehearsal, validate_line
from assistant.coaching.goal_coach import coach_goal
from assistant.coaching.goals import validate_draft
from assistant.coaching.qa import QAService, Reply, ReplyEvent, fallback_notice, whole
from assistant.coaching.rehearsal import (
    MENTOR,
    Persona,
    RehearsalState,
    one_speaker,
    persona_call,
    respond,
    start_rehearsal,
)
from assistant.coaching.sessions import GoalBrief, plan_session
from assistant.llm.composer import OFFLINE_PROVIDER

if TYPE_CHECKING:
    from assistant.llm.gateway import ModelGateway

log = logging.getLogger(__name__)
END_REHEARSAL = re.compile(r"^\s*/?(?:end|stop|finish)(?:\s+(?:the\s+)?rehearsal)?\s*[.!]?\s*$", re.IGNORECASE)
MINUTES = re.compile(r"\b(\d{1,3})[\s-]*(?:minutes?|mins?)\b", re.IGNORECASE)
DEFAULT_PLAN = {"minutes": 45, "format": "remote", "session": "regular"}
FORMAT_WORDS = (
    ("in-person", re.compile(r"\b(?:in[ -]person|face[ -]to[ -]face|on[ -]?site|in the office|same room)\b", re.I)),
    ("hybrid", re.compile(r"\bhybrid\b", re.I)),
    ("remote", re.compile(r"\b(?:remote(?:ly)?|online|video|virtual|teams call|zoom|call)\b", re.I)),
)
SESSION_WORDS = (
    ("first", re.compile(r"\b(?:first|kick-?off|initial|introductory)\s+(?:session|meeting)\b|\bkick-?off\b", re.I)),
    ("closing", re.compile(r"\b(?:closing|final|wrap-?up)\s+(?:session|meeting)\b|\bwrap-?up\b", re.I)),
    ("regular", re.compile(r"\b(?:next|regular|usual|normal|follow-?up)\s+(?:session|meeting)\b", re.I)),
)
NOTES = re.compile(
    r"^\s*(?:(?:last|previous)\s+(?:session\s+)?notes?|notes?(?:\s+from\s+last\s+(?:time|session))?|last time|"
    r"last session)\s*[:\-]\s*(?P<notes>\S.*)$",
    re.I | re.S,
)  # "Notes: we covered pivot tables" is a note; "Plan our next session" is an instruction


def citations_of(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    unique: list[dict[str, Any]] = []
    for citation in items:
        if all(citation.get("section") != c.get("section") or citation["source"] != c["source"] for c in unique):
            unique.append(citation)
    return unique


class Mode(StrEnum):
    ASK = "ask"
    GOAL = "goal"
    PLAN = "plan"
    REHEARSE = "rehearse"


Opening = tuple[dict[str, Any], str | None]


def _no_state(options: dict[str, Any], knowledge_dir: Path) -> Opening:
    return {}, None


def _plan_state(options: dict[str, Any], knowledge_dir: Path) -> Opening:
    return {"plan": {**DEFAULT_PLAN, **options.get("plan", {})}, "notes": []}, None


def _rehearsal_state(options: dict[str, Any], knowledge_dir: Path) -> Opening:
    state = start_rehearsal(Persona(**options.get("persona", {})), knowledge_dir)
    return state.to_dict(), state.last_reply()


def _any_message(content: str) -> None:
    return None


def _feedback_line(content: str) -> None:
    if not END_REHEARSAL.match(content):
        validate_line(content)


@dataclass(frozen=True)
class ModeSpec:
    """Everything a mode is: how a conversation in it starts, what input it takes, which skill answers,
    and whether the participant's active goals are read for it. A new mode is one entry here (and its
    prompt file, when it asks the model)."""

    start: Callable[[dict[str, Any], Path], Opening]
    validate: Callable[[str], object]  # raises ValueError with one line
    skill: str  # the SkillRouter method that answers
    reads_goals: bool = False
    streams: bool = False  # the skill streams its own events (the model's tokens) instead of one reply


MODES: dict[Mode, ModeSpec] = {
    Mode.ASK: ModeSpec(_no_state, _any_message, "_ask", streams=True),
    Mode.GOAL: ModeSpec(_no_state, validate_draft, "_goal"),
    Mode.PLAN: ModeSpec(_plan_state, _any_message, "_plan", reads_goals=True),
    Mode.REHEARSE: ModeSpec(_rehearsal_state, _feedback_line, "_rehearse"),
}


def mode_of(name: str) -> Mode:
    """The mode called ``name``, or ``ValueError`` with the choices."""
    try:
        return Mode(name)
    except ValueError:
        raise ValueError(f"unknown mode {name!r}; choose {', '.join(m.value for m in Mode)}") from None


def initial_state(mode: str, options: dict[str, Any], knowledge_dir: Path) -> Opening:
    """The state a new conversation starts with, and an opening assistant message if the mode has one."""
    return MODES[mode_of(mode)].start(options, knowledge_dir)


def validate_message(mode: str, content: str) -> None:
    """Refuse input a skill cannot take, before anything is stored (``ValueError`` with one line)."""
    MODES[mode_of(mode)].validate(content)


@dataclass(frozen=True)
class Turn:
    """One participant message with what its mode may read: the conversation's state and recent turns."""

    state: dict[str, Any]
    content: str
    role: str | None
    history: Sequence[tuple[str, str]] = ()
    goals: Sequence[GoalBrief] = ()


class SkillRouter:
    def __init__(
        self,
        qa: QAService,
        knowledge_dir: Path,
        gateway: ModelGateway | None = None,
    ) -> None:
        self.qa = qa
        self.knowledge_dir = knowledge_dir
        self.gateway = gateway

    async def stream(
        self,
        *,
        mode: str,
        state: dict[str, Any],
        content: str,
        role: str | None,
        history: Sequence[tuple[str, str]] = (),
        goals: Sequence[GoalBrief] = (),
    ) -> AsyncIterator[ReplyEvent]:
        spec = MODES[mode_of(mode)]
        turn = Turn(state, content, role, history, goals)
        if spec.streams:  # ask screens its own questions (tandem ask goes straight to it)
            async for event in getattr(self, spec.skill)(turn):
                yield event
            return
        verdict = await asyncio.to_thread(self.qa.screen_risk, content, mode_of(mode).value)
        if verdict is not None and verdict.certain:  # no role-play, no scoring: the steps, and state kept
            reply = self.qa.escalation(verdict)
        else:
            reply = await getattr(self, spec.skill)(turn)
            if verdict is not None:
                reply = self.qa.preface(verdict, reply)
        async for event in whole(reply):
            yield event

    def _ask(self, turn: Turn) -> AsyncIterator[ReplyEvent]:
        return self.qa.stream(turn.content, turn.role, turn.history)

    async def _goal(self, turn: Turn) -> Reply:
        coaching = await coach_goal(turn.content, self.knowledge_dir, self.gateway, turn.state)
        source = coaching.source
        check = coaching.turn.check
        return Reply(
            coaching.render(),
            citations_of(check.citations if check else []),
            source if source != "offline" else OFFLINE_PROVIDER,
            in_scope=True,
            data=coaching.as_data(),
            state=coaching.turn.state.to_dict(),
        )

    async def _plan(self, turn: Turn) -> Reply:
        return await asyncio.to_thread(self._plan_now, turn.state, turn.content, turn.goals)

    def _plan_now(self, state: dict[str, Any], content: str, goals: Sequence[GoalBrief]) -> Reply:
        plan = {**DEFAULT_PLAN, **state.get("plan", {})}
        notes = list(state.get("notes", []))
        if match := MINUTES.search(content):
            plan["minutes"] = int(match.group(1))
        plan["format"] = next((f for f, words in FORMAT_WORDS if words.search(content)), plan["format"])
        plan["session"] = next((kind for kind, words in SESSION_WORDS if words.search(content)), plan["session"])
        actions = [line.split(":", 1)[1].strip() for line in content.splitlines() if line.lower().startswith("action:")]
        if note := NOTES.match(content):
            notes.append(note.group("notes").strip())
        agenda = plan_session(
            minutes=plan["minutes"],
            format=plan["format"],
            session=plan["session"],
            goals=list(goals),
            open_actions=[*state.get("actions", []), *actions],
            last_notes="\n".join(notes[-3:]),
            knowledge_dir=self.knowledge_dir,
        )
        state.update(plan=plan, notes=notes, actions=[*state.get("actions", []), *actions])
        citations = citations_of([c for item in agenda.items for c in item.citations])
        return Reply(
            agenda.to_markdown(),
            citations,
            OFFLINE_PROVIDER,
            in_scope=True,
            data={"agenda": agenda.as_contract(), "plan": plan},
            state=state,
        )

    async def _rehearse(self, turn: Turn) -> Reply:
        state, content = turn.state, turn.content
        rehearsal = RehearsalState.from_dict(state) if state else start_rehearsal(Persona(), self.knowledge_dir)
        if END_REHEARSAL.match(content):
            lines = [text for speaker, text in rehearsal.transcript if speaker == MENTOR]
            if not lines:
                raise ValueError("nothing to summarise yet: say something to the persona first")
            summary = await asyncio.to_thread(summarize_rehearsal, lines, self.knowledge_dir)
            ended = {**rehearsal.to_dict(), "ended": True}
            return Reply(
                _render_summary(summary),
                summary["citations"],
                OFFLINE_PROVIDER,
                True,
                data={"summary": summary},
                state=ended,
            )
        check = await asyncio.to_thread(check_feedback, content, self.knowledge_dir)
        critique = {**check.as_contract(), "is_feedback": check.is_feedback}
        persona_turn = respond(rehearsal, content, self.knowledge_dir, critique)
        reply_text, provider, notice = persona_turn.reply, OFFLINE_PROVIDER, ""
        if self.gateway is not None:
            try:
                spoken = one_speaker(await self.gateway.complete(persona_call(rehearsal, content, critique)), rehearsal)
                if not spoken or spoken.lower() == " ".join(content.split()).lower():
                    raise ValueError("the model wrote no line of its own")
                reply_text, provider = spoken, self.gateway.provider
                rehearsal.transcript[-1] = (rehearsal.transcript[-1][0], reply_text)
            except Exception as exc:  # the endpoint failed, leaked its prompt or wrote a script: offline answers
                log.warning("persona reply by the chat model failed (%s)", type(exc).__name__)
                notice = fallback_notice(exc)
        data = {
            "critique": critique,
            "reaction": persona_turn.reaction,
            "mood": {"before": persona_turn.mood_before, "after": persona_turn.mood_after},
            "speaker": rehearsal.persona.speaker,
        }
        return Reply(
            reply_text,
            [],  # in character: the persona never cites guidelines (the critique keeps its own citations)
            provider,
            in_scope=True,
            fallback=bool(notice),  # said outside the persona's words: the reply is flagged and the notice kept
            data={**data, "fallback_notice": notice} if notice else data,
            state=rehearsal.to_dict(),
        )


def _render_summary(summary: dict[str, Any]) -> str:
    """The end of a rehearsal, as the coach (out of character): Markdown with what went well, the SBI
    parts missed and two rephrasings."""
    part_names = {"situation": "Situation", "behavior": "Behaviour", "impact": "Impact"}
    count = summary["lines"]
    lines = [f"**Rehearsal summary** ({count} line{'s' if count != 1 else ''})", "", "**What went well**"]
    lines += [f"- {item}" for item in summary["went_well"]]
    lines += ["", "**SBI parts missed**"]
    lines += [f"- {part_names[m['part']]}: missing in {m['lines']} of {count}" for m in summary["missed"]] or [
        "- None: every line named the situation, the behaviour and its impact."
    ]
    if summary["rephrasings"]:
        lines += ["", "**Try saying it this way** (your own words, rearranged)"]
        lines += [f"{number}. {text}" for number, text in enumerate(summary["rephrasings"], 1)]
    moved = [item for item in summary.get("progress", []) if item["feedback"]]
    if len(moved) > 1:
        steps = " → ".join(
            f"{len(item['parts'])}/3{' (' + ', '.join(item['flags']) + ')' if item['flags'] else ''}" for item in moved
        )
        lines += ["", "**How your lines moved** (SBI parts named, line by line)", f"- {steps}"]
    if summary["advice"]:
        lines += ["", "**From the guidelines**"]
        lines += [f"- {item['text']}" for item in summary["advice"]]
    return "\n".join(lines)
