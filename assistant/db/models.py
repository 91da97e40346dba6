"""SQLAlchemy 2.0 typed models."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("mentee", "mentor", "hr", "admin")
GOAL_STATUSES = ("draft", "active", "done")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[dict[str, Any]]: JSON,
        list[str]: JSON,
    }


class User(Base):
    __tablename__ = "users"
    # Never reuse a deleted user's id: theme events are keyed by an HMAC of it.
    __table_args__ = (
        UniqueConstraint("email", name="uq_users_email"),
        UniqueConstraint("oidc_subject", name="uq_users_oidc_subject"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    cohort: Mapped[str | None] = mapped_column(String(100), default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Organisation integrations (migration 0007): the roster's e-mail (lower-cased, the import's key),
    # the HR department, the identity provider's subject, and the e-mail nudges this user turned off.
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    department: Mapped[str | None] = mapped_column(String(100), default=None)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), default=None)
    nudges_off: Mapped[list[str]] = mapped_column(default=list, server_default="[]")

    conversations: Mapped[list[Conversation]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    goals: Mapped[list[Goal]] = relationship(back_populates="user", cascade="all, delete-orphan", passive_deletes=True)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[str] = mapped_column(String(20), default="ask")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="conversations")
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Message.id",
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    provider: Mapped[str | None] = mapped_column(String(100), default=None)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class ThemeOutbox(Base):
    """A participant message whose themes are still to be counted, written in the message's own
    transaction: a worker counts it and deletes the row in one transaction, so a crash anywhere leaves
    every accepted message counted exactly once (the row is still there, or its events are)."""

    __tablename__ = "theme_outbox"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NudgeSent(Base):
    """An e-mail nudge already sent, so a daily run never sends the same reminder twice. ``about`` names
    what it was about (a goal id and its date, a meeting, a pair and its quiet spell, a digest week)."""

    __tablename__ = "nudges_sent"
    __table_args__ = (Index("ix_nudges_sent_once", "user_id", "kind", "about", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    about: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Goal(Base):
    """A mentee's development goal, with the SMART analysis it was saved with."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    target_date: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="goals")


class ThemeEvent(Base):
    """One theme mentioned by one participant in one week: no text, no name, no user id.

    ``participant_key`` is an HMAC of the user id under a secret from configuration, so HR can count
    distinct people without being able to say who; deleting a user leaves these rows unlinkable.
    Only the ISO week is kept, never the time of the message.
    """

    __tablename__ = "theme_events"
    __table_args__ = (
        Index("ix_theme_events_week_theme", "week_start", "theme"),
        # Covering indexes for the HR report's GROUP BY with COUNT(DISTINCT participant_key).
        Index("ix_theme_events_week_theme_key", "week_start", "theme", "participant_key"),
        Index("ix_theme_events_week_theme_role_key", "week_start", "theme", "role", "participant_key"),
        Index("ix_theme_events_week_theme_cohort_key", "week_start", "theme", "cohort", "participant_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    cohort: Mapped[str | None] = mapped_column(String(100), default=None)
    week_start: Mapped[date] = mapped_column(Date)
    participant_key: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(default=0.0)


class ThemePresence(Base):
    """A participant already counted for a theme in one week or month bucket (see ``assistant.themes.rollup``).

    Distinct participants cannot be summed across periods (someone active in two weeks of a month
    is one person in that month), so week and month buckets (``period``) are kept separately, each
    keyed by its first day (a week belongs to the month of its Monday). ``role`` and ``cohort`` are
    the groups of the first event seen in the bucket (``cohort`` as the report's group name, never
    NULL); a participant who shows up in other groups of the same bucket is in
    :class:`ThemeGroupPresence`. Theme events are append-only (forgetting a user keeps their
    unlinkable events), so these rows and :class:`ThemeCount` only ever grow.
    """

    __tablename__ = "theme_presence"
    __table_args__ = ({"sqlite_with_rowid": False},)

    period: Mapped[str] = mapped_column(String(5), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    theme: Mapped[str] = mapped_column(String(80), primary_key=True)
    participant_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    cohort: Mapped[str] = mapped_column(String(100))


class ThemeGroupPresence(Base):
    """A participant counted in a role or cohort of a bucket other than the one of their first event there.

    Rare (a participant whose role or cohort changed within a week or month), but needed for the
    report's counts to equal ``COUNT(DISTINCT participant_key)`` per group exactly.
    """

    __tablename__ = "theme_group_presence"
    __table_args__ = ({"sqlite_with_rowid": False},)

    period: Mapped[str] = mapped_column(String(5), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    theme: Mapped[str] = mapped_column(String(80), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(6), primary_key=True)
    group_value: Mapped[str] = mapped_column(String(100), primary_key=True)
    participant_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class ThemeCount(Base):
    """Distinct participants and mentions of a theme in one week or month, overall or for one role or cohort.

    The HR report's cells, pre-aggregated: ``dimension`` is ``all`` (``group_value`` ``''``), ``role``
    or ``cohort`` (``group_value`` the report's group name, ``(none)`` for no cohort). Week and month
    rows are kept separately because distinct counts do not add up across periods. Maintained in
    the same transaction as the theme events they count, with atomic increments; events are
    append-only, so the counts only ever grow.
    """

    __tablename__ = "theme_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    period: Mapped[str] = mapped_column(String(5), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(6), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    theme: Mapped[str] = mapped_column(String(80), primary_key=True)
    group_value: Mapped[str] = mapped_column(String(100), primary_key=True)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    mentions: Mapped[int] = mapped_column(Integer, default=0)
