"""One chat turn, whatever front-end asked: store the message first, answer, store the reply.

The JSON route, the SSE route and ``tandem chat`` are thin adapters over :class:`TurnPipeline`: they
accept a message (which validates and stores it, and queues its theme), then read the pipeline's
events. Nothing accepted is ever lost: a failure while answering becomes an ``error`` event and the
participant's message stays stored. The answer is written by a task of its own, so a client that hangs
up (a browser that gives up, a closed tab) stops reading but never stops the reply being stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from assistant.coaching.modes import MODES, SkillRouter, initial_state, mode_of, validate_message
from assistant.coaching.qa import Reply
from assistant.coaching.sessions import GoalBrief
from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import Conversation, Message, ThemeOutbox, User
from assistant.logs import log_failure
from assistant.retrieval.store import StoreUnavailableError
from assistant.text import MAX_MESSAGE_CHARS, participant_message
from assistant.themes.events import PARTICIPANT_ROLES, ThemeLogger

HISTORY_TURNS = 6
ANSWER_FAILED = "your message is saved, but Tandem could not answer it; please try again"
STORE_DOWN = "the guideline index is unavailable; your message is saved, please try again shortly"


class ConversationNotFoundError(LookupError):
    pass


class NothingToRetryError(ValueError):
    pass


STATE_BEFORE = "state_before"  # on a participant message: the mode's state it was answered from


@dataclass
class AcceptedTurn:
    conversation_id: str
    mode: str
    state: dict[str, Any]
    message: Message
    history: list[tuple[str, str]]
    goals: list[GoalBrief] = field(default_factory=list)


@dataclass(frozen=True)
class TurnEvent:
    """``token`` text, ``reset`` (drop what was shown), ``done`` (the stored reply) or ``error``."""

    kind: Literal["token", "reset", "done", "error"]
    text: str = ""
    reply: Reply | None = None
    stored: Message | None = None


def start_conversation(
    db_factory: sessionmaker[Session],
    *,
    user: User,
    title: str,
    mode: str,
    options: dict[str, Any],
    knowledge_dir: Path,
) -> Conversation:
    """Create a conversation in ``mode``; a rehearsal opens with the persona's first line."""
    state, opening = initial_state(mode, options, knowledge_dir)
    with transaction(db_factory) as db:
        conversation = crud.create_conversation(db, user=user, title=title, mode=mode)
        conversation.state = state
        if opening:
            crud.add_message(db, conversation=conversation, role="assistant", content=opening, provider="offline")
        db.flush()
        return conversation


def active_goal_briefs(db: Session, user: User) -> list[GoalBrief]:
    return [
        GoalBrief(id=goal.id, text=goal.text, target_date=goal.target_date)
        for goal in crud.list_goals(db, user=user, status="active")
    ]


def _goals_for(db: Session, user: User, conversation: Conversation) -> list[GoalBrief]:
    """The participant's active goals, for a mode that reads them (plan); none otherwise."""
    return active_goal_briefs(db, user) if MODES[mode_of(conversation.mode)].reads_goals else []


