"""Participant accounts beyond creation: deactivate and forget (the admin API and ``tandem users``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.db.models import Conversation, Goal, Message, User
from assistant.db.program_models import Agreement, Membership, Pair, PairSession, Pulse, SessionAction


@dataclass(frozen=True)
class Forgotten:
    conversations: int
    messages: int
    goals: int
    pairs: int = 0
    pulses: int = 0


def update_participant(
    db: Session, *, user_id: int, active: bool | None = None, cohort: str | None = None, clear_cohort: bool = False
) -> User | None:
    """Switch a token on or off (the user and their data stay) and set or clear the cohort label."""
    user = db.get(User, user_id)
    if user is None:
        return None
    if active is not None:
        user.active = active
    if cohort is not None or clear_cohort:
        user.cohort = cohort
    db.flush()
    return user


def forget_participant(db: Session, *, user_id: int) -> Forgotten | None:
    """Delete a user with their conversations, messages and goals; None if there is no such user.

    Theme events stay: they hold no text, name or id, only an HMAC of the id, and once the user row
    is gone nothing maps that key back to a person. The deletes are explicit rather than left to
    ON DELETE CASCADE, so forgetting does not depend on a connection having foreign keys enabled.
    """
    user = db.get(User, user_id)
    if user is None:
        return None
    conversation_ids = select(Conversation.id).where(Conversation.user_id == user_id).scalar_subquery()
    messages = db.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    conversations = db.execute(delete(Conversation).where(Conversation.user_id == user_id))
    goals = db.execute(delete(Goal).where(Goal.user_id == user_id))
    pairs = _forget_pairs(db, user_id)
    pulses = db.execute(delete(Pulse).where(Pulse.user_id == user_id))
    db.execute(delete(Membership).where(Membership.user_id == user_id))
    db.execute(delete(User).where(User.id == user_id))
    return Forgotten(_count(conversations), _count(messages), _count(goals), pairs, _count(pulses))


def _forget_pairs(db: Session, user_id: int) -> int:
    """A pair's agreement, sessions and actions describe both people, so they go with the pair."""
    pair_ids = list(db.scalars(select(Pair.id).where((Pair.mentor_id == user_id) | (Pair.mentee_id == user_id))))
    if not pair_ids:
        return 0
    session_ids = select(PairSession.id).where(PairSession.pair_id.in_(pair_ids)).scalar_subquery()
    db.execute(delete(Pulse).where(Pulse.session_id.in_(session_ids)))
    db.execute(delete(SessionAction).where(SessionAction.pair_id.in_(pair_ids)))
    db.execute(delete(PairSession).where(PairSession.pair_id.in_(pair_ids)))
    db.execute(delete(Agreement).where(Agreement.pair_id.in_(pair_ids)))
    db.execute(delete(Pair).where(Pair.id.in_(pair_ids)))
    return len(pair_ids)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
