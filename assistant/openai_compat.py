"""OpenAI's chat-completions protocol over Tandem's turn pipeline, so chat front-ends (Open WebUI,
LibreChat, the ``openai`` SDK) can talk to Tandem.

Each conversation mode is a model (``tandem-ask``, ``tandem-goal``, ...). An OpenAI client sends the whole
chat every time; Tandem keeps one stored conversation per chat by matching the request's earlier
messages against the participant's stored conversations of that mode (:func:`choose`):

- equal to a stored conversation: the new message continues it;
- equal to a stored conversation up to one last message of the participant (and Tandem's replies to
  it): the client regenerated or edited that message, which is answered again in place;
- anything else: a new conversation, holding the earlier messages as sent, so the next request
  continues it.

Messages compare as a reader sees them: system messages and assistant messages before the first user
message are left out, whitespace is collapsed, and an assistant message loses its citation numbers and
the Sources list Tandem appended (the stored reply has neither; a chat model's numbering is renumbered
when the reply is stored).
"""

from __future__ import annotations

import json
import math
import re
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from assistant.client_tasks import client_task
from assistant.coaching.modes import MODES, Mode, validate_message
from assistant.coaching.qa import CITATION_MARK
from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import Message, User
from assistant.text import clean_text, participant_message
from assistant.turns import (
    AcceptedTurn,
    ConversationNotFoundError,
    NothingToRetryError,
    TurnEvent,
    TurnPipeline,
    final_event,
)
from assistant.web.markdown import guideline_href

MODEL_PREFIX = "tandem-"
MODE_NAMES = {
    Mode.ASK: "Tandem Ask: questions about the program",
    Mode.GOAL: "Tandem Goal: draft a SMART goal",
    Mode.PLAN: "Tandem Plan: an agenda for a session",
    Mode.REHEARSE: "Tandem Rehearse: practise feedback with a persona",
}
CHAT_ROLES = ("system", "user", "assistant")
SEARCHED_CONVERSATIONS = 20
CHARS_PER_TOKEN = 4
SOURCES_HEADING = "**Sources**"
RESTARTED = "*(answer restarted)*"
"""Streamed when the pipeline drops what was shown (a chat model failed mid-answer): OpenAI's stream cannot
take text back, so the client keeps the abandoned start, and comparisons skip everything up to here."""
FROM_CLIENT = "from_client_history"  # set in ``data`` of messages stored from a client's history
STARTED = int(time.time())

SOURCES_BLOCK = re.compile(rf"\n\s*{re.escape(SOURCES_HEADING)}[ \t]*\n(?:[ \t]*- \[\d+\][^\n]*(?:\n|$))+\s*$")
ERROR_KINDS = {
    400: ("invalid_request_error", "invalid_value"),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "permission_denied"),
    404: ("invalid_request_error", "not_found"),
    409: ("invalid_request_error", "conflict"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("requests", "rate_limit_exceeded"),
    503: ("server_error", "service_unavailable"),
}


class CompletionError(Exception):
    """A refused or failed request, sent as OpenAI's ``{"error": {...}}`` with ``status``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = f"{param}: {message}" if param and param != "messages" else message
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.message, code=self.code, param=self.param)


def error_body(status: int, message: str, *, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    kind, default_code = ERROR_KINDS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    return {"error": {"message": message, "type": kind, "code": code or default_code, "param": param}}


def model_id(mode: Mode) -> str:
    return f"{MODEL_PREFIX}{mode.value}"


def list_models() -> list[dict[str, Any]]:
    """One model per conversation mode, in OpenAI's model format."""
    return [
        {
            "id": model_id(mode),
            "object": "model",
            "created": STARTED,
            "owned_by": "tandem",
            "name": MODE_NAMES.get(mode, f"Tandem {mode.value}"),
        }
        for mode in MODES
    ]


def mode_for_model(model: str) -> Mode:
    for mode in MODES:
        if model_id(mode) == model:
            return mode
    choices = ", ".join(model_id(mode) for mode in MODES)
    raise CompletionError(404, f"the model {model!r} does not exist; choose {choices}", code="model_not_found")


