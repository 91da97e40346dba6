"""``tandem demo seed``: fill the database with a synthetic reverse-mentoring program."""

from __future__ import annotations

import random
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assistant.commands.common import console, errors, fail, load_settings


def register(app: typer.Typer) -> None:
    demo_app = typer.Typer(help="Synthetic demo data (never in production).", no_args_is_help=True)
    demo_app.command("seed")(seed)
    app.add_typer(demo_app, name="demo")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    )


def seed(
    participants: Annotated[int, typer.Option(min=2, help="Participants (half mentees, half mentors).")] = 200,
    cohorts: Annotated[int, typer.Option(min=1, help="Cohorts.")] = 3,
    weeks: Annotated[int, typer.Option(min=1, max=520, help="Weeks of program, ending this week.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same program.")] = 7,
    fast: Annotated[
        bool, typer.Option("--fast", help="Bulk-insert theme events only (no messages, no classification).")
    ] = False,
    events: Annotated[int, typer.Option(min=0, help="With --fast: how many theme events.")] = 100_000,
) -> None:
    """Create participants and weeks of conversations through the real code path (or, with --fast, events)."""
    settings = load_settings()
    if settings.environment == "production":
        fail("demo data is refused when ENVIRONMENT=production")
    if fast:
        _seed_fast(participants, cohorts, weeks, seed, events)
        return

    from assistant.services import build_services
    from assistant.themes.demo import seed_program

    services = build_services(settings)
    try:
        with _progress() as progress:
            task = progress.add_task("Seeding messages", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            summary = seed_program(
                services, participants=participants, cohorts=cohorts, weeks=weeks, seed=seed, on_progress=on_progress
            )
    except ValueError as exc:
        fail(str(exc))
    finally:
        services.close()
    console.print(f"seeded {summary.line()}", highlight=False)


def _seed_fast(participants: int, cohorts: int, weeks: int, seed: int, events: int) -> None:
    from assistant.db.engine import make_engine, make_session_factory, migrate, session_scope
    from assistant.themes.demo import create_participants, generate_theme_events

    settings = load_settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        migrate(engine)
        sessions = make_session_factory(engine)
        with _progress() as progress:
            task = progress.add_task("Creating participants", total=None)
            with session_scope(sessions) as session:
                people = create_participants(
                    session, participants=participants, cohorts=cohorts, rng=random.Random(seed)
                )
            progress.update(task, description="Inserting theme events", completed=0, total=events)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            with session_scope(sessions) as session:
                inserted = generate_theme_events(
                    session,
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
