"""HR insights: how many distinct participants raise each theme, per week or month, protected by k-anonymity.

Every number is a *cell*: a theme in a period, for everyone (the total) or for one role or cohort.
A cell counts distinct participants (distinct HMAC keys) and mentions (theme events).

Suppression scheme
------------------
A report can be asked per week or per month, for everyone or split by role or by cohort: six
views of the same events, all public. Every number must stay safe against subtraction across all of
them, so the rules below run over all six tables together, until none of them hides another cell;
whichever view is asked for is then read from that one result.

1. **Primary.** A cell with fewer than ``k`` distinct participants is suppressed (``k`` is
   ``settings.k_anonymity``, at least 2). Empty cells are shown the same way, so "fewer than k"
   never tells whether anyone at all raised a theme.
2. **Rows (groups add up to the total).** Within a theme and period, the role or cohort cells add up
   to the total of the unsplit view. When a cell with participants is suppressed and the total is
   published, the smallest published cells of the row are suppressed too, until at least two cells
   with participants are hidden *and* total minus the published cells is at least ``k``. If the row
   runs out of cells (say the hidden cell is the only one with participants), the total is
   suppressed instead, in every view.
3. **Columns (weeks add up to the month).** Mentions of the weeks of a month (a week belongs to the
   month of its Monday) add up to the month's. When exactly one week with participants is hidden and
   the month cell is published, the smallest published week of that month is hidden too; if there
   is none, the month cell is suppressed instead.
4. **Links.** When only one week of a month has participants for a theme and group, the month cell
   *is* that week (same people, same mentions): if either is suppressed, so is the other.
5. **Trends** compare a cell with the same cell one period earlier, only when both are published;
   otherwise the change is withheld (it would reveal the suppressed side).

Distinct participants do not add up over weeks, so combining weekly and monthly views can bound a
hidden cell (as "fewer than k" already does) but not give its value. Suppressed cells are returned
explicitly (``"suppressed": true``) with no numbers, never dropped. A cell's fate depends only on
its own month's data, so it is hidden the same way whatever ``since`` is asked for. No totals across
themes or periods are published: mentions would add up across them. Residual risks: differencing
reports taken at different times while the current month fills up, and hidden values bounded to an
interval. HR never gets events, only cells.

Every report reads the six views' cells from ``theme_counts`` (:mod:`assistant.themes.rollup`):
distinct participants and mentions per week and per month, theme and group, kept exact in the same
transaction as the events (migration 0004), so a report reads a few thousand rows and never an event
whatever the number of events. Counting straight from ``theme_events`` with ``COUNT(DISTINCT
participant_key)`` gives the same cells (the tests check it) but took 3-5 s at 1,000,000 events.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import ThemeCount, ThemeEvent
from assistant.themes.events import PARTICIPANT_ROLES, week_start
from assistant.themes.rollup import ALL, NO_COHORT

Period = Literal["week", "month"]
By = Literal["role", "cohort"]
PERIODS: tuple[Period, ...] = ("week", "month")
BYS: tuple[By, ...] = ("role", "cohort")
MAX_PERIODS = {"week": 260, "month": 120}
DEFAULT_SPAN = {"week": 12, "month": 6}

Key = tuple[date, str, str | None]  # period start, theme, group (None: everyone)


@dataclass(frozen=True, slots=True)
class Cell:
    """One published or suppressed number; ``participants`` is None when suppressed."""

    period: date
    theme: str
    group: str | None
    participants: int | None
    mentions: int | None
    previous_participants: int | None = None
    change: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.participants is None

    def as_dict(self, k: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "period": self.period.isoformat(),
            "theme": self.theme,
            "group": self.group,
            "participants": self.participants,
            "mentions": self.mentions,
            "previous_participants": self.previous_participants,
            "change": self.change,
            "suppressed": self.suppressed,
        }
        if self.suppressed:
            data["label"] = suppressed_label(k)
        return data


def suppressed_label(k: int) -> str:
    return f"fewer than {k} (or withheld)"


def suppression_note(k: int) -> str:
    return (
        f"Cells with fewer than {k} distinct participants are suppressed, and so are the cells that would let "
        "someone work them out from a total; suppressed cells carry no numbers."
    )


@dataclass(frozen=True)
class ThemeReport:
    period: Period
    by: By | None
    k: int
    since: date
    until: date
    periods: list[date]
    themes: list[str]
    groups: list[str]
    cells: list[Cell]

    @property
    def suppressed_count(self) -> int:
        return sum(cell.suppressed for cell in self.cells)

    def cell(self, period: date, theme: str, group: str | None = None) -> Cell | None:
        return next((c for c in self.cells if (c.period, c.theme, c.group) == (period, theme, group)), None)

    def as_contract(self) -> dict[str, Any]:
        """The JSON of ``GET /insights/themes`` and ``tandem themes report --json``."""
        return {
            "period": self.period,
            "by": self.by,
            "k": self.k,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "periods": [p.isoformat() for p in self.periods],
            "themes": self.themes,
            "groups": self.groups,
            "cells": [cell.as_dict(self.k) for cell in self.cells],
            "suppressed_cells": self.suppressed_count,
            "note": suppression_note(self.k),
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["period", "theme", "group", "participants", "mentions", "previous_participants", "change", "suppressed"]
        )
        for cell in self.cells:
            writer.writerow(
                [
                    cell.period.isoformat(),
                    cell.theme,
                    cell.group if cell.group is not None else "all",
                    _blank(cell.participants),
                    _blank(cell.mentions),
                    _blank(cell.previous_participants),
                    _blank(cell.change),
                    "true" if cell.suppressed else "false",
                ]
            )
        return out.getvalue()


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)


def period_start(day: date, period: Period) -> date:
    return week_start(day) if period == "week" else day.replace(day=1)


def next_period(start: date, period: Period, steps: int = 1) -> date:
    if period == "week":
        return start + timedelta(weeks=steps)
    months = start.year * 12 + start.month - 1 + steps
    return date(months // 12, months % 12 + 1, 1)


def period_starts(since: date, until: date, period: Period) -> list[date]:
    starts, current, last = [], period_start(since, period), period_start(until, period)
    while current <= last:
        starts.append(current)
        current = next_period(current, period)
    return starts


def theme_report(
    db: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    period: Period = "week",
    by: By | None = None,
    k: int = 5,
    themes: Iterable[str] = (),
) -> ThemeReport:
    """Theme cells from ``since`` to ``until`` (default: the last 12 weeks or 6 months up to today).

    ``themes`` (the taxonomy's ids) are listed even when nobody raised them, so that a theme's mere
    presence in the report says nothing; themes found in the events are added to them.
    """
    return _theme_report(_Tables, db, since=since, until=until, period=period, by=by, k=k, themes=themes)


def _event_theme_report(db: Session, **options: Any) -> ThemeReport:
    """The same report counted straight from ``theme_events`` (seconds at a million events): the reference."""
    return _theme_report(_EventTables, db, **options)


def _theme_report(
    tables_type: type[_Tables],
    db: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    period: Period = "week",
    by: By | None = None,
    k: int = 5,
    themes: Iterable[str] = (),
) -> ThemeReport:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    if by is not None and by not in BYS:
        raise ValueError(f"by must be one of {', '.join(BYS)}")
    if k < 2:
        raise ValueError("k must be at least 2")
    until = until or datetime.now(UTC).date()
    try:
        since = since or next_period(period_start(until, period), period, -(DEFAULT_SPAN[period] - 1))
        if since > until:
            raise ValueError("since must not be after until")
        if (until - since).days > MAX_PERIODS[period] * (7 if period == "week" else 31):
            raise ValueError(f"at most {MAX_PERIODS[period]} {period}s per report; choose a later since")
        periods = period_starts(since, until, period)
        if len(periods) > MAX_PERIODS[period]:
            raise ValueError(f"at most {MAX_PERIODS[period]} {period}s per report; choose a later since")
        first_month = period_start(next_period(periods[0], period, -1), "month")
        end = next_period(period_start(periods[-1], "month"), "month") - timedelta(days=1)
    except OverflowError:
        raise ValueError("dates must be between the years 2 and 9998") from None

    tables = tables_type(db, first_month, end, k)
    published = tables.view(period, by)
    groups = tables.groups.get(by, []) if by else []
    listed = sorted(set(themes) | {key[1] for key in published})
    cells = []
    for start in periods:
        before = next_period(start, period, -1)
        for theme in listed:
            for group in [None, *groups] if by else [None]:
                entry = published.get((start, theme, group))
                if entry is None or entry.hidden:
                    cells.append(Cell(start, theme, group, None, None))
                    continue
                previous = published.get((before, theme, group))
                shown = previous.participants if previous is not None and not previous.hidden else None
                change = entry.participants - shown if shown is not None else None
                cells.append(Cell(start, theme, group, entry.participants, entry.mentions, shown, change))
    return ThemeReport(period, by, k, since, until, periods, listed, groups if by else [], cells)


@dataclass(slots=True)
class _Entry:
    participants: int = 0
    mentions: int = 0
    hidden: bool = False

    @property
    def protects(self) -> bool:
        """Hidden and not empty: a cell whose value subtraction must not reveal."""
        return self.hidden and self.participants > 0


View = tuple[Period, By | None]
VIEWS: tuple[View, ...] = tuple((period, by) for period in PERIODS for by in (None, *BYS))


class _Tables:
    """The six views' aggregate tables for whole months, and the rules run over all of them at once."""

    def __init__(self, db: Session, start: date, end: date, k: int) -> None:
        self.db, self.start, self.end, self.k = db, start, end, k
        self.groups: dict[By, list[str]] = {}
        self._solved: dict[View, dict[Key, _Entry]] | None = None

    def view(self, period: Period, by: By | None) -> dict[Key, _Entry]:
        """The totals of ``period``, and its cells split ``by`` (keys with a group)."""
        if self._solved is None:
            self._solved = self._solve()
        return {**self._solved[(period, None)], **(self._solved[(period, by)] if by else {})}

    def _solve(self) -> dict[View, dict[Key, _Entry]]:
        tables: dict[View, dict[Key, _Entry]] = {}
        for period, by in VIEWS:
            counts = self._counts(period, by)
            if by is not None:
                self.groups[by] = _ordered_groups(by, {key[2] for key in counts if key[2] is not None})
                for start, theme, _ in list(tables[(period, None)]):
                    for group in self.groups[by]:
                        if (start, theme, group) not in counts:
                            counts[(start, theme, group)] = _Entry()
            for entry in counts.values():
                entry.hidden = entry.participants < self.k
            tables[(period, by)] = dict(sorted(counts.items(), key=lambda item: (*item[0][:2], item[0][2] or "")))

        rows = [
            (row, tables[(period, None)].get((start, theme, None)))
            for period, by in VIEWS
            if by is not None
            for (start, theme), row in _rows(tables[(period, by)]).items()
        ]
        columns = [
            (column, tables[("month", by)].get(month_key))
            for by in (None, *BYS)
            for month_key, column in _columns(tables[("week", by)]).items()
        ]
        links = [
            (month, active[0])
            for column, month in columns
            if month is not None and len(active := [entry for entry in column if entry.participants > 0]) == 1
        ]
        changed = True
        while changed:
            changed = any([_protect_row(row, total, self.k) for row, total in rows])
            changed = any([_protect_column(column, month) for column, month in columns]) or changed
            for month, week in links:
                if month.hidden != week.hidden:
                    month.hidden = week.hidden = changed = True
        return tables

    def _counts(self, period: Period, by: By | None) -> dict[Key, _Entry]:
        """Distinct participants and mentions per period, theme (and group): one range of ``theme_counts``."""
        query = select(
            ThemeCount.period_start,
            ThemeCount.theme,
            ThemeCount.group_value,
            ThemeCount.participants,
            ThemeCount.mentions,
        ).where(
            ThemeCount.period == period,
            ThemeCount.dimension == (by or ALL),
            ThemeCount.period_start >= self.start,
            ThemeCount.period_start <= self.end,
        )
        rows = self.db.connection().execute(query).all()  # Core: plain rows, no ORM bookkeeping
        return {
            (start, theme, group if by else None): _Entry(participants, mentions)
            for start, theme, group, participants, mentions in rows
        }


class _EventTables(_Tables):
    """The same tables counted from ``theme_events`` with ``COUNT(DISTINCT participant_key)``: the reference.

    Weeks are one ``GROUP BY week_start, theme`` over a covering index (migration 0003). Months are
    one query per month over its range of weeks: on SQLite that is two to three times faster than
    grouping by a month expression, and it is the same SQL on every database.
    """

    def _counts(self, period: Period, by: By | None) -> dict[Key, _Entry]:
        if period == "week":
            return self._count_range(self.start, self.end, by, bucket=None)
        counts: dict[Key, _Entry] = {}
        month = self.start
        while month <= self.end:
            following = next_period(month, "month")
            counts.update(self._count_range(month, following - timedelta(days=1), by, bucket=month))
            month = following
        return counts

    def _count_range(self, first: date, last: date, by: By | None, *, bucket: date | None) -> dict[Key, _Entry]:
        group_column = {None: None, "role": ThemeEvent.role, "cohort": ThemeEvent.cohort}[by]
        keys: list[Any] = [ThemeEvent.theme, *([group_column] if group_column is not None else [])]
        if bucket is None:
            keys.insert(0, ThemeEvent.week_start)
        query = (
            select(*keys, func.count(func.distinct(ThemeEvent.participant_key)), func.count())
            .where(ThemeEvent.week_start >= first, ThemeEvent.week_start <= last)
            .group_by(*keys)
        )
        counts: dict[Key, _Entry] = {}
        for row in self.db.execute(query):
            values = list(row)
            start = values.pop(0) if bucket is None else bucket
            theme = values.pop(0)
            group = (values.pop(0) or NO_COHORT) if by else None
            participants, mentions = values
            counts[(start, theme, group)] = _Entry(int(participants), int(mentions))
        return counts


def _ordered_groups(by: By, seen: set[str]) -> list[str]:
    if by == "role":
        return [*PARTICIPANT_ROLES, *sorted(seen - set(PARTICIPANT_ROLES))]
    return sorted(seen - {NO_COHORT}) + ([NO_COHORT] if NO_COHORT in seen else [])


def _rows(cells: dict[Key, _Entry]) -> dict[tuple[date, str], list[_Entry]]:
    rows: dict[tuple[date, str], list[_Entry]] = {}
    for (start, theme, _), entry in cells.items():
        rows.setdefault((start, theme), []).append(entry)
    return rows


def _columns(cells: dict[Key, _Entry]) -> dict[Key, list[_Entry]]:
    """Weekly cells by month (of their Monday), theme and group: the weeks that add up to a month cell."""
    columns: dict[Key, list[_Entry]] = {}
    months: dict[date, date] = {}
    for (week, theme, group), entry in cells.items():
        month = months.get(week) or months.setdefault(week, week.replace(day=1))
        columns.setdefault((month, theme, group), []).append(entry)
    return columns


def _protect_row(row: list[_Entry], total: _Entry | None, k: int) -> bool:
    """Rule 2: two or more hidden cells with participants, together at least k, or a hidden total."""
    if total is None or total.hidden:
        return False

    def unsafe() -> bool:
        protected = sum(entry.protects for entry in row)
        if not protected:
            return False
        published = sum(entry.participants for entry in row if not entry.hidden)
        return protected < 2 or total.participants - published < k

    return _hide_until_safe(row, unsafe, fallback=total)


def _protect_column(column: list[_Entry], month: _Entry | None) -> bool:
    """Rule 3: a published month never exposes a single hidden week."""
    if month is None or month.hidden:
        return False
    return _hide_until_safe(column, lambda: sum(entry.protects for entry in column) == 1, fallback=month)


def _hide_until_safe(cells: list[_Entry], unsafe: Callable[[], bool], *, fallback: _Entry) -> bool:
    """Hide the smallest published cells until safe; if they run out, hide ``fallback`` (the margin).

    Ties go to the first cell in key order (tables are sorted), so a report is the same every time.
    """
    if not unsafe():
        return False
    for entry in sorted((e for e in cells if not e.hidden), key=lambda e: (e.participants, e.mentions)):
        entry.hidden = True
        if not unsafe():
            return True
    fallback.hidden = True
    return True
