"""The HR theme report: counts, k-suppression (primary and complementary), trends, SQL shape.

Events are placed in 2030 so that theme events other tests log (this week) never fall in range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import delete, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db.engine import make_db_factory, make_engine, migrate, transaction
from assistant.db.models import ThemeEvent
from assistant.themes.classify import ThemeScore
from assistant.themes.events import Author, event_rows, store_events
from assistant.themes.report import NO_COHORT, ThemeReport, suppressed_label, theme_report

SECRET = "report-test-secret"
MARCH = [date(2030, 3, 4), date(2030, 3, 11), date(2030, 3, 18), date(2030, 3, 25)]
APRIL = [date(2030, 4, 1), date(2030, 4, 8), date(2030, 4, 15), date(2030, 4, 22), date(2030, 4, 29)]
WEEK = APRIL[1]
_next_id = iter(range(1, 1_000_000))


@pytest.fixture
def db_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate(engine)
    factory = make_db_factory(engine)
    with transaction(factory) as db:
        db.execute(delete(ThemeEvent))
    yield factory
    engine.dispose()


def people(count: int, role: str = "mentee", cohort: str | None = "atlas") -> list[Author]:
    return [Author(next(_next_id), role, cohort) for _ in range(count)]


def add(
    factory: sessionmaker[Session], week: date, theme: str, authors: Iterable[Author], mentions_each: int = 1
) -> None:
    with transaction(factory) as db:
        for author in authors:
            for _ in range(mentions_each):
                store_events(db, event_rows([ThemeScore(theme, 0.9)], author=author, when=week, secret=SECRET))


def report(factory: sessionmaker[Session], **options: object) -> ThemeReport:
    options = {"since": WEEK, "until": WEEK, "k": 5, **options}
    with factory() as db:
        return theme_report(db, **options)  # type: ignore[arg-type]


def numbers(result: ThemeReport, period: date, theme: str, group: str | None = None) -> int | None:
    cell = result.cell(period, theme, group)
    assert cell is not None, (period, theme, group)
    return cell.participants


def test_distinct_participants_and_mentions_with_primary_suppression(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, WEEK, "ai-tools", people(6), mentions_each=2)
    add(db_factory, WEEK, "social-media", people(4))
    result = report(db_factory)
    ai = result.cell(WEEK, "ai-tools")
    assert ai is not None and (ai.participants, ai.mentions, ai.suppressed) == (6, 12, False)
    social = result.cell(WEEK, "social-media")
    assert social is not None and social.suppressed
    assert social.participants is None and social.mentions is None
    contract = result.as_contract()
    shown = next(c for c in contract["cells"] if c["theme"] == "social-media")
    assert shown["suppressed"] is True and shown["label"] == suppressed_label(5) == "fewer than 5 (or withheld)"
    assert shown["participants"] is None and contract["suppressed_cells"] == 1


def test_k_is_never_below_two() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, k_anonymity=1)  # type: ignore[call-arg]
    assert Settings(_env_file=None, k_anonymity=2).k_anonymity == 2  # type: ignore[call-arg]


def test_the_report_refuses_k_below_two(db_factory: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        report(db_factory, k=1)


def test_a_lone_small_role_cell_takes_the_other_role_down_with_it(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, WEEK, "ai-tools", people(10, "mentee"))
    add(db_factory, WEEK, "ai-tools", people(3, "mentor"))
    result = report(db_factory, by="role")
    assert numbers(result, WEEK, "ai-tools") == 13
    assert numbers(result, WEEK, "ai-tools", "mentor") is None
    assert numbers(result, WEEK, "ai-tools", "mentee") is None, "13 - 10 would reveal the 3 mentors"


def test_complementary_suppression_hides_the_next_smallest_cohort(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, WEEK, "feedback-anxiety", people(12, cohort="atlas"))
    add(db_factory, WEEK, "feedback-anxiety", people(9, cohort="beacon"))
    add(db_factory, WEEK, "feedback-anxiety", people(2, cohort="compass"))
    result = report(db_factory, by="cohort")
    assert numbers(result, WEEK, "feedback-anxiety") == 23
    assert numbers(result, WEEK, "feedback-anxiety", "atlas") == 12
    assert numbers(result, WEEK, "feedback-anxiety", "beacon") is None
    assert numbers(result, WEEK, "feedback-anxiety", "compass") is None


def test_hidden_cells_that_add_up_to_fewer_than_k_hide_one_more(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, WEEK, "career-growth", people(20, cohort="atlas"))
    add(db_factory, WEEK, "career-growth", people(2, cohort="beacon"))
    add(db_factory, WEEK, "career-growth", people(1, cohort="compass"))
    add(db_factory, WEEK, "career-growth", people(9, cohort="delta"))
    result = report(db_factory, by="cohort")
    assert numbers(result, WEEK, "career-growth") == 32
    assert numbers(result, WEEK, "career-growth", "atlas") == 20
    assert numbers(result, WEEK, "career-growth", "delta") is None, "32 - 20 - 9 would reveal 3 people"


def test_an_empty_cell_is_shown_suppressed_but_costs_no_other_cell(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, WEEK, "time-constraints", people(10, cohort="atlas"))
    add(db_factory, WEEK, "time-constraints", people(8, cohort="beacon"))
    add(db_factory, WEEK, "ai-tools", people(6, cohort="compass"))
    result = report(db_factory, by="cohort")
    assert result.groups == ["atlas", "beacon", "compass"]
    assert numbers(result, WEEK, "time-constraints", "atlas") == 10
    assert numbers(result, WEEK, "time-constraints", "beacon") == 8
    empty = result.cell(WEEK, "time-constraints", "compass")
    assert empty is not None and empty.suppressed


def test_a_total_that_equals_a_hidden_cell_is_suppressed_in_every_view(db_factory: sessionmaker[Session]) -> None:
    """April: atlas only in week 1 (6 people), beacon only in week 2 (7), compass only in week 3 (2).
    The monthly cohort row hides compass and, as its complement, atlas; atlas's month is its week 1,
    so week 1 of atlas is hidden too, and then week 1's total (which is atlas) must go as well."""
    add(db_factory, APRIL[0], "ai-tools", people(6, cohort="atlas"))
    add(db_factory, APRIL[1], "ai-tools", people(7, cohort="beacon"))
    add(db_factory, APRIL[2], "ai-tools", people(2, cohort="compass"))
    monthly = report(db_factory, since=APRIL[0], until=APRIL[0], period="month", by="cohort")
    month = APRIL[0]
    assert numbers(monthly, month, "ai-tools") == 15 and numbers(monthly, month, "ai-tools", "beacon") == 7
    assert numbers(monthly, month, "ai-tools", "atlas") is None
    assert numbers(monthly, month, "ai-tools", "compass") is None
    for by in (None, "cohort", "role"):
        weekly = report(db_factory, since=APRIL[0], until=APRIL[2], by=by)
        assert [numbers(weekly, week, "ai-tools") for week in APRIL[:3]] == [None, 7, None], by


