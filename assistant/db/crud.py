"""Plain data-access functions with keyword-only arguments."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant.db.models import ROLES, Conversation, Goal, Message, User, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(db: Session, *, name: str, role: str, cohort: str | None = None) -> tuple[User, str]:
    """Create a user and return it with its token; only the token's hash is stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not name.strip():
        raise ValueError("name must not be empty")
    token = "tdm_" + secrets.token_urlsafe(24)
    user = User(name=name.strip(), role=role, cohort=cohort, token_hash=hash_token(token))
    db.add(user)
    db.flush()
    return user, token


LOCAL_PARTICIPANTS = {"mentee": "Terminal mentee", "mentor": "Terminal mentor"}


def local_participant(db: Session, *, role: str) -> User:
    """The participant ``tandem chat`` uses without a token, created on first use (its token is never
    shown). Its name is not a person's, so it is kept off the anonymizer's roster."""
    if role not in LOCAL_PARTICIPANTS:
        raise ValueError(f"without a token, chat as a mentee or mentor (not {role!r}); HR asks with tandem ask")
    name = LOCAL_PARTICIPANTS[role]
    found = db.scalar(select(User).where(User.name == name, User.role == role, User.active))
    return found or create_user(db, name=name, role=role)[0]


def local_owner_of(db: Session, *, conversation_id: str) -> User | None:
    """The local terminal participant who owns ``conversation_id``, if one does."""
    conversation = db.get(Conversation, conversation_id)
    if conversation is None:
        return None
    owner = db.get(User, conversation.user_id)
    local = owner is not None and owner.active and LOCAL_PARTICIPANTS.get(owner.role) == owner.name
    return owner if local else None


def user_by_token(db: Session, *, token: str) -> User | None:
    user = db.scalar(select(User).where(User.token_hash == hash_token(token)))
    return user if user and user.active else None


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))


def create_conversation(db: Session, *, user: User, title: str = "", mode: str = "ask") -> Conversation:
    conversation = Conversation(user_id=user.id, title=title, mode=mode, state={})
    db.add(conversation)
    db.flush()
    return conversation


def list_conversations(db: Session, *, user: User, limit: int = 100, offset: int = 0) -> list[Conversation]:
    query = (
        select(Conversation)
        .where(Conversation.user_id == user.id)
        .order_by(Conversation.updated_at.desc(), Conversation.id)
        .limit(limit)
        .offset(offset)
    )
    return list(db.scalars(query))


def count_conversations(db: Session, *, user: User) -> int:
    return db.scalar(select(func.count()).where(Conversation.user_id == user.id)) or 0


def get_own_conversation(db: Session, *, user: User, conversation_id: str) -> Conversation | None:
    """A conversation only if it belongs to ``user``: anyone else's looks like it does not exist."""
    conversation = db.get(Conversation, conversation_id)
    if conversation is None or conversation.user_id != user.id:
        return None
    return conversation


def rename_conversation(db: Session, *, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    db.flush()
    return conversation


def delete_conversation(db: Session, *, conversation: Conversation) -> None:
    """Delete the conversation with its messages (its theme events stay: they name nobody)."""
    db.delete(conversation)
    db.flush()


def last_user_message(db: Session, *, conversation: Conversation) -> Message | None:
    query = (
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.role == "user")
        .order_by(Message.id.desc())
        .limit(1)
    )
    return db.scalar(query)


def drop_messages_after(db: Session, *, message: Message) -> int:
    """Delete the messages after ``message`` in its conversation (a reply about to be answered again)."""
    later = list(
        db.scalars(select(Message).where(Message.conversation_id == message.conversation_id, Message.id > message.id))
    )
    for stale in later:
        db.delete(stale)
    db.flush()
    return len(later)


