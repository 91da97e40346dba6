"""``tandem program``: define programs and cohorts, enrol people, confirm pairs, see figures and stalled pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.commands.common import console, fail, load_settings, open_database, parse_day, print_json

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
CohortOption = Annotated[str, typer.Option("--cohort", help="The cohort's name.")]


def register(app: typer.Typer) -> None:
    program_app = typer.Typer(help="Run the mentoring program: cohorts, pairs, figures.", no_args_is_help=True)
    for name, command in (
        ("create", create),
        ("cohort", cohort),
        ("enrol", enrol),
        ("pairs", pairs),
        ("confirm", confirm),
        ("swap", swap),
        ("set-pair", set_pair),
        ("report", report),
        ("stalled", stalled),
    ):
        program_app.command(name)(command)
    app.add_typer(program_app, name="program")


def create(
    name: Annotated[str, typer.Argument(help="The program's name.")],
    goals: Annotated[str, typer.Option(help="What the program is for, in a sentence or two.")] = "",
    weeks: Annotated[int, typer.Option(help="Duration in weeks.")] = 26,
    format: Annotated[str, typer.Option(help="in-person, remote or hybrid.")] = "hybrid",
    cadence_days: Annotated[int, typer.Option(help="Days between sessions.")] = 14,
    metric: Annotated[list[str] | None, typer.Option(help="A success metric (repeat the option).")] = None,
    stalled_after: Annotated[int, typer.Option(help="Days without a session before a pair counts as stalled.")] = 28,
) -> None:
    """Define a program: goals, duration, format, cadence and success metrics."""
    from assistant.program.cohorts import ProgramError, ProgramSpec, create_program

    spec = ProgramSpec(name, goals, weeks, format, cadence_days, tuple(metric or ()), stalled_after)
    try:
        with open_database() as db:
            program = create_program(db, spec)
            weeks, days = program.duration_weeks, program.cadence_days
            line = f"program {program.id} {program.name!r}: {weeks} weeks, a session every {days} days"
    except ProgramError as exc:
        fail(str(exc))
    console.print(line, markup=False, highlight=False)


def cohort(
    program: Annotated[str, typer.Argument(help="The program's name.")],
    name: Annotated[str, typer.Argument(help="The new cohort's name.")],
    starts: Annotated[str, typer.Option(help="First day: YYYY-MM-DD, or words such as '4 weeks ago'.")],
) -> None:
    """Add a cohort to a program."""
    from sqlalchemy import select

    from assistant.db.program_models import Program
    from assistant.program.cohorts import ProgramError, create_cohort

    starts_on = parse_day(starts, "--starts")
    try:
        with open_database() as db:
            found = db.scalar(select(Program).where(Program.name == program))
            if found is None:
                fail(f"no program called {program!r}")
            created = create_cohort(db, program=found, name=name, starts_on=starts_on)
            line = f"cohort {created.id} {created.name!r}: {created.starts_on} to {created.ends_on}"
    except ProgramError as exc:
        fail(str(exc))
    console.print(line, markup=False, highlight=False)


def enrol(
    cohort_name: CohortOption,
    profiles: Annotated[Path, typer.Option("--profiles", help="Profiles as CSV or YAML (one row per person).")],
    as_json: JsonOption = False,
) -> None:
    """Create a participant for every profile in the file, put them in the cohort and store their profile.

    Each new participant's token is printed once.
    """
    from assistant.db import crud
    from assistant.program.cohorts import (
        NotFound,
        ProgramError,
        add_member,
        answers_of,
        cohort_by_name,
        save_profile,
    )
    from assistant.program.profiles import load_profiles

    skills = _skills()
    try:
        people = load_profiles(profiles, skills)
    except ValueError as exc:
        fail(str(exc))
    created = []
    try:
        with open_database() as db:
            target = cohort_by_name(db, cohort_name)
            for person in people:
                user, token = crud.create_user(db, name=person.name, role=person.role, cohort=target.name)
                membership = add_member(db, cohort=target, user=user, role=person.role, external_id=person.id)
                save_profile(db, membership=membership, answers=answers_of(person), skills=skills)
                created.append(
                    {"id": person.id, "user_id": user.id, "name": user.name, "role": person.role, "token": token}
                )
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    if as_json:
        print_json({"cohort": cohort_name, "enrolled": created})
        return
    for row in created:
        console.print(f"{row['user_id']}  {row['name']} ({row['role']}, {row['id']}): {row['token']}", markup=False)
    console.print(f"{len(created)} enrolled in {cohort_name}; tokens are shown once", markup=False)


def pairs(cohort_name: CohortOption, as_json: JsonOption = False) -> None:
    """List a cohort's pairs: proposed, confirmed and ended."""
    from assistant.program import pairing
    from assistant.program.cohorts import NotFound, cohort_by_name

    try:
        with open_database() as db:
            found = pairing.open_pairs(db, cohort_by_name(db, cohort_name), statuses=("proposed", "confirmed", "ended"))
            rows = [_pair_row(pair) for pair in found]
    except NotFound as exc:
        fail(str(exc.args[0]))
    if as_json:
        print_json({"cohort": cohort_name, "pairs": rows})
        return
    for row in rows:
        console.print(
            f"{row['pair_id']:>4}  {row['status']:<9} {row['score']:.2f}  {row['mentor']} → {row['mentee']}\n"
            f"      {row['explanation']}",
            markup=False,
            highlight=False,
        )


