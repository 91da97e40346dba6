"""Participant accounts beyond creation: deactivate and forget (the admin API and ``tandem users``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.db.models import Conversation, Goal, Message, User


@dataclass(frozen=True)
class Forgotten:
    conversations: int
    messages: int
    goals: int


def set_active(session: Session, *, user_id: int, active: bool) -> User | None:
    """Switch a token on or off; the user and their data stay."""
    user = session.get(User, user_id)
    if user is None:
        return None
    user.active = active
    session.flush()
    return user


def forget_participant(session: Session, *, user_id: int) -> Forgotten | None:
    """Delete a user with their conversations, messages and goals; None if there is no such user.

    Theme events stay: they hold no text, name or id, only an HMAC of the id, and once the user row
    is gone nothing maps that key back to a person. The deletes are explicit rather than left to
    ON DELETE CASCADE, so forgetting does not depend on a connection having foreign keys enabled.
    """
    user = session.get(User, user_id)
    if user is None:
        return None
    conversation_ids = select(Conversation.id).where(Conversation.user_id == user_id).scalar_subquery()
    messages = session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    conversations = session.execute(delete(Conversation).where(Conversation.user_id == user_id))
    goals = session.execute(delete(Goal).where(Goal.user_id == user_id))
    session.execute(delete(User).where(User.id == user_id))
    return Forgotten(_count(conversations), _count(messages), _count(goals))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
