"""What a pair records after each session: notes (private to the pair), actions, a 1-5 rating.

Open actions and the latest notes are what the session planner reads for the next agenda; the
cadence becomes one recurring calendar event for the whole cohort.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar, Event, vRecur
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import User, utcnow
from assistant.db.program_models import Pair, PairSession, SessionAction
from assistant.program.cohorts import Conflict, NotFound, ProgramError

MAX_NOTES_CHARS = 8000
MAX_ACTION_CHARS = 300
MAX_ACTIONS = 20
SLOT_TIMES = {"am": time(9, 30), "lunch": time(12, 30), "pm": time(15, 0)}
DAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
PRODID = "-//Tandem//reverse mentoring cadence//EN"


@dataclass(frozen=True)
class ActionDraft:
    text: str
    owner: str  # "mentor" or "mentee"
    due_on: date | None = None


def log_session(
    db: Session,
    *,
    pair: Pair,
    user: User,
    held_on: date,
    notes: str = "",
    rating: int | None = None,
    actions: Sequence[ActionDraft] = (),
    today: date | None = None,
) -> PairSession:
    """Store one held session with its actions, all or nothing."""
    if pair.status != "confirmed":
        raise Conflict(f"pair {pair.id} is {pair.status}; sessions are logged for confirmed pairs")
    if held_on > (today or datetime.now(UTC).date()):
        raise ProgramError("held_on is in the future; log a session after it took place")
    if held_on < pair.cohort.starts_on - timedelta(days=30):
        raise ProgramError("held_on is before the cohort started")
    if rating is not None and not 1 <= rating <= 5:
        raise ProgramError("rating must be between 1 and 5")
    if len(notes) > MAX_NOTES_CHARS:
        raise ProgramError(f"notes are longer than {MAX_NOTES_CHARS} characters")
    if len(actions) > MAX_ACTIONS:
        raise ProgramError(f"at most {MAX_ACTIONS} actions per session")
    logged = PairSession(pair_id=pair.id, held_on=held_on, logged_by=user.id, notes=notes.strip(), rating=rating)
    db.add(logged)
    db.flush()
    for draft in actions:
        add_action(db, pair=pair, draft=draft, session_id=logged.id)
    return logged


def add_action(db: Session, *, pair: Pair, draft: ActionDraft, session_id: int | None = None) -> SessionAction:
    text = " ".join(draft.text.split())
    if not text:
        raise ProgramError("an action needs a text")
    if len(text) > MAX_ACTION_CHARS:
        raise ProgramError(f"an action is longer than {MAX_ACTION_CHARS} characters")
    owner = {"mentor": pair.mentor_id, "mentee": pair.mentee_id}.get(draft.owner)
    if owner is None:
        raise ProgramError("an action's owner is 'mentor' or 'mentee'")
    action = SessionAction(pair_id=pair.id, session_id=session_id, text=text, owner_id=owner, due_on=draft.due_on)
    db.add(action)
    db.flush()
    return action


def pair_sessions(db: Session, pair: Pair) -> list[PairSession]:
    query = select(PairSession).where(PairSession.pair_id == pair.id).order_by(PairSession.held_on, PairSession.id)
    return list(db.scalars(query))


def pair_actions(db: Session, pair: Pair, *, open_only: bool = False) -> list[SessionAction]:
    query = select(SessionAction).where(SessionAction.pair_id == pair.id)
    if open_only:
        query = query.where(SessionAction.done_at.is_(None))
    return list(db.scalars(query.order_by(SessionAction.due_on.is_(None), SessionAction.due_on, SessionAction.id)))


def set_action_done(db: Session, *, action_id: int, user: User, done: bool) -> SessionAction:
    """Mark an action done (or open again); only the pair's two people can."""
    action = db.get(SessionAction, action_id)
    pair = db.get(Pair, action.pair_id) if action is not None else None
    if action is None or pair is None or not pair.has_member(user.id):
        raise NotFound(f"action {action_id} not found")
    action.done_at = (action.done_at or utcnow()) if done else None
    db.flush()
    return action


def agenda_inputs(db: Session, pair: Pair) -> tuple[list[str], str]:
    """Open actions (with owner and due date) and the latest notes, for ``plan_session``."""
    names = {pair.mentor_id: pair.mentor.name, pair.mentee_id: pair.mentee.name}
    actions = [
        f"{action.text} ({names.get(action.owner_id, 'someone')}"
        + (f", due {action.due_on.isoformat()})" if action.due_on else ")")
        for action in pair_actions(db, pair, open_only=True)
    ]
    sessions = pair_sessions(db, pair)
    notes = next((s.notes for s in reversed(sessions) if s.notes), "")
    return actions, notes


def last_session_day(db: Session, pair: Pair) -> date | None:
    query = select(PairSession.held_on).where(PairSession.pair_id == pair.id).order_by(PairSession.held_on.desc())
    return db.scalar(query.limit(1))


def cadence_calendar(pair: Pair, *, slots: Sequence[str], minutes: int = 60, stamp: datetime | None = None) -> bytes:
    """One recurring event from the cohort's start to its end at the pair's cadence, in their first shared slot."""
    cohort, program = pair.cohort, pair.cohort.program
    slot = sorted(slots, key=lambda s: (DAY_INDEX[s.split("-")[0]], s))[0] if slots else "tue-am"
    day, part = slot.split("-", 1)
    first = cohort.starts_on + timedelta(days=(DAY_INDEX[day] - cohort.starts_on.weekday()) % 7)
    start = datetime.combine(first, SLOT_TIMES[part])
    event = Event()
    event.add("uid", f"tandem-pair-{pair.id}-cadence@tandem")
    event.add("dtstamp", stamp or datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", f"Reverse mentoring: {pair.mentor.name} and {pair.mentee.name}")
    event.add("description", f"Every {program.cadence_days} days until {cohort.ends_on.isoformat()} ({program.name}).")
    rule: dict[str, object] = {"until": datetime.combine(cohort.ends_on, time(23, 59))}
    if program.cadence_days % 7 == 0:
        rule.update(freq="weekly", interval=program.cadence_days // 7)
    else:
        rule.update(freq="daily", interval=program.cadence_days)
    event.add("rrule", vRecur(rule))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
