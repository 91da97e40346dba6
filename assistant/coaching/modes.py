"""Routes a conversation's messages to the skill of its mode and keeps the mode's state across turns."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.coaching.feedback import check_feedback, summarize_rehearsal, validate_line
from assistant.coaching.goal_coach import coach_goal
from assistant.coaching.goals import validate_draft
from assistant.coaching.qa import QAService, Reply, ReplyEvent, word_tokens
from assistant.coaching.rehearsal import MENTOR, Persona, RehearsalState, persona_call, respond, start_rehearsal
from assistant.coaching.sessions import FORMATS, SESSION_TYPES, GoalBrief, plan_session
from assistant.llm.composer import OFFLINE_PROVIDER

if TYPE_CHECKING:
    from assistant.llm.gateway import ModelGateway

log = logging.getLogger(__name__)
END_REHEARSAL = re.compile(r"^\s*/?(?:end|stop|finish)(?:\s+(?:the\s+)?rehearsal)?\s*[.!]?\s*$", re.IGNORECASE)
MINUTES = re.compile(r"\b(\d{1,3})[\s-]*(?:minutes?|mins?)\b", re.IGNORECASE)
DEFAULT_PLAN = {"minutes": 45, "format": "remote", "session": "regular"}


def citations_of(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    unique: list[dict[str, Any]] = []
    for citation in items:
        if all(citation.get("section") != c.get("section") or citation["source"] != c["source"] for c in unique):
            unique.append(citation)
    return unique


def initial_state(mode: str, options: dict[str, Any], knowledge_dir: Path) -> tuple[dict[str, Any], str | None]:
    """The state a new conversation starts with, and an opening assistant message if the mode has one."""
    if mode == "rehearse":
        state = start_rehearsal(Persona(**options.get("persona", {})), knowledge_dir)
        return state.to_dict(), state.last_reply()
    if mode == "plan":
        plan = {**DEFAULT_PLAN, **options.get("plan", {})}
        return {"plan": plan, "notes": []}, None
    return {}, None


def validate_message(mode: str, content: str) -> None:
    """Refuse input a skill cannot take, before anything is stored (``ValueError`` with one line)."""
    if mode == "goal":
        validate_draft(content)
    elif mode == "rehearse" and not END_REHEARSAL.match(content):
        validate_line(content)


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
        if mode == "ask":
            async for event in self.qa.stream(content, role, history):
                yield event
            return
        if mode == "goal":
            reply = await self._goal(content)
        elif mode == "plan":
            reply = await asyncio.to_thread(self._plan, state, content, goals)
        elif mode == "rehearse":
            reply = await self._rehearse(state, content)
        else:
            raise ValueError(f"unknown mode {mode!r}")
        for token in word_tokens(reply.text):
            yield ReplyEvent("token", token)
        yield ReplyEvent("done", reply=reply)

    async def _goal(self, content: str) -> Reply:
        coaching = await coach_goal(content, self.knowledge_dir, self.gateway)
        source = coaching.suggestion_source
        return Reply(
            coaching.render(),
            citations_of(coaching.check.citations),
            source if source != "offline" else OFFLINE_PROVIDER,
            in_scope=True,
            data={"goal_check": coaching.as_data()},
        )

    def _plan(self, state: dict[str, Any], content: str, goals: Sequence[GoalBrief]) -> Reply:
        plan = {**DEFAULT_PLAN, **state.get("plan", {})}
        notes = list(state.get("notes", []))
        lowered = content.lower()
        if match := MINUTES.search(content):
            plan["minutes"] = int(match.group(1))
        plan["format"] = next((f for f in FORMATS if f in lowered), plan["format"])
        plan["session"] = next((s for s in SESSION_TYPES if s in lowered), plan["session"])
        actions = [line.split(":", 1)[1].strip() for line in content.splitlines() if line.lower().startswith("action:")]
        if not (MINUTES.search(content) or actions) and len(content.split()) > 3:
            notes.append(content)
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

    async def _rehearse(self, state: dict[str, Any], content: str) -> Reply:
        rehearsal = RehearsalState.from_dict(state) if state else start_rehearsal(Persona(), self.knowledge_dir)
        if END_REHEARSAL.match(content):
            lines = [text for speaker, text in rehearsal.transcript if speaker == MENTOR]
            if not lines:
                raise ValueError("nothing to summarise yet: say something to the persona first")
            summary = await asyncio.to_thread(summarize_rehearsal, lines, self.knowledge_dir)
            text = _render_summary(summary)
            return Reply(
                text, summary["citations"], OFFLINE_PROVIDER, True, data={"summary": summary}, state=rehearsal.to_dict()
            )
        critique = (await asyncio.to_thread(check_feedback, content, self.knowledge_dir)).as_contract()
        turn = respond(rehearsal, content, self.knowledge_dir, critique)
        reply_text, provider = turn.reply, OFFLINE_PROVIDER
        if self.gateway is not None:
            try:
                reply_text = await self.gateway.complete(persona_call(rehearsal, content, critique))
                provider = self.gateway.provider
                rehearsal.transcript[-1] = (rehearsal.transcript[-1][0], reply_text)
            except Exception as exc:  # the endpoint failed or leaked its prompt; the persona guideline answers
                log.warning("persona reply by the chat model failed (%s)", type(exc).__name__)
        return Reply(
            reply_text,
            citations_of([turn.citation, *critique["citations"]]),
            provider,
            in_scope=True,
            data={"critique": critique, "reaction": turn.reaction},
            state=rehearsal.to_dict(),
        )


def _render_summary(summary: dict[str, Any]) -> str:
    share = summary["share_met"]
    lines = [
        f"Rehearsal summary ({summary['lines']} lines): situation in {share['situation']:.0%}, "
        f"behaviour in {share['behavior']:.0%}, impact in {share['impact']:.0%} of your lines.",
        f'Strongest line: "{summary["strongest"]["line"]}"',
        f'Needs work: "{summary["needs_work"]["line"]}"',
    ]
    if summary["needs_work"].get("rephrasing"):
        lines.append(f'Try instead: "{summary["needs_work"]["rephrasing"]}"')
    lines += [f"- {item['text']}" for item in summary["advice"]]
    return "\n".join(lines)
