"""``tandem users import``: an HR roster (CSV) made into users, all or nothing (see assistant.roster)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from assistant.commands.common import console, errors, fail, load_settings, open_database, print_json

if TYPE_CHECKING:
    from assistant.roster import Outcome

EXIT_PROBLEMS = 1


def register(users_app: typer.Typer) -> None:
    users_app.command("import")(import_people)


def import_people(
    file: Annotated[
        Path,
        typer.Argument(help="CSV (UTF-8) with a header row: name,email,role,department,cohort.", show_default=False),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and show what would change; write nothing.")
    ] = False,
    tokens_out: Annotated[
        Path | None,
        typer.Option(
            "--tokens-out",
            help="Write the new users' tokens (email,token) to this new file, readable only by you, for people "
            "who do not sign in with single sign-on. An existing file is never overwritten.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object: created, updated, unchanged, errors.")
    ] = False,
) -> None:
    """Create and update participants from an HR roster, keyed by e-mail: all rows or none.

    Every problem is reported (line, column, reason) and then nothing is written (exit code 1).
    Tokens are never printed or e-mailed.
    """
    from sqlalchemy.exc import IntegrityError

    from assistant.roster import RosterFileError, import_roster, plan_import, read_roster, write_tokens

    try:
        roster = read_roster(file)
    except RosterFileError as exc:
        fail(str(exc))
    if tokens_out is not None and (tokens_out.exists() or tokens_out.is_symlink()):
        fail(f"{tokens_out} exists already; tokens are never written over a file, choose a new name")
    if roster.problems:
        if as_json:
            print_json({"created": 0, "updated": 0, "unchanged": 0, "errors": [p.as_dict() for p in roster.problems]})
        else:
            for problem in roster.problems:
                errors.print(f"error: {file} {problem}", markup=False, highlight=False)
            count = len(roster.problems)
            where = f"in {roster.rows} rows" if roster.rows else "in the header"
            console.print(
                f"nothing imported: {count} problem{'s' if count != 1 else ''} {where}; fix the file and run it again",
                markup=False,
                highlight=False,
            )
        raise typer.Exit(EXIT_PROBLEMS)
    with ExitStack() as stack:
        handle = _new_tokens_file(stack, tokens_out) if tokens_out is not None and not dry_run else None
        try:
            with open_database() as db:
                outcome = plan_import(db, roster) if dry_run else import_roster(db, roster)
                if handle is not None:
                    write_tokens(handle, outcome.tokens)
        except IntegrityError:
            fail("an e-mail in the file was added to the users meanwhile; nothing was imported, run it again")
    if handle is not None and tokens_out is not None and not outcome.tokens:
        tokens_out.unlink(missing_ok=True)
    if as_json:
        print_json(outcome.as_contract())
        return
    if dry_run:
        for change in outcome.changes:
            console.print(str(change), markup=False, highlight=False)
        console.print(
            f"dry run: {outcome.created} to create, {outcome.updated} to update, {outcome.unchanged} unchanged; "
            "nothing was written",
            markup=False,
            highlight=False,
        )
        return
    single_sign_on = bool(load_settings().oidc_issuer)
    summary = _summary(outcome, tokens_out if handle is not None else None, single_sign_on=single_sign_on)
    console.print(summary, markup=False, highlight=False)


def _summary(outcome: Outcome, tokens_out: Path | None, *, single_sign_on: bool) -> str:
    """The one line after an import, saying how the new users sign in."""
    summary = f"{outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged"
    if outcome.created and tokens_out is not None:
        return (
            f"{summary}; the new users' tokens are in {tokens_out} (readable only by you): give each person "
            "their own, then delete the file"
        )
    if outcome.created and single_sign_on:
        return f"{summary}; new users sign in with single sign-on under their e-mail address (no token was shown)"
    if outcome.created:
        return (
            f"{summary}; no token was shown and single sign-on is not set up (OIDC_ISSUER), so the new users can "
            "sign in once it is (for tokens instead, import new users with --tokens-out FILE)"
        )
    if tokens_out is not None:
        return f"{summary}; no new users, so no tokens file was kept"
    return summary


def _new_tokens_file(stack: ExitStack, path: Path) -> TextIO:
    """The tokens file, created before the import (and removed again if the import fails)."""
    from assistant.roster import private_new_file

    try:
        return stack.enter_context(private_new_file(path))
    except FileExistsError:
        fail(f"{path} exists already; tokens are never written over a file, choose a new name")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