def confirm(
    pair_ids: Annotated[list[int] | None, typer.Argument(help="Pair ids to confirm.")] = None,
    cohort_name: Annotated[str | None, typer.Option("--cohort", help="Confirm every proposed pair of it.")] = None,
) -> None:
    """Confirm proposed pairs (nothing is final until confirmed)."""
    from assistant.program import pairing
    from assistant.program.cohorts import NotFound, ProgramError, cohort_by_name

    if not pair_ids and not cohort_name:
        fail("name pair ids or --cohort")
    try:
        with open_database() as db:
            targets = [pairing.get_pair(db, pid) for pid in pair_ids or []]
            if cohort_name:
                targets += pairing.open_pairs(db, cohort_by_name(db, cohort_name), statuses=("proposed",))
            for pair in targets:
                pairing.confirm_pair(db, pair)
            count = len(targets)
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    console.print(f"{count} pairs confirmed", markup=False)


def swap(
    first: Annotated[int, typer.Argument(help="A proposed pair's id.")],
    second: Annotated[int, typer.Argument(help="Another proposed pair's id.")],
) -> None:
    """Exchange the mentees of two proposed pairs (both are rescored; a rule break is refused)."""
    from assistant.program import pairing
    from assistant.program.cohorts import NotFound, ProgramError

    try:
        with open_database() as db:
            changed = pairing.swap_mentees(db, pairing.get_pair(db, first), pairing.get_pair(db, second), _skills())
            rows = [_pair_row(pair) for pair in changed]
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    for row in rows:
        console.print(f"{row['pair_id']}: {row['score']:.2f}  {row['explanation']}", markup=False, highlight=False)


def set_pair(
    cohort_name: CohortOption,
    mentor: Annotated[int, typer.Option(help="The mentor's user id.")],
    mentee: Annotated[int, typer.Option(help="The mentee's user id.")],
    allow_weak: Annotated[bool, typer.Option(help="Pair them without shared time or format.")] = False,
) -> None:
    """Propose a pair of your own choosing (an override); confirm it like any other."""
    from assistant.program import pairing
    from assistant.program.cohorts import NotFound, ProgramError, cohort_by_name

    try:
        with open_database() as db:
            pair = pairing.set_pair(
                db,
                cohort_by_name(db, cohort_name),
                mentor_id=mentor,
                mentee_id=mentee,
                skills=_skills(),
                allow_weak=allow_weak,
            )
            row = _pair_row(pair)
    except (ProgramError, NotFound) as exc:
        fail(str(exc.args[0]))
    console.print(f"pair {row['pair_id']} proposed: {row['explanation']}", markup=False, highlight=False)


def report(cohort_name: CohortOption, as_json: JsonOption = False) -> None:
    """HR's figures for a cohort; any figure about fewer than k people is withheld."""
    from assistant.program.cohorts import NotFound, cohort_by_name
    from assistant.program.insights import cohort_report

    k = load_settings().k_anonymity
    try:
        with open_database() as db:
            figures = cohort_report(db, cohort_by_name(db, cohort_name), k=k)
    except NotFound as exc:
        fail(str(exc.args[0]))
    if as_json:
        print_json(figures)
        return
    _print_report(figures)


def stalled(
    days: Annotated[int | None, typer.Option(help="Override the programs' own limits.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Confirmed pairs without a session for too long (pair and dates only), for the program admin."""
    from assistant.program.cohorts import all_cohorts
    from assistant.program.insights import stalled_pairs

    if days is not None and days < 1:
        fail("--days must be at least 1")
    with open_database() as db:
        rows = [s.as_dict() for s in stalled_pairs(db, all_cohorts(db), after_days=days)]
    if as_json:
        print_json({"stalled_pairs": rows})
        return
    for row in rows:
        console.print(
            f"pair {row['pair_id']} ({row['cohort']}): {row['mentor']} and {row['mentee']}, "
            f"{row['days_without_session']} days without a session",
            markup=False,
            highlight=False,
        )
    console.print(f"{len(rows)} stalled pairs", markup=False)


def _print_report(figures: dict[str, Any]) -> None:
    def show(value: dict[str, Any]) -> str:
        return f"fewer than {figures['k']}" if value["suppressed"] else str(value["value"])

    cohort_info = figures["cohort"]
    console.print(f"{cohort_info['name']} ({cohort_info['program']}), k = {figures['k']}", markup=False)
    for section in ("participation", "session_frequency"):
        for name, value in figures[section].items():
            console.print(f"  {name}: {show(value)}", markup=False)
    for row in figures["sessions_by_month"]:
        console.print(
            f"  {row['month']}: sessions {show(row['sessions'])}, mean rating {show(row['mean_rating'])}", markup=False
        )
    console.print(f"  stalled pairs: {show(figures['stalled_pairs'])}", markup=False)


def _pair_row(pair: Any) -> dict[str, Any]:
    return {
        "pair_id": pair.id,
        "status": pair.status,
        "mentor_id": pair.mentor_id,
        "mentee_id": pair.mentee_id,
        "mentor": pair.mentor.name,
        "mentee": pair.mentee.name,
        "score": round(pair.score, 4),
        "explanation": pair.explanation,
    }


def _skills() -> Any:
    from assistant.program.skills import load_skills

    try:
        return load_skills(load_settings().skills_path)
    except ValueError as exc:
        fail(str(exc))