@dataclass(frozen=True)
class ChatRequest:
    """What Tandem takes from a request: the mode, the messages before the last, and the last one (the
    participant's new message). System messages are left out."""

    mode: Mode
    earlier: list[tuple[str, str]]
    content: str
    position: int  # of the new message in the request's ``messages``
    prompt_chars: int


def read_request(model: str, messages: Sequence[tuple[str, str]], *, max_chars: int) -> ChatRequest:
    """Check a request's model and messages (``CompletionError`` 404 or 400 with the message at fault)."""
    mode = mode_for_model(model)
    chat: list[tuple[int, str, str]] = []
    for position, (role, text) in enumerate(messages):
        if role not in CHAT_ROLES:
            raise CompletionError(
                400,
                f"role {role!r} is not supported; use system, user or assistant",
                param=f"messages[{position}].role",
            )
        if role == "system":
            continue
        if role == "user":
            try:
                text = participant_message(text, max_chars)
            except ValueError as exc:
                raise CompletionError(400, str(exc), param=f"messages[{position}].content") from None
        chat.append((position, role, text))
    if not any(role == "user" for _, role, _ in chat):
        raise CompletionError(400, "messages must include a message with the role user", param="messages")
    position, role, content = chat[-1]
    if role != "user":
        raise CompletionError(400, "the last message must have the role user", param=f"messages[{position}].role")
    return ChatRequest(
        mode=mode,
        earlier=[(role, text) for _, role, text in chat[:-1]],
        content=content,
        position=position,
        prompt_chars=sum(len(text) for _, text in messages),
    )


def as_stored(role: str, text: str) -> str:
    """An assistant message as Tandem stored it: without the Sources list appended when it was sent, nor
    an abandoned start before :data:`RESTARTED`."""
    if role != "assistant":
        return clean_text(text)
    text = text.replace("\r\n", "\n").rsplit(RESTARTED, 1)[-1]
    return SOURCES_BLOCK.sub("", text).strip()