def accept_message(
    db_factory: sessionmaker[Session], *, user: User, conversation_id: str, content: str
) -> AcceptedTurn:
    """Store the participant's message (after the mode's own input checks, which raise ``ValueError``)."""
    with transaction(db_factory) as db:
        conversation = crud.get_own_conversation(db, user=user, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFoundError(conversation_id)
        validate_message(conversation.mode, content)
        if conversation.state.get("ended"):
            raise ValueError("this rehearsal has ended; start a new one to practise again")
        history = crud.recent_lines(db, conversation_id=conversation.id, limit=HISTORY_TURNS)
        goals = _goals_for(db, user, conversation)
        state = dict(conversation.state)
        data = {STATE_BEFORE: state} if state else None
        message = crud.add_message(db, conversation=conversation, role="user", content=content, data=data)
        if user.role in PARTICIPANT_ROLES:  # counted by the theme worker, exactly once
            db.execute(insert(ThemeOutbox).values(message_id=message.id, attempts=0, created_at=message.created_at))
        return AcceptedTurn(conversation.id, conversation.mode, state, message, history, goals)


def reopen_last_turn(
    db_factory: sessionmaker[Session], *, user: User, conversation_id: str, content: str | None = None
) -> AcceptedTurn:
    """The conversation's last participant message, to be answered again: the replies after it are
    deleted and the mode's state is put back as it was when the message came in. With ``content``,
    the message is edited first (after the mode's input check)."""
    with transaction(db_factory) as db:
        conversation = crud.get_own_conversation(db, user=user, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFoundError(conversation_id)
        message = crud.last_user_message(db, conversation=conversation)
        if message is None:
            raise NothingToRetryError("this conversation has no message of yours to answer again")
        if content is not None:
            validate_message(conversation.mode, content)
            message.content = content
        crud.drop_messages_after(db, message=message)
        state = dict(message.data.get(STATE_BEFORE, conversation.state))
        conversation.state = state
        history = [(m.role, m.content) for m in crud.messages_before(db, message=message, limit=HISTORY_TURNS)]
        goals = _goals_for(db, user, conversation)
        db.flush()
        return AcceptedTurn(conversation.id, conversation.mode, state, message, history, goals)


def store_reply(db_factory: sessionmaker[Session], *, user: User, turn: AcceptedTurn, reply: Reply) -> Message:
    """Store the reply and the mode's new state in one transaction."""
    with transaction(db_factory) as db:
        stored = crud.add_reply(
            db,
            user=user,
            conversation_id=turn.conversation_id,
            state=reply.state,
            content=reply.text,
            citations=reply.citations,
            provider=reply.provider,
            fallback=reply.fallback,
            data=reply.data,
        )
        if stored is None:
            raise ConversationNotFoundError(turn.conversation_id)
        return stored


class TurnPipeline:
    """(participant, conversation, message) in, events out; the one place a chat turn is assembled."""

    def __init__(
        self,
        db_factory: sessionmaker[Session],
        skills: SkillRouter,
        themes: ThemeLogger,
        knowledge_dir: Path,
        max_chars: int = MAX_MESSAGE_CHARS,
    ) -> None:
        self.db_factory = db_factory
        self.max_chars = max_chars
        self.skills = skills
        self.themes = themes
        self.knowledge_dir = knowledge_dir

    def start(self, user: User, *, mode: str, title: str = "", options: dict[str, Any] | None = None) -> Conversation:
        return start_conversation(
            self.db_factory, user=user, title=title, mode=mode, options=options or {}, knowledge_dir=self.knowledge_dir
        )

    def accept(self, user: User, *, conversation_id: str, content: str) -> AcceptedTurn:
        """Validate and store the message with its theme outbox row; raises ``ConversationNotFoundError``
        or ``ValueError`` (the message rule, or the mode's input check) before anything is stored."""
        content = participant_message(content, self.max_chars)
        turn = accept_message(self.db_factory, user=user, conversation_id=conversation_id, content=content)
        self.themes.notify(turn.message.id if user.role in PARTICIPANT_ROLES else None)
        return turn

    def reopen(self, user: User, *, conversation_id: str, content: str | None = None) -> AcceptedTurn:
        """Regenerate (no ``content``) or edit-and-resend the last message: answer it again with
        :meth:`answer`. An edited message is not logged as a theme a second time."""
        if content is not None:
            content = participant_message(content, self.max_chars)
        return reopen_last_turn(self.db_factory, user=user, conversation_id=conversation_id, content=content)

    def answer(self, user: User, turn: AcceptedTurn) -> AsyncIterator[TurnEvent]:
        """The reply as it is written, ending with ``done`` (after the reply is stored) or ``error``.

        The reply is written at once by a detached task (call this inside a running event loop) and its
        events are read through a queue: a reader that is cancelled, closes early or never starts does
        not stop the reply being stored (:func:`finish_detached_turns` waits for it at shutdown)."""
        queue: asyncio.Queue[TurnEvent | None] = asyncio.Queue()
        task = asyncio.get_running_loop().create_task(self._produce(user, turn, queue))
        _DETACHED.add(task)
        task.add_done_callback(_DETACHED.discard)
        return _read(queue)

    async def _produce(self, user: User, turn: AcceptedTurn, queue: asyncio.Queue[TurnEvent | None]) -> None:
        try:
            async for event in self._events(user, turn):
                queue.put_nowait(event)
        finally:
            queue.put_nowait(None)

    async def _events(self, user: User, turn: AcceptedTurn) -> AsyncIterator[TurnEvent]:
        try:
            events = self.skills.stream(
                mode=turn.mode,
                state=turn.state,
                content=turn.message.content,
                role=user.role,
                history=turn.history,
                goals=turn.goals,
            )
            async for event in events:
                if event.kind == "token":
                    yield TurnEvent("token", text=event.text)
                elif event.kind == "reset":
                    yield TurnEvent("reset")
                elif event.kind == "done" and event.reply is not None:
                    stored = await asyncio.to_thread(self._store, user, turn, event.reply)
                    yield TurnEvent("done", reply=event.reply, stored=stored)
        except Exception as exc:
            log_failure("answering failed; the message %s is stored", turn.message.id, exc=exc)
            yield TurnEvent("error", text=STORE_DOWN if isinstance(exc, StoreUnavailableError) else ANSWER_FAILED)

    def _store(self, user: User, turn: AcceptedTurn, reply: Reply) -> Message:
        return store_reply(self.db_factory, user=user, turn=turn, reply=reply)

    async def run(self, user: User, *, conversation_id: str, content: str) -> AsyncIterator[TurnEvent]:
        turn = await asyncio.to_thread(self.accept, user, conversation_id=conversation_id, content=content)
        async for event in self.answer(user, turn):
            yield event


_DETACHED: set[asyncio.Task[None]] = set()


async def _read(queue: asyncio.Queue[TurnEvent | None]) -> AsyncIterator[TurnEvent]:
    while (event := await queue.get()) is not None:
        yield event


async def finish_detached_turns(timeout: float = 30.0) -> int:
    """Wait (up to ``timeout`` seconds) for turns still being answered; the number left unfinished."""
    pending = [task for task in _DETACHED if not task.done()]
    if not pending:
        return 0
    _, unfinished = await asyncio.wait(pending, timeout=timeout)
    return len(unfinished)


async def final_event(events: AsyncIterator[TurnEvent]) -> TurnEvent:
    """The ``done`` or ``error`` event that ends a turn (for front-ends that do not stream)."""
    async for event in events:
        if event.kind in ("done", "error"):
            return event
    return TurnEvent("error", text=ANSWER_FAILED)
