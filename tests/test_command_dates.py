"""Dates on the command line: ISO, or words for a day relative to today; nothing else is guessed at."""

from __future__ import annotations

import datetime as dt

import pytest
import typer

from assistant.commands.common import parse_day


def test_iso_and_relative_words_are_days() -> None:
    today = dt.date.today()
    assert parse_day("2027-01-11", "--starts") == dt.date(2027, 1, 11)
    assert parse_day("yesterday", "--held-on") == today - dt.timedelta(days=1)
    assert parse_day("4 weeks ago", "--starts") == today - dt.timedelta(weeks=4)
    assert parse_day("in 3 days", "--today") == today + dt.timedelta(days=3)


@pytest.mark.parametrize("text", ["2027-13-01", "8 Feb", "soonish", ""])
def test_anything_else_is_one_line_and_exit_2(text: str) -> None:
    with pytest.raises(typer.Exit) as raised:
        parse_day(text, "--starts")
    assert raised.value.exit_code == 2
