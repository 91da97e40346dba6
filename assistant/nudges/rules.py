"""What is due on a given day: one function per kind of nudge, each returning one nudge per recipient.

The rules reuse the program's own: the stalled-pair rule of :mod:`assistant.program.insights`, the
cadence calendar of :mod:`assistant.program.session_log`, and the cohort report's k-anonymous figures.
They do not look at opt-outs, e-mail addresses or what was sent already; :mod:`assistant.nudges.send`
does. A nudge carries ids, dates and counts only, never text a person wrote, and ``about`` says what
it is about so the same reminder is sent once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Goal, User
from assistant.db.program_models import Cohort, Pair
from assistant.nudges.meetings import meeting_ics, occurrence_on
from assistant.program.cohorts import all_cohorts, shared_slots
from assistant.program.insights import cohort_report, figure, stalled_pairs
from assistant.program.session_log import DAY_INDEX, cadence_calendar


@dataclass(frozen=True)
class GoalDue:
    kind: ClassVar[str] = "goal_due"
    user_id: int
    goal_id: int
    target_date: date
    days_left: int

    @property
    def about(self) -> str:
        return f"goal:{self.goal_id}:{self.target_date.isoformat()}"


@dataclass(frozen=True)
class MeetingTomorrow:
    kind: ClassVar[str] = "meeting_tomorrow"
    user_id: int
    pair_id: int
    partner: str
    starts_at: datetime
    ends_at: datetime
    ics: bytes

    @property
    def about(self) -> str:
        return f"meeting:{self.pair_id}:{self.starts_at.date().isoformat()}"


@dataclass(frozen=True)
class PairStalled:
    """``quiet_since``: where the program's clock started (last session, or confirmation); one nudge per quiet spell."""

    kind: ClassVar[str] = "pair_stalled"
    user_id: int
    pair_id: int
    partner: str
    quiet_since: date
    days_without_session: int
    never_met: bool
    cadence_days: int

    @property
    def about(self) -> str:
        return f"pair:{self.pair_id}:quiet-since:{self.quiet_since.isoformat()}"


@dataclass(frozen=True)
class CohortFigures:
    """A running cohort's figures from the cohort report: ``(label, figure)`` with the report's suppression."""

    cohort: str
    figures: tuple[tuple[str, dict[str, Any]], ...]


@dataclass(frozen=True)
class WeeklyDigest:
    kind: ClassVar[str] = "weekly_digest"
    user_id: int
    week: str
    k: int
    cohorts: tuple[CohortFigures, ...]

    @property
    def about(self) -> str:
        return f"digest:{self.week}"


Nudge = GoalDue | MeetingTomorrow | PairStalled | WeeklyDigest


def goal_due(db: Session, today: date, *, days_before: int) -> list[GoalDue]:
    """Active goals whose target date is today or within ``days_before`` days, to the goal's owner."""
    last = today + timedelta(days=days_before)
    query = (
        select(Goal.id, Goal.user_id, Goal.target_date)
        .where(Goal.status == "active", Goal.target_date.is_not(None), Goal.target_date.between(today, last))
        .order_by(Goal.target_date, Goal.id)
    )
    found = []
    for goal_id, user_id, target in db.execute(query):
        assert target is not None  # the query's condition
        found.append(GoalDue(user_id=user_id, goal_id=goal_id, target_date=target, days_left=(target - today).days))
    return found


def meeting_tomorrow(db: Session, today: date, *, link: str) -> list[MeetingTomorrow]:
    """Confirmed pairs whose cadence calendar has a meeting tomorrow, to both partners, with that meeting's .ics."""
    tomorrow = today + timedelta(days=1)
    pairs = db.scalars(
        select(Pair)
        .join(Cohort, Cohort.id == Pair.cohort_id)
        .where(Pair.status == "confirmed", Cohort.starts_on <= tomorrow, Cohort.ends_on >= tomorrow)
        .order_by(Pair.id)
    )
    found = []
    for pair in pairs:
        series = cadence_calendar(pair, slots=shared_slots(db, pair.mentor_id, pair.mentee_id))
        occurrence = occurrence_on(series, tomorrow)
        if occurrence is None:
            continue
        start, end = occurrence
        ics = meeting_ics(pair, start, end, link=link)
        for user_id, partner in ((pair.mentor_id, pair.mentee.name), (pair.mentee_id, pair.mentor.name)):
            found.append(MeetingTomorrow(user_id, pair.id, partner, start, end, ics))
    return found


