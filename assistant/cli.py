"""The ``tandem`` command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from assistant.commands import anonymize, chat, db, feedback, goals, match, pair, plan, program, roster, themes, worker
from assistant.commands import eval as eval_commands
from assistant.commands import nudges as nudge_commands
from assistant.commands.common import console, errors, fail, indexed_services, load_settings, print_json
from assistant.config import Settings
from assistant.services import build_services
from assistant.text import participant_message

app = typer.Typer(help="Tandem: a grounded coaching assistant for reverse-mentoring programs.", no_args_is_help=True)
users_app = typer.Typer(help="Manage participants and their tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")

ROLE_CHOICES = ("mentee", "mentor", "hr", "admin")


def _settings() -> Settings:
    return load_settings()


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log to stderr.")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: knowledge/).")] = None,
) -> None:
    """Index guideline documents incrementally (Markdown, text, PDF); re-ingesting a folder drops the
    chunks of documents deleted from it."""
    missing = [str(path) for path in paths or [] if not path.exists()]
    if missing:  # a typo must not look like success (to drop a deleted document, ingest its folder)
        fail(f"no such file or folder: {', '.join(missing)}")
    services = build_services(_settings())
    targets = paths or [services.settings.knowledge_dir]
    with Progress(
        TextColumn("[bold]Ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def on_progress(source: str, number: int, total: int) -> None:
            progress.update(task, total=total, completed=number - 1, description=source)

        summary = services.ingest(targets, on_progress)
    for skipped in summary.skipped:
        errors.print(f"warning: skipped {skipped}", markup=False, highlight=False)
    console.print(summary.line(), highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the program.")],
    role: Annotated[str | None, typer.Option(help="Answer for this role: mentee, mentor or hr.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Answer one question from the guidelines, with citations."""
    try:
        question = participant_message(question)  # the same rule as every chat front-end
    except ValueError as exc:
        fail(str(exc))
    if role is not None and role not in ("mentee", "mentor", "hr"):
        fail(f"unknown role {role!r}; choose mentee, mentor or hr")
    services = indexed_services()
    reply = services.qa.answer(question, role)
    if as_json:
        print_json(reply.as_contract())
        return
    console.print(reply.text, markup=False, highlight=False)
    for number, citation in enumerate(reply.citations, 1):
        console.print(f"[{number}] {citation['source']} - {citation['section']}", markup=False, highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Run the HTTP API (ingests the knowledge base on first start)."""
    import uvicorn

    from assistant.app import create_app
    from assistant.db.engine import make_engine, prepare_schema

    settings = _settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        prepare_schema(engine)
    finally:
        engine.dispose()
    uvicorn.run(create_app(settings), host=host, port=port)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Display name.")],
    role: Annotated[str, typer.Option(help="mentee, mentor, hr or admin.")] = "mentee",
    cohort: Annotated[str | None, typer.Option(help="Cohort name.")] = None,
) -> None:
    """Add a participant and print their token once (only its hash is stored)."""
    from assistant.db import crud
    from assistant.db.engine import transaction

    if role not in ROLE_CHOICES:
        fail(f"unknown role {role!r}; choose one of {', '.join(ROLE_CHOICES)}")
    services = build_services(_settings())
    try:
        with transaction(services.db_factory) as db:
            user, token = crud.create_user(db, name=name, role=role, cohort=cohort)
            user_id = user.id
    except ValueError as exc:
        fail(str(exc))
    print(f"user {user_id} ({role}) created; token (shown once, store it now):\n{token}")


@users_app.command("list")
def users_list() -> None:
    """List participants (never their tokens)."""
    from rich.table import Table

    from assistant.db import crud

    services = build_services(_settings())
    table = Table("id", "name", "role", "cohort", "active")
    with services.db_factory() as db:
        for user in crud.list_users(db):
            table.add_row(str(user.id), user.name, user.role, user.cohort or "", "yes" if user.active else "no")
    console.print(table)


@users_app.command("forget")
def users_forget(
    user_id: Annotated[int, typer.Argument(help="The user's id (see tandem users list).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a participant with their conversations, messages and goals (anonymous theme events stay)."""
    from assistant.db.engine import flush_deleted_pages, make_db_factory, make_engine, prepare_schema, transaction
    from assistant.participants import forget_participant

    if not yes and not typer.confirm(f"Forget user {user_id} and delete all their conversations and goals?"):
        fail("nothing deleted", code=1)
    engine = make_engine(_settings().sqlalchemy_url)
    try:
        prepare_schema(engine)
        with transaction(make_db_factory(engine)) as db:
            forgotten = forget_participant(db, user_id=user_id)
        flush_deleted_pages(engine)
    finally:
        engine.dispose()
    if forgotten is None:
        fail(f"no user {user_id}")
    print(
        f"user {user_id} forgotten: {forgotten.conversations} conversations, {forgotten.messages} messages "
        f"and {forgotten.goals} goals deleted; their anonymous theme events remain"
    )


for command_module in (chat, goals, feedback, plan, anonymize, themes, match, program, pair, eval_commands, db, worker):
    command_module.register(app)
roster.register(users_app)
nudge_commands.register(app)


def run() -> None:
    """The console script: a schema that is behind ends any command with one line, not a traceback."""
    from assistant.db.engine import SchemaBehindError

    try:
        app()
    except SchemaBehindError as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        raise SystemExit(2) from None
