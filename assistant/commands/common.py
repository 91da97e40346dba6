"""What every command shares: one-line errors, JSON output, settings and services."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from assistant.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from assistant.db.models import User
    from assistant.services import Services

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit non-zero: bad input never shows a stack trace."""
    errors.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


RELATIVE_DAY = re.compile(
    r"\b(?:ago|yesterday|today|tomorrow|next|last|this|in\s+\d+\s+(?:days?|weeks?|months?))\b", re.IGNORECASE
)


def parse_day(text: str, what: str) -> dt.date:
    """A date from the command line: YYYY-MM-DD, or words for a day relative to today ("yesterday", "4 weeks
    ago", "next Monday"), so an example can be written that never goes stale; else one line naming ``what``
    and exit 2. Anything else is not guessed at: "2027-13-01" and "8 Feb" are errors."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    if RELATIVE_DAY.search(text):
        import dateparser

        parsed = dateparser.parse(text, languages=["en"], settings={"DATE_ORDER": "DMY"})
        if parsed is not None:
            return parsed.date()
    fail(f"{what} must be a date like 2027-01-11 (or 'yesterday', '4 weeks ago'), not {text!r}")


def print_json(payload: Any) -> None:
    """Exactly one JSON object on stdout (the ``--json`` contracts)."""
    print(json.dumps(payload, ensure_ascii=False))


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        fail(f"invalid configuration: {str(exc).splitlines()[0]}")


def indexed_services() -> Services:
    """The services, with the guidelines indexed first on a machine that has no index yet."""
    from assistant.services import build_services

    services = build_services(load_settings())
    if services.store.count() == 0:
        errors.print("First run: indexing the knowledge base...", highlight=False)
        services.ensure_knowledge()
    return services


@contextmanager
def open_database() -> Iterator[Session]:
    """A session on the configured database (migrated first), committed on success, closed after."""
    from assistant.db.engine import make_db_factory, make_engine, prepare_schema, transaction

    engine = make_engine(load_settings().sqlalchemy_url)
    try:
        prepare_schema(engine)
        with transaction(make_db_factory(engine)) as db:
            yield db
    finally:
        engine.dispose()


@contextmanager
def participant_database(token: str) -> Iterator[tuple[Session, User]]:
    """A committed session and the active user holding ``token`` (one line and exit 2 otherwise)."""
    from assistant.db import crud

    with open_database() as db:
        user = crud.user_by_token(db, token=token)
        if user is None:
            fail("invalid or inactive token")
        yield db, user
