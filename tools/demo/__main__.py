"""``python -m tools.demo seed``: fill the database with a synthetic reverse-mentoring program.

Demo tooling, run from a clone; it is not part of the installed package.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assistant.commands.common import console, errors, fail, load_settings, open_database

if TYPE_CHECKING:
    from assistant.services import Services


app = typer.Typer(help="Synthetic demo data (never in production).", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Synthetic demo data for a try-out or a screenshot (never in production)."""


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    )


@app.command()
def seed(
    participants: Annotated[int, typer.Option(min=2, help="Participants (half mentees, half mentors).")] = 200,
    cohorts: Annotated[int, typer.Option(min=1, help="Cohorts.")] = 3,
    weeks: Annotated[int, typer.Option(min=1, max=520, help="Weeks of program, ending this week.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same program.")] = 7,
    fast: Annotated[
        bool, typer.Option("--fast", help="Bulk-insert theme events instead of messages (no message classification).")
    ] = False,
    events: Annotated[int, typer.Option(min=0, help="With --fast: how many theme events.")] = 100_000,
) -> None:
    """Create participants and weeks of conversations through the real code path (or, with --fast, events).

    Then run their mentoring program: cohorts, profiles, pairs, agreements, sessions, actions and pulses.
    """
    settings = load_settings()
    if settings.environment == "production":
        fail("demo data is refused when ENVIRONMENT=production")
    newest_user = _check_empty(cohorts)
    if fast:
        _seed_fast(participants, cohorts, weeks, seed, events)

    from assistant.services import build_services

    services = build_services(settings)
    try:
        if not fast:
            _seed_messages(services, participants, cohorts, weeks, seed)
        _seed_program(services, weeks, seed, newest_user)
    except ValueError as exc:  # a ProgramError is one too
        fail(str(exc))
    finally:
        services.close()


def _check_empty(cohorts: int) -> int:
    """Refuse (one line) before anything is written if the demo program is there; the newest user id."""
    from sqlalchemy import func, select

    from assistant.db.models import User
    from tools.demo.program import refusal
    from tools.demo.themes import cohort_names

    with open_database() as db:
        problem = refusal(db, cohort_names(cohorts))
        newest = db.scalar(select(func.max(User.id))) or 0
    if problem:
        fail(problem)
    return newest


def _seed_messages(services: Services, participants: int, cohorts: int, weeks: int, seed: int) -> None:
    from tools.demo.themes import seed_program

    with _progress() as progress:
        task = progress.add_task("Seeding messages", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = seed_program(
            services, participants=participants, cohorts=cohorts, weeks=weeks, seed=seed, on_progress=on_progress
        )
    console.print(f"seeded {summary.line()}", highlight=False)


def _seed_program(services: Services, weeks: int, seed: int, newest_user: int) -> None:
    """The program of the participants this run created (user ids above ``newest_user``)."""
    from sqlalchemy import select

    from assistant.db.engine import transaction
    from assistant.db.models import User
    from tools.demo.program import seed_program_data

    with transaction(services.db_factory) as db:
        user_ids = list(db.scalars(select(User.id).where(User.id > newest_user)))
    with _progress() as progress:
        task = progress.add_task("Seeding the mentoring program", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        today = dt.datetime.now(dt.UTC).date()
        summary = seed_program_data(
            services, weeks=weeks, seed=seed, today=today, user_ids=user_ids, on_progress=on_progress
        )
    console.print(f"seeded {summary.line()}", markup=False, highlight=False)
    for line in summary.matching_lines():
        console.print(line, markup=False, highlight=False)


def _seed_fast(participants: int, cohorts: int, weeks: int, seed: int, events: int) -> None:
    from assistant.db.engine import make_db_factory, make_engine, prepare_schema, transaction
    from tools.demo.themes import create_participants, generate_theme_events

    settings = load_settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        prepare_schema(engine)
        db_factory = make_db_factory(engine)
        with _progress() as progress:
            task = progress.add_task("Creating participants", total=None)
            with transaction(db_factory) as db:
                people = create_participants(db, participants=participants, cohorts=cohorts, rng=random.Random(seed))
            progress.update(task, description="Inserting theme events", completed=0, total=events)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            with transaction(db_factory) as db:
                inserted = generate_theme_events(
                    db,
                    [person.author for person in people],
                    weeks,
                    events,
                    seed,
                    secret=settings.theme_hmac_secret,
                    on_progress=on_progress,
                )
    finally:
        engine.dispose()
    console.print(
        f"seeded {len(people)} participants and {inserted} theme events over {weeks} weeks "
        "(bulk: no messages, no classification)",
        highlight=False,
    )


if __name__ == "__main__":
    app()
