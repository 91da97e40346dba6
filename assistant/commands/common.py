"""What every command shares: one-line errors, JSON output, settings and services."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console

from assistant.config import Settings, get_settings

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit non-zero: bad input never shows a stack trace."""
    errors.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


def print_json(payload: Any) -> None:
    """Exactly one JSON object on stdout (the ``--json`` contracts)."""
    print(json.dumps(payload, ensure_ascii=False))


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        fail(f"invalid configuration: {str(exc).splitlines()[0]}")
