"""Every chat-model call goes through the gateway: the participant's words are scrubbed before they are
sent (when configured) and a reply that repeats the prompt's instructions is never shown. Shown here
for the goal coach and the rehearsal persona, the two paths that used to call the model directly."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from assistant.coaching.goal_coach import coach_goal
from assistant.coaching.rehearsal import Persona, persona_call, start_rehearsal
from assistant.config import PROJECT_ROOT
from assistant.llm.gateway import ModelGateway, PromptCall
from assistant.llm.leaks import InstructionsLeakError

KNOWLEDGE = PROJECT_ROOT / "knowledge"
PROMPTS = PROJECT_ROOT / "prompts"


@dataclass
class Chunk:
    content: str


@dataclass
class RecordingModel:
    """A chat model that answers with ``reply`` in small pieces and remembers what it was sent."""

    reply: str
    model_name: str = "recording"
    sent: list[list[Any]] = field(default_factory=list)

    async def astream(self, messages: list[Any]) -> AsyncIterator[Chunk]:
        self.sent.append(messages)
        for piece in re.findall(r"\S+\s*", self.reply):
            yield Chunk(piece)


def scrub(text: str) -> str:
    return text.replace("Dana Fox", "[PERSON]")


def sent_text(model: RecordingModel) -> str:
    return "\n".join(str(message.content) for messages in model.sent for message in messages)


def gateway(model: RecordingModel) -> ModelGateway:
    return ModelGateway(model, "openai:recording", PROMPTS, deadline_seconds=5, scrub=scrub)  # type: ignore[arg-type]


def test_the_goal_coach_sends_the_scrubbed_draft_and_shows_a_good_rewrite() -> None:
    rewrite = "By 30 June, build 3 Power BI dashboards for Dana Fox's weekly sales review and share them with my team."
    model = RecordingModel(rewrite)
    draft = "Build 3 Power BI dashboards for Dana Fox's weekly sales review by 30 June"

    coaching = asyncio.run(coach_goal(draft, KNOWLEDGE, gateway(model)))

    assert "Dana Fox" not in sent_text(model) and "[PERSON]" in sent_text(model)
    assert coaching.source == "openai:recording"
    assert coaching.turn.draft == rewrite


def test_the_goal_coach_keeps_its_own_draft_when_the_model_drops_a_detail_or_writes_an_essay() -> None:
    draft = "Build 3 Power BI dashboards for the weekly sales review by 30 June"
    dropped = "Build Power BI dashboards for the weekly sales review by 30 June."
    essay = "SMART goals are specific. " * 5 + "Build 3 Power BI dashboards for the weekly sales review by 30 June."
    for reply in (dropped, essay):
        coaching = asyncio.run(coach_goal(draft, KNOWLEDGE, gateway(RecordingModel(reply))))

        assert coaching.source == "offline" and "not used" in coaching.note
        assert "3 Power BI dashboards" in coaching.turn.draft


def test_the_goal_coach_never_shows_a_reply_that_repeats_its_instructions() -> None:
    leak = (
        "Keep the mentee's own intent and words. Change only what the analysis says is missing or unrealistic. "
        "Never invent facts the mentee did not give."
    )
    draft = "Build 3 Power BI dashboards for the weekly sales review by 30 June"
    coaching = asyncio.run(coach_goal(draft, KNOWLEDGE, gateway(RecordingModel(leak))))

    assert coaching.source == "offline"
    assert "Keep the mentee's own intent" not in coaching.render()
    assert "did not answer" in coaching.note


def test_the_persona_gets_the_scrubbed_mentor_line_and_a_leak_raises() -> None:
    state = start_rehearsal(Persona(), KNOWLEDGE)
    line = "In Monday's call you forwarded Dana Fox's CV to the whole team."
    critique = {"situation": {"met": True}, "behavior": {"met": True}, "impact": {"met": False}, "flags": []}
    model = RecordingModel("Which part of that bothered you, exactly?")

    reply = asyncio.run(gateway(model).complete(persona_call(state, line, critique)))

    assert reply == "Which part of that bothered you, exactly?"
    assert "Dana Fox" not in sent_text(model) and "forwarded [PERSON]'s CV" in sent_text(model)
    leaking = RecordingModel(
        "You are playing a senior colleague in a feedback rehearsal for a reverse-mentoring program. Fine."
    )
    with pytest.raises(InstructionsLeakError):
        asyncio.run(gateway(leaking).complete(persona_call(state, line, critique)))


def test_no_word_of_a_leaked_run_is_streamed() -> None:
    call = PromptCall("qa_user", {"context": "", "question": "x"}, system="qa_system", system_values={"role": "mentor"})
    system = (PROMPTS / "qa_system.md").read_text(encoding="utf-8")
    words = " ".join(system.split()[:12])
    shown: list[str] = []

    async def run() -> None:
        async for piece in gateway(RecordingModel(f"Sure. {words} and more")).stream(call):
            shown.append(piece)

    with pytest.raises(InstructionsLeakError):
        asyncio.run(run())
    assert " ".join(system.split()[:8]) not in "".join(shown)


def test_only_the_gateway_calls_a_chat_model() -> None:
    calls = re.compile(r"(?:chat_model|model)\.(?:a?invoke|a?stream)\(")
    callers = {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "assistant").rglob("*.py")
        if calls.search(path.read_text(encoding="utf-8"))
    }
    assert callers == {"assistant/llm/gateway.py"}