def messages_before(db: Session, *, message: Message, limit: int) -> list[Message]:
    """The ``limit`` messages before ``message``, oldest first."""
    query = (
        select(Message)
        .where(Message.conversation_id == message.conversation_id, Message.id < message.id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(list(db.scalars(query))))


def add_message(
    db: Session,
    *,
    conversation: Conversation,
    role: str,
    content: str,
    citations: list[dict[str, Any]] | None = None,
    provider: str | None = None,
    fallback: bool = False,
    data: dict[str, Any] | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        role=role,
        content=content,
        citations=citations or [],
        provider=provider,
        fallback=fallback,
        data=data or {},
    )
    db.add(message)
    conversation.updated_at = utcnow()
    if not conversation.title and role == "user":
        conversation.title = content[:60]
    db.flush()
    return message


def recent_messages(db: Session, *, conversation: Conversation, limit: int) -> list[Message]:
    """The last ``limit`` messages, oldest first (what a chat model sees as history)."""
    query = select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id.desc()).limit(limit)
    return list(reversed(list(db.scalars(query))))


def recent_lines(db: Session, *, conversation_id: str, limit: int) -> list[tuple[str, str]]:
    """The last ``limit`` messages as (role, content), oldest first: the history a turn needs, read as two
    columns instead of whole ``Message`` objects (no JSON columns decoded, nothing in the identity map)."""
    query = (
        select(Message.role, Message.content)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return [(role, content) for role, content in reversed(db.execute(query).all())]


def add_reply(
    db: Session,
    *,
    user: User,
    conversation_id: str,
    state: dict[str, Any] | None,
    content: str,
    citations: list[dict[str, Any]],
    provider: str | None,
    fallback: bool,
    data: dict[str, Any] | None,
) -> Message | None:
    """Store an assistant reply without loading the conversation: one UPDATE (whose WHERE also checks the
    owner) and one INSERT. None when the conversation is gone or not ``user``'s."""
    values: dict[str, Any] = {"updated_at": utcnow()}
    if state is not None:
        values["state"] = state
    updated = db.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.user_id == user.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        return None
    message = Message(
        conversation_id=conversation_id,
        role="assistant",
        content=content,
        citations=citations,
        provider=provider,
        fallback=fallback,
        data=data or {},
    )
    db.add(message)
    db.flush()
    return message


def list_messages(db: Session, *, conversation: Conversation) -> list[Message]:
    return list(db.scalars(select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)))


def transcripts_with_message(
    db: Session, *, user: User, mode: str, content: str, limit: int
) -> list[tuple[str, list[tuple[str, str]]]]:
    """``user``'s conversations in ``mode`` that hold a message of theirs reading exactly ``content``, most
    recently updated first, each as (id, [(role, content), ...] oldest first)."""
    holding = select(Message.id).where(
        Message.conversation_id == Conversation.id, Message.role == "user", Message.content == content
    )
    ids = list(
        db.scalars(
            select(Conversation.id)
            .where(Conversation.user_id == user.id, Conversation.mode == mode, holding.exists())
            .order_by(Conversation.updated_at.desc(), Conversation.id)
            .limit(limit)
        )
    )
    if not ids:
        return []
    lines: dict[str, list[tuple[str, str]]] = {conversation_id: [] for conversation_id in ids}
    rows = db.execute(
        select(Message.conversation_id, Message.role, Message.content)
        .where(Message.conversation_id.in_(ids))
        .order_by(Message.id)
    )
    for conversation_id, role, text in rows:
        lines[conversation_id].append((role, text))
    return list(lines.items())


def create_goal(
    db: Session,
    *,
    user: User,
    text: str,
    criteria: dict[str, Any],
    status: str = "draft",
    milestones: list[dict[str, Any]] | None = None,
    target_date: date | None = None,
) -> Goal:
    goal = Goal(
        user_id=user.id,
        text=text,
        criteria=criteria,
        status=status,
        milestones=milestones or [],
        target_date=target_date,
    )
    db.add(goal)
    db.flush()
    return goal


def list_goals(db: Session, *, user: User, status: str | None = None) -> list[Goal]:
    query = select(Goal).where(Goal.user_id == user.id)
    if status:
        query = query.where(Goal.status == status)
    return list(db.scalars(query.order_by(Goal.id)))


def get_own_goal(db: Session, *, user: User, goal_id: int) -> Goal | None:
    """A goal only if it belongs to ``user``: anyone else's looks like it does not exist."""
    goal = db.get(Goal, goal_id)
    if goal is None or goal.user_id != user.id:
        return None
    return goal


def update_goal(db: Session, *, goal: Goal, changes: dict[str, Any]) -> Goal:
    for field, value in changes.items():
        setattr(goal, field, value)
    goal.updated_at = utcnow()
    db.flush()
    return goal
