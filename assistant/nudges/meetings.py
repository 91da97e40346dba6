"""A pair's planned meetings, read from the calendar Tandem already gives them.

Tandem stores no booked meeting: a pair's schedule is the recurring event of
:func:`assistant.program.session_log.cadence_calendar` (their first shared weekly slot, every
``cadence_days`` from the cohort's start to its end), the file ``GET /pairs/{id}/calendar.ics``
hands out. A meeting "tomorrow" is an occurrence of that very event, so the reminder and the
calendar the pair imported never disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from assistant.db.program_models import Pair
from assistant.program.session_log import PRODID

STEP_DAYS = {"DAILY": 1, "WEEKLY": 7}


def occurrence_on(series: bytes, day: date) -> tuple[datetime, datetime] | None:
    """Start and end of the series' occurrence on ``day``, or None when it has none that day.

    Understands what ``cadence_calendar`` writes (a DAILY or WEEKLY rule with an INTERVAL and an
    UNTIL); any other rule yields None rather than a guess.
    """
    event = Calendar.from_ical(series).walk("VEVENT")[0]
    start: datetime = event.decoded("dtstart")
    end: datetime = event.decoded("dtend")
    rule = event.get("rrule")
    if rule is None:
        return (start, end) if start.date() == day else None
    if set(rule) - {"FREQ", "INTERVAL", "UNTIL"}:
        return None
    step = STEP_DAYS.get(rule["FREQ"][0])
    if step is None:
        return None
    every = step * int(rule.get("INTERVAL", [1])[0])
    offset = (day - start.date()).days
    if offset < 0 or offset % every:
        return None
    moved = timedelta(days=offset)
    until = rule.get("UNTIL", [None])[0]
    if until is not None and _naive(start + moved) > _naive(until):
        return None
    return start + moved, end + moved


def meeting_ics(pair: Pair, start: datetime, end: datetime, *, link: str, stamp: datetime | None = None) -> bytes:
    """One event for one meeting of the pair, in the floating local time of their cadence calendar.

    Its UID names the pair and the day, so a second reminder about the same meeting updates the
    calendar entry instead of adding one. No notes, actions or goals go in it.
    """
    program = pair.cohort.program
    event = Event()
    event.add("uid", f"tandem-pair-{pair.id}-{start:%Y%m%d}@tandem")
    event.add("dtstamp", stamp or datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"Reverse mentoring: {pair.mentor.name} and {pair.mentee.name}")
    event.add(
        "description",
        f"Your {program.name} meeting (every {program.cadence_days} days). Plan the agenda in Tandem: {link}",
    )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def _naive(moment: datetime | date) -> datetime:
    if not isinstance(moment, datetime):
        return datetime.combine(moment, datetime.max.time())
    return moment.replace(tzinfo=None)