def test_a_single_hidden_week_is_not_exposed_by_its_month(db_factory: sessionmaker[Session]) -> None:
    for week, count in zip(APRIL[:4], (10, 3, 7, 12), strict=True):
        add(db_factory, week, "remote-hybrid-work", people(count))
    result = report(db_factory, since=APRIL[0], until=APRIL[3])
    assert [numbers(result, week, "remote-hybrid-work") for week in APRIL[:4]] == [10, None, None, 12]
    monthly = report(db_factory, since=APRIL[0], until=APRIL[0], period="month")
    assert numbers(monthly, date(2030, 4, 1), "remote-hybrid-work") == 32


def test_a_cell_is_suppressed_the_same_way_whatever_the_start_date(db_factory: sessionmaker[Session]) -> None:
    for week, count in zip(APRIL[:4], (10, 3, 7, 12), strict=True):
        add(db_factory, week, "remote-hybrid-work", people(count))
    narrow = report(db_factory, since=APRIL[2], until=APRIL[2])
    assert numbers(narrow, APRIL[2], "remote-hybrid-work") is None


def test_months_count_people_once_and_add_up_mentions(db_factory: sessionmaker[Session]) -> None:
    regulars = people(5)
    add(db_factory, MARCH[0], "digital-confidence", regulars)
    add(db_factory, MARCH[2], "digital-confidence", regulars)
    add(db_factory, MARCH[3], "digital-confidence", people(1))
    result = report(db_factory, since=date(2030, 3, 1), until=date(2030, 3, 31), period="month")
    cell = result.cell(date(2030, 3, 1), "digital-confidence")
    assert cell is not None and (cell.participants, cell.mentions) == (6, 11)
    assert result.periods == [date(2030, 3, 1)]


