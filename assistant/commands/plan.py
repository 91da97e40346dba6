"""``tandem plan``: a timeboxed session agenda, as text, Markdown, JSON or an .ics invitation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from assistant.commands.common import console, errors, fail, load_settings, print_json
from assistant.knowledge.sections import MissingGuidelineError

MAX_ENTRY_CHARS = 500


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


def plan(
    minutes: Annotated[int, typer.Option("--minutes", help="Session length, 15 to 120.")],
    format_: Annotated[str, typer.Option("--format", help="in-person, remote or hybrid.")],
    session: Annotated[str, typer.Option("--session", help="first, regular or closing.")],
    goal: Annotated[list[str] | None, typer.Option("--goal", help="An active goal (repeatable).")] = None,
    action: Annotated[list[str] | None, typer.Option("--action", help="An open action (repeatable).")] = None,
    notes: Annotated[str, typer.Option("--notes", help="Notes from the last session.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    ics: Annotated[Path | None, typer.Option("--ics", help="Also write a calendar invitation here.")] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Start time for --ics: ISO 8601 or words ('next Monday 10:00').")
    ] = None,
) -> None:
    """Plan one session from the guidelines, every item timeboxed and cited.

    Each ``--goal`` is taken as the goal's text. An all-digit value is meant as a saved goal's id;
    saved goals are not stored yet, so the lead wires that lookup when they are, and until then the
    value is used as text like any other.
    """
    from assistant.coaching.calendar import agenda_to_ics
    from assistant.coaching.sessions import GoalBrief, plan_session

    if as_json and as_markdown:
        fail("choose one of --json or --markdown")
    if (ics is None) != (start is None):
        fail("--ics and --start go together")
    entries = [*(goal or []), *(action or []), notes]
    if any(len(entry) > MAX_ENTRY_CHARS for entry in entries):
        fail(f"goals, actions and notes are limited to {MAX_ENTRY_CHARS} characters each")
    if any(not entry.strip() for entry in [*(goal or []), *(action or [])]):
        fail("--goal and --action need some text")
    starts_at = _parse_start(start) if start is not None else None

    goals = [
        GoalBrief(id=int(text) if text.strip().isdigit() else f"cli-{number}", text=text)
        for number, text in enumerate(goal or [], 1)
    ]
    try:
        agenda = plan_session(
            minutes=minutes,
            format=format_,
            session=session,
            goals=goals,
            open_actions=action or [],
            last_notes=notes,
            knowledge_dir=load_settings().knowledge_dir,
        )
    except (ValueError, MissingGuidelineError) as exc:
        fail(str(exc))

    if ics is not None and starts_at is not None:
        try:
            ics.write_bytes(agenda_to_ics(agenda, start=starts_at))
        except OSError as exc:
            fail(f"cannot write {ics}: {exc.strerror or exc}")
        errors.print(f"wrote {ics}", markup=False, highlight=False, soft_wrap=True)

    if as_json:
        print_json(agenda.as_contract())
    elif as_markdown:
        print(agenda.to_markdown(), end="")
    else:
        from rich.markdown import Markdown

        console.print(Markdown(agenda.to_markdown()), soft_wrap=False)  # wrapped at the width, never cut


def _in_words(value: str) -> datetime:
    """ "next Monday 10:00", "tomorrow 9am": read as the next such moment."""
    import dateparser

    parsed = dateparser.parse(value, languages=["en"], settings={"PREFER_DATES_FROM": "future"})
    if parsed is None:
        fail("--start must be a date and time, such as 2026-03-03T10:00 or 'next Monday 10:00'")
    return parsed


def _parse_start(value: str) -> datetime:
    from assistant.coaching.calendar import check_session_start

    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        start = _in_words(value)
    try:
        check_session_start(start)
    except ValueError as exc:
        fail(f"--start: {exc}")
    return start
