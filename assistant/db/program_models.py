"""The mentoring program HR runs: programs, cohorts, members' profiles, pairs and what pairs record.

Kept apart from the chat tables in ``models.py``; both share one ``Base`` so Alembic sees them all.
Privacy boundaries are properties of the data: session notes and actions belong to a pair and are
only read through the pair's members; pulses keep scores and an anonymized comment, never raw text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.db.models import Base, User, utcnow

FORMATS = ("in-person", "remote", "hybrid")
MEMBER_ROLES = ("mentor", "mentee")
PAIR_STATUSES = ("proposed", "confirmed", "ended")
PULSE_KINDS = ("session", "midpoint", "end")


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    goals: Mapped[str] = mapped_column(Text, default="")
    duration_weeks: Mapped[int] = mapped_column(Integer, default=26)
    format: Mapped[str] = mapped_column(String(20), default="hybrid")
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    success_metrics: Mapped[list[str]] = mapped_column(default=list)
    stalled_after_days: Mapped[int] = mapped_column(Integer, default=28)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="program", order_by="Cohort.id")


class Cohort(Base):
    """A group that starts together. Its ``name`` is what ``User.cohort`` and theme events carry."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    program: Mapped[Program] = relationship(back_populates="cohorts")


class Membership(Base):
    """A participant in a cohort with a role and the matching form they filled (``profile``).

    ``external_id`` is the id the organisation knows the person by (employee number); managers in
    profiles refer to it, so the reporting-line rule works for managers who are not participants.
    """

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    profile_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()


class Pair(Base):
    """A mentor and a mentee. ``proposed`` by matching or an admin; nothing is final until ``confirmed``."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20), default="matching")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    cohort: Mapped[Cohort] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])

    def has_member(self, user_id: int) -> bool:
        return user_id in (self.mentor_id, self.mentee_id)


class Agreement(Base):
    """One version of a pair's mentoring agreement; a change makes a new version both must accept."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("pair_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    drafted_by: Mapped[str] = mapped_column(String(40), default="assistant")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    mentor_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    mentee_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class PairSession(Base):
    """A session a pair held: notes private to the pair and the logger's 1-5 rating."""

    __tablename__ = "pair_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    logged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionAction(Base):
    """Something one partner will do before a due date; open ones go on the next agenda."""

    __tablename__ = "session_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("pair_sessions.id", ondelete="CASCADE"), default=None)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Pulse(Base):
    """A pulse (after a session) or survey (mid-point, end): 1-5 scores and an anonymized comment.

    The respondent's id is kept so a person answers once and sees their own answers; HR only ever
    reads aggregates over at least k respondents.
    """

    __tablename__ = "pulses"
    __table_args__ = (UniqueConstraint("user_id", "cohort_id", "kind", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("pair_sessions.id", ondelete="CASCADE"), default=None)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
