"""One chat turn: store the question first, answer, store the reply; nothing accepted is ever lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.coaching.modes import MODES, initial_state, mode_of, validate_message
from assistant.coaching.qa import Reply
from assistant.coaching.sessions import GoalBrief
from assistant.db import crud
from assistant.db.engine import session_scope
from assistant.db.models import Conversation, Message, User

HISTORY_TURNS = 6


class ConversationNotFoundError(LookupError):
    pass


@dataclass
class AcceptedTurn:
    conversation_id: str
    mode: str
    state: dict[str, Any]
    message: Message
    history: list[tuple[str, str]]
    goals: list[GoalBrief] = field(default_factory=list)


def start_conversation(
    sessions: sessionmaker[Session], *, user: User, title: str, mode: str, options: dict[str, Any], knowledge_dir: Path
) -> Conversation:
    """Create a conversation in ``mode``; a rehearsal opens with the persona's first line."""
    state, opening = initial_state(mode, options, knowledge_dir)
    with session_scope(sessions) as session:
        conversation = crud.create_conversation(session, user=user, title=title, mode=mode)
        conversation.state = state
        if opening:
            crud.add_message(session, conversation=conversation, role="assistant", content=opening, provider="offline")
        session.flush()
        return conversation


def active_goal_briefs(session: Session, user: User) -> list[GoalBrief]:
    return [
        GoalBrief(id=goal.id, text=goal.text, target_date=goal.target_date)
        for goal in crud.list_goals(session, user=user, status="active")
    ]


def accept_message(sessions: sessionmaker[Session], *, user: User, conversation_id: str, content: str) -> AcceptedTurn:
    """Store the participant's message (after the mode's own input checks, which raise ``ValueError``)."""
    with session_scope(sessions) as session:
        conversation = crud.get_own_conversation(session, user=user, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFoundError(conversation_id)
        validate_message(conversation.mode, content)
        recent = crud.recent_messages(session, conversation=conversation, limit=HISTORY_TURNS)
        history = [(m.role, m.content) for m in recent]
        goals = active_goal_briefs(session, user) if MODES[mode_of(conversation.mode)].reads_goals else []
        message = crud.add_message(session, conversation=conversation, role="user", content=content)
        return AcceptedTurn(conversation.id, conversation.mode, dict(conversation.state), message, history, goals)


def store_reply(sessions: sessionmaker[Session], *, user: User, turn: AcceptedTurn, reply: Reply) -> Message:
    """Store the reply and the mode's new state in one transaction."""
    with session_scope(sessions) as session:
        conversation = crud.get_own_conversation(session, user=user, conversation_id=turn.conversation_id)
        if conversation is None:
            raise ConversationNotFoundError(turn.conversation_id)
        if reply.state is not None:
            conversation.state = reply.state
        return crud.add_message(
            session,
            conversation=conversation,
            role="assistant",
            content=reply.text,
            citations=reply.citations,
            provider=reply.provider,
            fallback=reply.fallback,
            data=reply.data,
        )