def pair_stalled(db: Session, today: date) -> list[PairStalled]:
    """Pairs the program counts as stalled today (:func:`assistant.program.insights.stalled_pairs`), to both partners.

    Admins are not e-mailed about single pairs: they have the named list in the app and the count in
    their weekly digest.
    """
    found = []
    for stalled in stalled_pairs(db, all_cohorts(db), today=today):
        pair = db.get_one(Pair, stalled.pair_id)
        since = today - timedelta(days=stalled.days_without_session)
        cadence = pair.cohort.program.cadence_days
        for user_id, partner in ((pair.mentor_id, stalled.mentee), (pair.mentee_id, stalled.mentor)):
            found.append(
                PairStalled(
                    user_id=user_id,
                    pair_id=pair.id,
                    partner=partner,
                    quiet_since=since,
                    days_without_session=stalled.days_without_session,
                    never_met=stalled.last_session_on is None,
                    cadence_days=cadence,
                )
            )
    return found


def weekly_digest(db: Session, today: date, *, k: int, weekday: str) -> list[WeeklyDigest]:
    """Each running cohort's k-anonymous figures, to every admin, once per ISO week.

    Due from ``weekday`` on, so a daily run that missed that day still sends the week's digest; the
    ``about`` (the ISO week) keeps it to one. Nothing when no cohort is running.
    """
    if today.weekday() < DAY_INDEX[weekday]:
        return []
    running = [cohort for cohort in all_cohorts(db) if cohort.starts_on <= today <= cohort.ends_on]
    if not running:
        return []
    year, week, _ = today.isocalendar()
    cohorts = tuple(_figures(cohort_report(db, cohort, k=k, today=today), today, k) for cohort in running)
    admins = db.scalars(select(User.id).where(User.role == "admin").order_by(User.id))
    return [WeeklyDigest(user_id, f"{year}-W{week:02d}", k, cohorts) for user_id in admins]


def due_nudges(
    db: Session, today: date, *, k: int, goal_days_before: int, digest_weekday: str, link: str
) -> list[Nudge]:
    """Every kind's nudges for ``today``, in the order the kinds are listed in :data:`assistant.nudges.KINDS`."""
    return [
        *goal_due(db, today, days_before=goal_days_before),
        *meeting_tomorrow(db, today, link=link),
        *pair_stalled(db, today),
        *weekly_digest(db, today, k=k, weekday=digest_weekday),
    ]


def _figures(report: dict[str, Any], today: date, k: int) -> CohortFigures:
    participation = report["participation"]
    frequency = report["session_frequency"]
    goals = report["goal_progress"]
    stalled = report["stalled_pairs"]
    month = today.strftime("%Y-%m")
    sessions = next((row["sessions"] for row in report["sessions_by_month"] if row["month"] == month), figure(0, 0, k))
    return CohortFigures(
        report["cohort"]["name"],
        (
            ("Mentors", participation["mentors"]),
            ("Mentees", participation["mentees"]),
            ("Confirmed pairs", participation["confirmed_pairs"]),
            ("Pairs with an accepted agreement", participation["pairs_with_agreement_accepted"]),
            ("Pairs meeting at the cadence", frequency["pairs_on_cadence"]),
            ("Sessions per pair (mean)", frequency["mean_sessions_per_pair"]),
            (f"Sessions this month ({month})", sessions),
            (f"Pairs without a session for over {stalled['after_days']} days", stalled),
            ("People with goals", goals["people_with_goals"]),
            ("Active goals", goals["goals_by_status"]["active"]),
            ("Goals done", goals["goals_by_status"]["done"]),
        ),
    )