def comparable(lines: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Messages as compared: a conversation's own from its first user message on, as a reader sees them."""
    kept: list[tuple[str, str]] = []
    for role, text in lines:
        if role not in ("user", "assistant") or (role == "assistant" and not kept):
            continue
        words = as_stored(role, text)
        if role == "assistant":
            words = CITATION_MARK.sub(" ", words)
        kept.append((role, " ".join(clean_text(words).split())))
    return kept


@dataclass(frozen=True)
class Resume:
    """Where a request's new message goes: a stored conversation to ``continue``, the last message of one
    to answer again (``reopen``, with ``edit`` when the client changed it), or a ``new`` conversation."""

    kind: Literal["continue", "reopen", "new"]
    conversation_id: str = ""
    edit: str | None = None


def choose(
    candidates: Sequence[tuple[str, Sequence[tuple[str, str]]]], earlier: Sequence[tuple[str, str]], content: str
) -> Resume:
    """The rule of the module docstring; of several matches the first candidate (most recent) wins."""
    wanted = comparable(earlier)
    if not wanted:
        return Resume("new")
    stored = [(conversation_id, comparable(lines)) for conversation_id, lines in candidates]
    for conversation_id, have in stored:
        if have == wanted:
            return Resume("continue", conversation_id)
    size = len(wanted)
    for conversation_id, have in stored:
        if (
            len(have) > size
            and have[:size] == wanted
            and have[size][0] == "user"
            and all(role == "assistant" for role, _ in have[size + 1 :])
        ):
            same = have[size][1] == " ".join(content.split())
            return Resume("reopen", conversation_id, None if same else content)
    return Resume("new")


def store_history(
    db_factory: sessionmaker[Session], *, user: User, conversation_id: str, lines: Sequence[tuple[str, str]]
) -> None:
    """A new conversation's earlier messages as the client sent them, from the first user message on
    (their themes are not counted: they were counted when first answered, or never came through Tandem)."""
    with transaction(db_factory) as db:
        conversation = crud.get_own_conversation(db, user=user, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFoundError(conversation_id)
        started = False
        for role, text in lines:
            started = started or role == "user"
            if started:
                crud.add_message(
                    db, conversation=conversation, role=role, content=as_stored(role, text), data={FROM_CLIENT: True}
                )


def shown_numbers(streamed: str, stored: str, count: int) -> list[int]:
    """The number of each of the stored reply's ``count`` citations in the text the client received: the
    stored numbers, unless the streamed text numbered them otherwise (a chat model's own numbers, which
    are renumbered when the reply is stored, marker for marker)."""
    numbers = list(range(1, count + 1))
    sent = [int(n) for n in CITATION_MARK.findall(streamed)]
    kept = [int(n) for n in CITATION_MARK.findall(stored)]
    if len(sent) == len(kept):
        for shown, number in zip(sent, kept, strict=True):
            if 1 <= number <= count:
                numbers[number - 1] = shown
    return numbers


def sources_block(citations: Sequence[dict[str, Any]], numbers: Sequence[int], base_url: str) -> str:
    """The Sources list appended to an answer: each cited section's title and the web app's link to it."""
    if not citations:
        return ""
    lines = ["", "", SOURCES_HEADING]
    for number, citation in sorted(zip(numbers, citations, strict=True), key=lambda pair: pair[0]):
        source = str(citation.get("source", ""))
        title = str(citation.get("section") or source).replace("[", "(").replace("]", ")")
        link = base_url.rstrip("/") + guideline_href(citation)
        lines.append(f"- [{number}] [{title}]({link}) ({source})")
    return "\n".join(lines)


def estimated_tokens(chars: int) -> int:
    """Usage is estimated (4 characters a token), not counted: the offline composer has no tokens, and a
    chat model's own counts are not passed through the pipeline."""
    return math.ceil(chars / CHARS_PER_TOKEN)


def usage(prompt_chars: int, completion_chars: int) -> dict[str, int]:
    prompt, completion = estimated_tokens(prompt_chars), estimated_tokens(completion_chars)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


@dataclass
class OpenedTurn:
    """A request's message, stored in its conversation and waiting for the answer."""

    request: ChatRequest
    model: str
    turn: AcceptedTurn
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def id(self) -> str:
        return f"chatcmpl-{self.turn.conversation_id}-{self.turn.message.id}"


class ChatCompletions:
    """Chat completions answered by the :class:`TurnPipeline` (stored, themes counted, the mode's rules)."""

    def __init__(
        self, turns: TurnPipeline, db_factory: sessionmaker[Session], *, max_chars: int, base_url: str
    ) -> None:
        self.turns = turns
        self.db_factory = db_factory
        self.max_chars = max_chars
        self.base_url = base_url

    @staticmethod
    def housekeeping(model: str, messages: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
        """The ``chat.completion`` for a front-end's own background task (a title, tags, follow-ups: see
        :mod:`assistant.client_tasks`), or None for a participant's message. Nothing is stored."""
        last = next((text for role, text in reversed(messages) if role == "user"), None)
        task = client_task(last) if last is not None else None
        if task is None:
            return None
        mode_for_model(model)  # an unknown model is still a 404
        return {
            "id": f"chatcmpl-task-{secrets.token_hex(8)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": task.reply},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": usage(len(last or ""), len(task.reply)),
        }

    @staticmethod
    async def housekeeping_stream(completion: dict[str, Any]) -> AsyncIterator[str]:
        """:meth:`housekeeping`'s reply as ``chat.completion.chunk`` events."""
        head = {key: completion[key] for key in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
        text = completion["choices"][0]["message"]["content"]
        for delta, finish in (({"role": "assistant", "content": ""}, None), ({"content": text}, None), ({}, "stop")):
            yield _sse({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]})
        yield "data: [DONE]\n\n"

    def open(self, user: User, model: str, messages: Sequence[tuple[str, str]]) -> OpenedTurn:
        """Check the request and store its new message in the conversation :func:`choose` picks."""
        request = read_request(model, messages, max_chars=self.max_chars)
        param = f"messages[{request.position}].content"
        try:
            return OpenedTurn(request, model, self._accept(user, request))
        except (ConversationNotFoundError, NothingToRetryError):
            raise CompletionError(
                409, "the conversation changed meanwhile; send the request again", code="conversation_changed"
            ) from None
        except ValueError as exc:
            raise CompletionError(400, str(exc), param=param) from None

    def _accept(self, user: User, request: ChatRequest) -> AcceptedTurn:
        first = next((text for role, text in request.earlier if role == "user"), None)
        candidates: list[tuple[str, list[tuple[str, str]]]] = []
        if first is not None:
            with self.db_factory() as db:
                candidates = crud.transcripts_with_message(
                    db, user=user, mode=request.mode.value, content=first, limit=SEARCHED_CONVERSATIONS
                )
        resume = choose(candidates, request.earlier, request.content)
        if resume.kind == "continue":
            return self.turns.accept(user, conversation_id=resume.conversation_id, content=request.content)
        if resume.kind == "reopen":
            return self.turns.reopen(user, conversation_id=resume.conversation_id, content=resume.edit)
        validate_message(request.mode.value, request.content)
        conversation = self.turns.start(user, mode=request.mode.value)
        store_history(self.db_factory, user=user, conversation_id=conversation.id, lines=request.earlier)
        return self.turns.accept(user, conversation_id=conversation.id, content=request.content)

    async def complete(self, user: User, opened: OpenedTurn) -> dict[str, Any]:
        """The whole answer as a ``chat.completion`` (``CompletionError`` 503 when answering failed)."""
        final = await final_event(self.turns.answer(user, opened.turn))
        if final.stored is None:
            raise CompletionError(503, final.text, code="answer_failed", headers={"Retry-After": "5"})
        stored = final.stored
        text = stored.content + sources_block(stored.citations, range(1, len(stored.citations) + 1), self.base_url)
        return {
            "id": opened.id,
            "object": "chat.completion",
            "created": opened.created,
            "model": opened.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": usage(opened.request.prompt_chars, len(text)),
        }

    async def stream(self, user: User, opened: OpenedTurn, *, include_usage: bool = False) -> AsyncIterator[str]:
        """The answer as Server-Sent Events of ``chat.completion.chunk`` as it is written, then the Sources
        list, then ``[DONE]``; a failure is sent as an ``error`` event (the participant's message stays)."""
        yield _sse(self._chunk(opened, {"role": "assistant", "content": ""}))
        shown: list[str] = []
        sent = 0
        async for event in self.turns.answer(user, opened.turn):
            piece = self._piece(event, shown)
            if piece:
                sent += len(piece)
                yield _sse(self._chunk(opened, {"content": piece}))
            if event.kind == "error":
                yield _sse(error_body(503, event.text, code="answer_failed"))
                break
            if event.kind == "done" and event.stored is not None:
                yield _sse(self._chunk(opened, {}, finish_reason="stop"))
                if include_usage:
                    yield _sse(
                        {**self._chunk(opened, {}), "choices": [], "usage": usage(opened.request.prompt_chars, sent)}
                    )
        yield "data: [DONE]\n\n"

    def _piece(self, event: TurnEvent, shown: list[str]) -> str:
        """The text an event adds to what the client shows (``shown`` is what was streamed since the last
        restart)."""
        if event.kind == "token":
            shown.append(event.text)
            return event.text
        if event.kind == "reset":
            shown.clear()
            return f"\n\n{RESTARTED}\n\n"
        if event.kind == "done" and event.stored is not None:
            stored: Message = event.stored
            numbers = shown_numbers("".join(shown), stored.content, len(stored.citations))
            return sources_block(stored.citations, numbers, self.base_url)
        return ""

    @staticmethod
    def _chunk(opened: OpenedTurn, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "id": opened.id,
            "object": "chat.completion.chunk",
            "created": opened.created,
            "model": opened.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
        }


def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data)}\n\n"
