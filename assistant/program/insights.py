"""HR's view of a cohort, in numbers only, and the admin's list of stalled pairs.

Every figure carries the number of people it describes; a figure about fewer than ``k`` people is
withheld (``value`` null, ``suppressed`` true), the same rule as the theme report. A figure about
nobody (an empty month) is shown as it is: it describes no one. Monthly series are published
without totals beside them, so a hidden month cannot be recovered by subtraction. No notes, goal
text, comments or names ever leave this module; stalled-pair alerts go to the program admin by
pair and carry dates only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from statistics import mean
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Goal
from assistant.db.program_models import Cohort, Membership, Pair, PairSession, Pulse
from assistant.program.agreement import current_agreement, is_accepted
from assistant.program.pulse import QUESTIONS


def figure(value: float | int | None, people: int, k: int) -> dict[str, Any]:
    hidden = 0 < people < k
    shown = None if hidden or value is None else (round(value, 2) if isinstance(value, float) else value)
    return {"value": shown, "people": None if hidden else people, "suppressed": hidden}


def cohort_report(db: Session, cohort: Cohort, *, k: int, today: date | None = None) -> dict[str, Any]:
    """Participation, session frequency against cadence, rating trend, goal progress and pulses."""
    today = today or datetime.now(UTC).date()
    program = cohort.program
    roles = dict(
        db.execute(
            select(Membership.role, func.count()).where(Membership.cohort_id == cohort.id).group_by(Membership.role)
        ).all()
    )
    confirmed = list(
        db.scalars(select(Pair).where(Pair.cohort_id == cohort.id, Pair.status.in_(("confirmed", "ended"))))
    )
    sessions = list(
        db.scalars(select(PairSession).join(Pair, Pair.id == PairSession.pair_id).where(Pair.cohort_id == cohort.id))
    )
    people_in_pairs = 2 * len(confirmed)
    return {
        "cohort": {
            "id": cohort.id,
            "name": cohort.name,
            "program": program.name,
            "starts_on": cohort.starts_on.isoformat(),
            "ends_on": cohort.ends_on.isoformat(),
            "cadence_days": program.cadence_days,
        },
        "k": k,
        "participation": {
            "mentors": figure(roles.get("mentor", 0), roles.get("mentor", 0), k),
            "mentees": figure(roles.get("mentee", 0), roles.get("mentee", 0), k),
            "confirmed_pairs": figure(len(confirmed), people_in_pairs, k),
            "pairs_with_agreement_accepted": _agreements(db, confirmed, k),
        },
        "session_frequency": _frequency(confirmed, sessions, program.cadence_days, today, k),
        "sessions_by_month": _by_month(confirmed, sessions, k),
        "goal_progress": _goals(db, cohort, k),
        "pulses": _pulses(db, cohort, k),
        "stalled_pairs": _stalled_count(db, cohort, today, k),
    }


@dataclass(frozen=True)
class StalledPair:
    pair_id: int
    cohort: str
    mentor: str
    mentee: str
    last_session_on: date | None
    days_without_session: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "pair_id": self.pair_id,
            "cohort": self.cohort,
            "mentor": self.mentor,
            "mentee": self.mentee,
            "last_session_on": self.last_session_on.isoformat() if self.last_session_on else None,
            "days_without_session": self.days_without_session,
        }


def stalled_pairs(
    db: Session, cohorts: Iterable[Cohort], *, today: date | None = None, after_days: int | None = None
) -> list[StalledPair]:
    """Confirmed pairs with no session for longer than the program's (or the given) number of days.

    The clock starts at the last logged session, or at confirmation for a pair that never met.
    """
    today = today or datetime.now(UTC).date()
    found = []
    for cohort in cohorts:
        limit = after_days if after_days is not None else cohort.program.stalled_after_days
        pairs = db.scalars(select(Pair).where(Pair.cohort_id == cohort.id, Pair.status == "confirmed"))
        last = _last_sessions(db, cohort)
        for pair in pairs:
            since = last.get(pair.id) or _day(pair.confirmed_at) or cohort.starts_on
            idle = (today - max(since, cohort.starts_on)).days
            if idle > limit and today <= cohort.ends_on:
                found.append(
                    StalledPair(pair.id, cohort.name, pair.mentor.name, pair.mentee.name, last.get(pair.id), idle)
                )
    return sorted(found, key=lambda s: -s.days_without_session)


def _last_sessions(db: Session, cohort: Cohort) -> dict[int, date]:
    query = (
        select(PairSession.pair_id, func.max(PairSession.held_on))
        .join(Pair, Pair.id == PairSession.pair_id)
        .where(Pair.cohort_id == cohort.id)
        .group_by(PairSession.pair_id)
    )
    return {pair_id: held_on for pair_id, held_on in db.execute(query)}


def _stalled_count(db: Session, cohort: Cohort, today: date, k: int) -> dict[str, Any]:
    stalled = stalled_pairs(db, [cohort], today=today)
    return {**figure(len(stalled), 2 * len(stalled), k), "after_days": cohort.program.stalled_after_days}


def _agreements(db: Session, pairs: list[Pair], k: int) -> dict[str, Any]:
    accepted = sum(1 for pair in pairs if (a := current_agreement(db, pair)) is not None and is_accepted(a))
    return figure(accepted, 2 * accepted, k)


def _frequency(pairs: list[Pair], sessions: list[PairSession], cadence: int, today: date, k: int) -> dict[str, Any]:
    """Sessions held per pair against sessions expected at the cadence since confirmation."""
    held: dict[int, int] = defaultdict(int)
    for logged in sessions:
        held[logged.pair_id] += 1
    ratios = []
    for pair in pairs:
        start = max(_day(pair.confirmed_at) or pair.cohort.starts_on, pair.cohort.starts_on)
        end = min(today, _day(pair.ended_at) or today, pair.cohort.ends_on)
        expected = max(1, (end - start).days // cadence)
        ratios.append(min(held[pair.id] / expected, 2.0))
    people = 2 * len(pairs)
    on_cadence = sum(1 for ratio in ratios if ratio >= 0.8)
    return {
        "mean_sessions_per_pair": figure(mean(held[p.id] for p in pairs) if pairs else None, people, k),
        "mean_share_of_cadence": figure(mean(ratios) if ratios else None, people, k),
        "pairs_on_cadence": figure(on_cadence, people, k),
    }


def _by_month(pairs: list[Pair], sessions: list[PairSession], k: int) -> list[dict[str, Any]]:
    confirmed = {pair.id for pair in pairs}
    months: dict[str, list[PairSession]] = defaultdict(list)
    for logged in sessions:
        if logged.pair_id in confirmed:
            months[logged.held_on.strftime("%Y-%m")].append(logged)
    rows = []
    for month in sorted(months):
        entries = months[month]
        people = 2 * len({logged.pair_id for logged in entries})
        ratings = [logged.rating for logged in entries if logged.rating is not None]
        raters = len({logged.logged_by for logged in entries if logged.rating is not None})
        rows.append(
            {
                "month": month,
                "sessions": figure(len(entries), people, k),
                "mean_rating": figure(mean(ratings) if ratings else None, raters, k),
            }
        )
    return rows


def _goals(db: Session, cohort: Cohort, k: int) -> dict[str, Any]:
    query = (
        select(Goal.status, func.count(), func.count(func.distinct(Goal.user_id)))
        .join(Membership, Membership.user_id == Goal.user_id)
        .where(Membership.cohort_id == cohort.id)
        .group_by(Goal.status)
    )
    counts = {status: figure(goals, people, k) for status, goals, people in db.execute(query)}
    with_goals = db.scalar(
        select(func.count(func.distinct(Goal.user_id)))
        .join(Membership, Membership.user_id == Goal.user_id)
        .where(Membership.cohort_id == cohort.id)
    )
    return {
        "people_with_goals": figure(with_goals or 0, with_goals or 0, k),
        "goals_by_status": {status: counts.get(status, figure(0, 0, k)) for status in ("draft", "active", "done")},
    }


def _pulses(db: Session, cohort: Cohort, k: int) -> dict[str, Any]:
    pulses = list(db.scalars(select(Pulse).where(Pulse.cohort_id == cohort.id)))
    result: dict[str, Any] = {}
    for kind, questions in QUESTIONS.items():
        answered = [pulse for pulse in pulses if pulse.kind == kind]
        people = len({pulse.user_id for pulse in answered})
        themes: dict[str, set[int]] = defaultdict(set)
        for pulse in answered:
            for theme in pulse.themes:
                themes[theme].add(pulse.user_id)
        result[kind] = {
            "respondents": figure(people, people, k),
            "questions": {
                name: {
                    "text": text,
                    **figure(mean(p.scores[name] for p in answered) if answered else None, people, k),
                }
                for name, text in questions.items()
            },
            # Only themes raised by at least k people are listed: a theme's mere presence would say something.
            "themes": {theme: len(who) for theme, who in sorted(themes.items()) if len(who) >= k},
        }
    return result


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None
