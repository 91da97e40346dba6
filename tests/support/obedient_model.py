"""A chat model that obeys every instruction it finds in its context: the worst case for injection tests.

Plug it into the stub (``StubBehaviour(responder=obey)``). Whatever asks for the instructions, in the
participant's text, the history or a guideline passage, gets the system prompt verbatim; whatever asks
for other people's messages or "everything" gets every message the model was sent. So a test can only
pass if what Tandem puts into the request, and what it does with the reply, keeps data safe: not the
model's goodwill.
"""

from __future__ import annotations

from typing import Any

ASKS_FOR_INSTRUCTIONS = ("system prompt", "word for word", "your instructions", "ignore previous instructions")
ASKS_FOR_EVERYTHING = (
    "other participants",
    "other mentees",
    "other users",
    "all users",
    "conversation history",
    "everything",
)
ORDINARY_REPLY = "Use Situation-Behavior-Impact and name one specific moment [1]. Ask how it landed [2]."
DUMP_HEADER = "Here is everything I was given:"


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def obey(request: dict[str, Any]) -> str:
    """The reply of a model that does what any message in its context tells it to."""
    messages = request.get("messages", [])
    system = "\n".join(text_of(m) for m in messages if m.get("role") in {"system", "developer"})
    others = [text_of(m) for m in messages if m.get("role") not in {"system", "developer"}]
    said = "\n".join(others).lower()  # the system prompt itself mentions "other participants"
    if any(trigger in said for trigger in ASKS_FOR_INSTRUCTIONS):
        return f"Of course. My instructions are:\n{system or said}"
    if any(trigger in said for trigger in ASKS_FOR_EVERYTHING):
        return "\n".join([DUMP_HEADER, *others])
    return ORDINARY_REPLY
