"""``tandem anonymize``: show what the anonymizer replaces in a message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated

import typer

from assistant.commands.common import console, fail, load_settings, print_json

MAX_TEXT_CHARS = 4000

RosterSource = Callable[[], Iterable[str]]


def check_text(text: str) -> None:
    """Refuse empty or over-long input with a one-line error."""
    if not text.strip():
        fail("the text is empty")
    if len(text) > MAX_TEXT_CHARS:
        fail(f"the text is longer than {MAX_TEXT_CHARS:,} characters")


def register(app: typer.Typer, roster: RosterSource | None = None) -> None:
    """Add ``anonymize`` to app; ``roster`` supplies participants' names (for example from the users table)."""

    @app.command("anonymize")
    def anonymize(
        text: Annotated[str, typer.Argument(help="The message to anonymize.")],
        known_name: Annotated[
            list[str] | None,
            typer.Option("--known-name", help="A participant's name to treat as known (repeatable)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Replace names, emails, phones, ids, URLs, addresses and birth dates with placeholders."""
        check_text(text)
        from assistant.privacy.anonymize import DEFAULT_ID_PATTERNS, Anonymizer

        names = [*(known_name or []), *(roster() if roster is not None else [])]
        id_patterns = [*DEFAULT_ID_PATTERNS, *load_settings().pii_id_patterns]
        result = Anonymizer(names, id_patterns=id_patterns).anonymize(text)
        if as_json:
            print_json(result.as_contract())
            return
        console.print(result.text, markup=False, highlight=False)