def test_trend_compares_with_the_previous_period_only_when_both_are_published(
    db_factory: sessionmaker[Session],
) -> None:
    add(db_factory, APRIL[0], "ai-tools", people(6))
    add(db_factory, APRIL[1], "ai-tools", people(9))
    add(db_factory, APRIL[2], "ai-tools", people(7))
    add(db_factory, APRIL[0], "social-media", people(2))
    add(db_factory, APRIL[1], "social-media", people(8))
    add(db_factory, APRIL[2], "social-media", people(3))
    result = report(db_factory, since=APRIL[1], until=APRIL[2])
    assert result.periods == [APRIL[1], APRIL[2]]
    first = result.cell(APRIL[1], "ai-tools")
    assert first is not None and (first.previous_participants, first.change) == (6, 3), "reaches before since"
    second = result.cell(APRIL[2], "ai-tools")
    assert second is not None and (second.previous_participants, second.change) == (9, -2)
    after_hidden = result.cell(APRIL[1], "social-media")
    assert after_hidden is not None and after_hidden.participants == 8
    assert after_hidden.previous_participants is None and after_hidden.change is None


def test_every_cell_is_returned_and_themes_nobody_raised_are_listed(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, APRIL[0], "ai-tools", people(5, "mentee"))
    add(db_factory, APRIL[0], "ai-tools", people(5, "mentor"))
    with db_factory() as db:
        result = theme_report(db, since=APRIL[0], until=APRIL[2], by="role", k=5, themes=["ai-tools", "career-growth"])
    assert result.themes == ["ai-tools", "career-growth"] and result.groups == ["mentee", "mentor"]
    assert len(result.cells) == 3 * 2 * 3
    assert all(cell.suppressed for cell in result.cells if cell.theme == "career-growth")
    csv_lines = result.to_csv().splitlines()
    assert csv_lines[0] == "period,theme,group,participants,mentions,previous_participants,change,suppressed"
    assert len(csv_lines) == 1 + len(result.cells)
    assert "2030-04-01,ai-tools,all,10,10,,,false" in csv_lines
    assert "2030-04-08,ai-tools,mentee,,,,,true" in csv_lines


