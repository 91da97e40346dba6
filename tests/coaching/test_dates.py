"""Target dates as people write them."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.coaching.dates import DateNotUnderstoodError, find_target_date, parse_target_date

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("end of March", date(2027, 3, 31)),
        ("by the end of June", date(2027, 6, 30)),
        ("March", date(2027, 3, 31)),
        ("31 March", date(2027, 3, 31)),
        ("in 6 weeks", date(2027, 1, 15)),
        ("within two months", date(2027, 2, 4)),
        ("end of next month", date(2027, 1, 31)),
        ("2027-02-01", date(2027, 2, 1)),
        ("31/03/2027", date(2027, 3, 31)),
        ("next Friday", date(2026, 12, 11)),
    ],
)
def test_phrases_become_future_dates(phrase: str, expected: date) -> None:
    assert parse_target_date(phrase, TODAY) == expected


@pytest.mark.parametrize(
    ("phrase", "fragment"), [("yesterday", "in the past"), ("2020-01-01", "in the past"), ("soon", "cannot read")]
)
def test_past_or_unreadable_dates_are_refused_with_one_line(phrase: str, fragment: str) -> None:
    with pytest.raises(DateNotUnderstoodError, match=fragment):
        parse_target_date(phrase, TODAY)


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("By 31 March I will build one Power BI dashboard for the weekly review.", date(2027, 3, 31)),
        ("I will run three Teams calls with screen sharing in 6 weeks.", date(2027, 1, 15)),
        ("Get better at Excel by the end of June so that I can close the books faster.", date(2027, 6, 30)),
        ("I will present in May to the board.", None),
        ("I want to get better at tech.", None),
    ],
)
def test_a_goals_own_words_set_its_date(goal: str, expected: date | None) -> None:
    assert find_target_date(goal, TODAY) == expected
