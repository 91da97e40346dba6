"""Export a session agenda as an iCalendar invitation (one VEVENT)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from assistant.coaching.sessions import Agenda

PRODID = "-//Tandem//Reverse mentoring planner//EN"


MAX_DAYS_AHEAD = 731


def check_session_start(value: datetime, now: datetime | None = None) -> None:
    """A session invitation starts from now (five minutes' grace) to two years ahead; naive times are UTC."""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if moment < now - timedelta(minutes=5):
        raise ValueError("the session start is in the past; choose a time from now on")
    if moment > now + timedelta(days=MAX_DAYS_AHEAD):
        raise ValueError("the session start is more than two years ahead")


def agenda_to_ics(
    agenda: Agenda,
    *,
    start: datetime,
    summary: str = "Reverse-mentoring session",
    location: str | None = None,
    uid: str | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """An .ics file for the session; the agenda, with clock times, becomes the event's description.

    A naive ``start`` stays floating local time; an aware one is written in UTC. Without ``uid`` the
    event gets one derived from the start and the agenda, so exporting the same plan twice updates
    the same calendar entry instead of adding a second one. ``stamp`` (DTSTAMP) defaults to now.
    """
    if start.tzinfo is not None:
        start = start.astimezone(UTC)
    event = Event()
    event.add("uid", uid or _stable_uid(agenda, start))
    event.add("dtstamp", stamp or datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=agenda.total_minutes))
    event.add("summary", summary)
    event.add("description", _description(agenda, start))
    if location:
        event.add("location", location)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return calendar.to_ical()


def _description(agenda: Agenda, start: datetime) -> str:
    lines = []
    for offset, item in agenda.timeline():
        begin = start + timedelta(minutes=offset)
        end = begin + timedelta(minutes=item.minutes)
        lines.append(f"{begin:%H:%M}-{end:%H:%M} {item.title} ({item.minutes} min): {item.purpose}")
    sources = dict.fromkeys(f"{c['source']} - {c['section']}" for item in agenda.items for c in item.citations)
    lines += ["", "Sources:", *sources]
    return "\n".join(lines)


def _stable_uid(agenda: Agenda, start: datetime) -> str:
    payload = json.dumps([start.isoformat(), agenda.as_contract()], sort_keys=True)
    return f"{hashlib.sha256(payload.encode()).hexdigest()[:24]}@tandem"
