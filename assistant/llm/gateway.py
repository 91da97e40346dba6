"""The one place Tandem talks to a chat model.

Every call goes through :class:`ModelGateway`: the prompt comes from a file in ``prompts/``; the
participant's own words (the values a caller marks as theirs, and the conversation's earlier turns)
are scrubbed of personal data first when ``SCRUB_BEFORE_LLM`` is on; the reply is checked, while it
streams, for repeating the prompt's instructions; the first text and the whole reply each have a
deadline (a model that hangs, or trickles one token every few seconds, is given up on). A failure of any
kind raises, and the caller answers offline, saying so. Nothing else in the package calls ``invoke``,
``ainvoke``, ``stream`` or ``astream`` on a chat model.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.llm.leaks import InstructionsLeakError, VerbatimGuard
from assistant.llm.prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
HISTORY_TURNS = 6


@dataclass(frozen=True)
class PromptCall:
    """A request for the model: the user prompt file and its values, optionally a system prompt file.

    ``participant`` names the values the participant wrote (scrubbed when configured); ``history`` is
    the conversation's own earlier turns as ("user" | "assistant", text), scrubbed likewise.
    """

    prompt: str
    values: Mapping[str, str] = field(default_factory=dict)
    participant: Iterable[str] = ()
    system: str | None = None
    system_values: Mapping[str, str] = field(default_factory=dict)
    history: Sequence[tuple[str, str]] = ()


class ModelGateway:
    def __init__(
        self,
        chat_model: BaseChatModel,
        provider: str,
        prompts_dir: Path,
        deadline_seconds: float = 60.0,
        scrub: Callable[[str], str] | None = None,
        *,
        first_token_seconds: float | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.provider = provider
        self.prompts_dir = prompts_dir
        self.deadline_seconds = deadline_seconds
        self.first_token_seconds = min(first_token_seconds or deadline_seconds, deadline_seconds)
        self.scrub = scrub

    def provenance(self) -> dict[str, str]:
        """Who answered: recorded with model replies (provider, model, date)."""
        model = str(getattr(self.chat_model, "model_name", "") or getattr(self.chat_model, "model", ""))
        return {"provider": self.provider, "model": model, "date": datetime.now(UTC).date().isoformat()}

    def messages(self, call: PromptCall) -> tuple[list[Any], str]:
        """The messages sent, and the instruction text a reply must not repeat."""
        from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

        clean = self.scrub or str
        own = set(call.participant)
        values = {key: clean(value) if key in own else value for key, value in call.values.items()}
        prompt = load_prompt(self.prompts_dir, call.prompt)
        messages: list[BaseMessage] = []
        if call.system is not None:
            system = load_prompt(self.prompts_dir, call.system).render(**call.system_values)
            messages.append(SystemMessage(system))
            instructions = system
        else:
            instructions = PLACEHOLDER.sub(" ", prompt.template)
        for speaker, text in call.history[-HISTORY_TURNS:]:
            messages.append(HumanMessage(clean(text)) if speaker == "user" else AIMessage(clean(text)))
        messages.append(HumanMessage(prompt.render(**values)))
        return messages, instructions

    async def stream(self, call: PromptCall) -> AsyncGenerator[str]:
        """The reply's text as it may be shown; raises on a leak of the instructions, a timeout or an error."""
        messages, instructions = self.messages(call)
        guard = VerbatimGuard(instructions)  # holds back a few words so a quoted prompt is never shown
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiting_for_text = True
        async with asyncio.timeout_at(started + self.first_token_seconds) as deadline:
            async for chunk in self.chat_model.astream(messages):
                content = chunk.content
                if not isinstance(content, str) or not content:
                    continue
                if waiting_for_text:  # the first text arrived: from now on only the whole reply's deadline
                    waiting_for_text = False
                    deadline.reschedule(started + self.deadline_seconds)
                if visible := guard.feed(content):
                    yield visible
                if guard.leaked:
                    raise InstructionsLeakError("the reply repeats the prompt's instructions")
        if visible := guard.finish():
            yield visible
        if guard.leaked:
            raise InstructionsLeakError("the reply repeats the prompt's instructions")

    async def complete(self, call: PromptCall) -> str:
        """The whole reply; raises ``ValueError`` when it is empty."""
        text = "".join([piece async for piece in self.stream(call)]).strip()
        if not text:
            raise ValueError("empty completion")
        return text