def test_users_without_a_cohort_form_their_own_group(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, WEEK, "ai-tools", people(6, cohort=None))
    add(db_factory, WEEK, "ai-tools", people(7, cohort="atlas"))
    result = report(db_factory, by="cohort")
    assert result.groups == ["atlas", NO_COHORT]
    assert numbers(result, WEEK, "ai-tools", NO_COHORT) == 6


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"period": "year"}, "period"),
        ({"by": "name"}, "by"),
        ({"since": date(2030, 5, 1), "until": date(2030, 4, 1)}, "after"),
        ({"since": date(2000, 1, 3), "until": date(2030, 4, 1)}, "at most"),
    ],
)
def test_bad_options_are_refused(db_factory: sessionmaker[Session], options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        report(db_factory, **options)


def test_sqlite_reads_the_covering_index(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/plan.db")
    migrate(engine)
    with engine.connect() as connection:
        for group in ("", ", role", ", cohort"):
            plan = connection.execute(
                text(
                    f"EXPLAIN QUERY PLAN SELECT week_start, theme{group}, count(DISTINCT participant_key), count(*) "
                    f"FROM theme_events WHERE week_start >= '2030-01-01' AND week_start <= '2030-12-31' "
                    f"GROUP BY week_start, theme{group}"
                )
            ).fetchall()
            details = " ".join(str(row[-1]) for row in plan)
            assert "COVERING INDEX" in details and "TEMP B-TREE FOR GROUP BY" not in details, details
    engine.dispose()


GROUPS = ("atlas", "beacon", "compass", "delta")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    counts=st.lists(
        st.lists(st.integers(min_value=0, max_value=14), min_size=len(GROUPS), max_size=len(GROUPS)),
        min_size=1,
        max_size=4,
    ),
    k=st.integers(min_value=2, max_value=6),
)
@example(counts=[[6, 0, 2, 0], [9, 7, 0, 0]], k=5)  # atlas's week 1 hidden for compass; April must not expose it
@example(counts=[[6, 0, 0, 0], [0, 7, 0, 0], [0, 0, 2, 0]], k=5)  # a week total equal to a hidden cell
def test_no_published_number_reveals_a_small_group(
    tmp_path_factory: pytest.TempPathFactory, counts: list[list[int]], k: int
) -> None:
    """For any data, in the weekly and the monthly report split by cohort: published cells have at least
    k people and are exact; in a row with a published total, hidden cells with people are at least two
    and add up to at least k; a month never exposes a single hidden week, and a month with one active
    week is hidden exactly when that week is."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('prop')}/p.db")
    migrate(engine)
    factory = make_db_factory(engine)
    weeks = APRIL[: len(counts)]
    truth: dict[tuple[date, str], int] = {}
    for week, row in zip(weeks, counts, strict=True):
        for group, count in zip(GROUPS, row, strict=True):
            add(factory, week, "ai-tools", people(count, cohort=group))
            truth[(week, group)] = count
    month_truth = {(APRIL[0], group): sum(truth[(week, group)] for week in weeks) for group in GROUPS}
    options = {"by": "cohort", "k": k, "themes": ["ai-tools"]}
    weekly = report(factory, since=weeks[0], until=weeks[-1], **options)
    monthly = report(factory, since=APRIL[0], until=APRIL[0], period="month", **options)
    engine.dispose()

    for result, expected in ((weekly, truth), (monthly, month_truth)):
        for cell in result.cells:
            if not cell.suppressed and cell.group is not None:
                assert cell.participants is not None and cell.participants >= k
                assert cell.participants == expected[(cell.period, cell.group)]
        for period in result.periods:
            total = numbers(result, period, "ai-tools")
            if total is None:
                continue
            row = {group: result.cell(period, "ai-tools", group) for group in result.groups}
            hidden = [g for g, cell in row.items() if cell and cell.suppressed and expected[(period, g)]]
            published = sum(cell.participants or 0 for cell in row.values() if cell and not cell.suppressed)
            if hidden:
                assert len(hidden) >= 2 and total - published >= k, (period, row)

    active_totals = [week for week in weeks if any(truth[(week, group)] for group in GROUPS)]
    if len([week for week in active_totals if numbers(weekly, week, "ai-tools") is None]) == 1:
        assert numbers(monthly, APRIL[0], "ai-tools") is None, "the month total would expose a week's total"
    for group in weekly.groups:
        active = [week for week in weeks if truth[(week, group)]]
        hidden = [week for week in active if numbers(weekly, week, "ai-tools", group) is None]
        month_hidden = numbers(monthly, APRIL[0], "ai-tools", group) is None
        if len(active) == 1:
            assert bool(hidden) == month_hidden, "a month with one active week is that week"
        if len(hidden) == 1:
            assert month_hidden, f"{group}: the month would expose the one hidden week {hidden}"


def test_weeks_are_mondays(db_factory: sessionmaker[Session]) -> None:
    add(db_factory, date(2030, 4, 10), "ai-tools", people(5))
    result = report(db_factory, since=date(2030, 4, 9), until=date(2030, 4, 14))
    assert result.periods == [WEEK] and numbers(result, WEEK, "ai-tools") == 5
    assert WEEK.weekday() == 0 and WEEK + timedelta(days=2) == date(2030, 4, 10)
