"""Theme rollups: the HR report's distinct-participant counts, kept up to date as theme events arrive.

Counting distinct participants per week or month, theme and group straight from ``theme_events``
reads every event of the range (3-5 s at a million events). Instead, :func:`record_rollups` runs in
the same transaction as every insert of events (:func:`assistant.themes.events.store_events`) and keeps
three tables exact:

* :class:`~assistant.db.models.ThemePresence`: one row per (week or month, theme, participant),
  with the role and cohort of the participant's first event there. Inserting it with ``ON CONFLICT
  DO NOTHING`` tells whether this person is new in that bucket.
* :class:`~assistant.db.models.ThemeGroupPresence`: the same for a role or cohort other than that
  first one (a participant whose role or cohort changed within the bucket; normally empty).
* :class:`~assistant.db.models.ThemeCount`: participants and mentions per (week or month, theme,
  ``all`` | role | cohort), incremented with ``ON CONFLICT DO UPDATE SET participants = participants
  + excluded.participants``, so two workers logging at once never lose an increment.

Distinct counts do not add up across periods, so weeks and months (a week belongs to the month of
its Monday, as in the report) are separate buckets. Events are append-only (forgetting a user keeps
their unlinkable events), so every number only grows and an event is never subtracted.

Concurrency: a presence insert that conflicts with another transaction's uncommitted insert waits
for it (PostgreSQL's unique index), so exactly one of them counts the person. Every transaction
writes presences, then group presences, then counts, each in sorted key order, so two writers wait
on each other's rows in one order and cannot deadlock.

:func:`rebuild_rollups` recomputes all three tables from ``theme_events`` with ``INSERT ... SELECT``
(the repair command; migration 0004 runs the same SQL as its backfill) and yields exactly the rows
incremental maintenance does. Events changed in other ways through an ORM session (added as objects,
deleted or updated in bulk, as tests and repairs do) are caught by the session hooks at the end of
this module; raw SQL on ``theme_events`` needs a :func:`rebuild_rollups` afterwards.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    delete,
    event,
    except_,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy import insert as sql_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from assistant.db.models import ThemeCount, ThemeEvent, ThemeGroupPresence, ThemePresence

NO_COHORT = "(none)"  # the report's group for events without a cohort
PERIODS = ("week", "month")
ALL, ROLE, COHORT = "all", "role", "cohort"

Bucket = tuple[date, str, str]  # period start, theme, participant key
Groups = tuple[str, str]  # role, cohort (as the report's group name)
CountKey = tuple[str, str, date, str, str]  # period, dimension, period start, theme, group value
PRESENCE = ("period", "period_start", "theme", "participant_key", "role", "cohort")
GROUP_PRESENCE = ("period", "period_start", "theme", "dimension", "group_value", "participant_key")
COUNT = ("period", "dimension", "period_start", "theme", "group_value", "participants", "mentions")


def cohort_group(cohort: str | None) -> str:
    """The report's group name of a cohort."""
    return cohort or NO_COHORT


def record_rollups(db: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Count theme event rows (as inserted by ``store_events``) into the rollups, in the caller's transaction."""
    if rows:
        _record(db.connection(), rows)


class _Batch:
    """A batch of events grouped in Python, per period: each bucket's first groups, its other groups, mentions."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        weeks: dict[Bucket, Groups] = {}
        week_others: dict[Bucket, set[Groups]] = {}
        combos: Counter[tuple[date, str, Groups]] = Counter()
        for row in rows:
            week = row["week_start"]
            if isinstance(week, str):
                week = date.fromisoformat(week)
            groups = (row["role"], row["cohort"] or NO_COHORT)
            bucket = (week, row["theme"], row["participant_key"])
            combos[(week, row["theme"], groups)] += 1
            if weeks.setdefault(bucket, groups) != groups:
                week_others.setdefault(bucket, set()).add(groups)
        self.month_of = {week: week.replace(day=1) for week, _, _ in combos}
        # A month's first event is in the first of its weeks seen (dicts keep insertion order).
        months: dict[Bucket, Groups] = {}
        month_others: dict[Bucket, set[Groups]] = {}
        for (week, theme, key), groups in weeks.items():
            bucket = (self.month_of[week], theme, key)
            if months.setdefault(bucket, groups) != groups:
                month_others.setdefault(bucket, set()).add(groups)
        for (week, theme, key), others in week_others.items():
            bucket = (self.month_of[week], theme, key)
            month_others.setdefault(bucket, set()).update(others - {months[bucket]})
        self.first = {"week": weeks, "month": months}
        self.others = {"week": week_others, "month": month_others}
        self.mentions: Counter[CountKey] = Counter()
        for (week, theme, (role, cohort)), mentions in combos.items():
            for period, start in (("week", week), ("month", self.month_of[week])):
                self.mentions[(period, ALL, start, theme, "")] += mentions
                self.mentions[(period, ROLE, start, theme, role)] += mentions
                self.mentions[(period, COHORT, start, theme, cohort)] += mentions


def _record(connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    batch = _Batch(rows)
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    participants: Counter[CountKey] = Counter()
    ordered = sorted(PERIODS)  # every table's key starts with the period: rows go in key order

    # 1. Presences. New rows come back as sent; a row already there comes back only when its first
    #    groups differ from the ones sent (then with the stored ones), so after this statement the
    #    stored first groups of every bucket of the batch are known without another query.
    sent = [(period, *bucket, *groups) for period in ordered for bucket, groups in sorted(batch.first[period].items())]
    presence = insert(ThemePresence).from_select(PRESENCE, _source(connection, PRESENCE, sent))
    upsert = presence.on_conflict_do_update(
        index_elements=PRESENCE[:4],
        set_={"role": ThemePresence.role},
        where=(ThemePresence.role != presence.excluded.role) | (ThemePresence.cohort != presence.excluded.cohort),
    ).returning(*(ThemePresence.__table__.c[name] for name in PRESENCE))
    stored: dict[str, dict[Bucket, Groups]] = {period: {} for period in PERIODS}
    for period, start, theme, key, role, cohort in connection.execute(upsert):
        if (role, cohort) == batch.first[period][(start, theme, key)]:
            participants[(period, ALL, start, theme, "")] += 1
            participants[(period, ROLE, start, theme, role)] += 1
            participants[(period, COHORT, start, theme, cohort)] += 1
        else:
            stored[period][(start, theme, key)] = (role, cohort)

    # 2. Groups of a bucket other than its stored first ones (rare: a role or cohort changed).
    others = []
    for period in ordered:
        for bucket in batch.others[period].keys() | stored[period].keys():
            first = stored[period].get(bucket) or batch.first[period][bucket]
            seen = {batch.first[period][bucket], *batch.others[period].get(bucket, ())}
            start, theme, key = bucket
            others += [(period, start, theme, ROLE, role, key) for role in {r for r, _ in seen} - {first[0]}]
            others += [(period, start, theme, COHORT, cohort, key) for cohort in {c for _, c in seen} - {first[1]}]
    if others:
        group_presence = (
            insert(ThemeGroupPresence)
            .from_select(GROUP_PRESENCE, _source(connection, GROUP_PRESENCE, sorted(others)))
            .on_conflict_do_nothing(index_elements=GROUP_PRESENCE)
            .returning(*(ThemeGroupPresence.__table__.c[name] for name in GROUP_PRESENCE))
        )
        for period, start, theme, dimension, group, _ in connection.execute(group_presence):
            participants[(period, dimension, start, theme, group)] += 1

    # 3. Counts: every event is a mention in all three dimensions of its week and of its month.
    counts = insert(ThemeCount).from_select(
        COUNT,
        _source(
            connection,
            COUNT,
            [(*key, participants[key], mentions) for key, mentions in sorted(batch.mentions.items())],
        ),
    )
    counts = counts.on_conflict_do_update(
        index_elements=COUNT[:5],
        set_={
            "participants": ThemeCount.participants + counts.excluded.participants,
            "mentions": ThemeCount.mentions + counts.excluded.mentions,
        },
    )
    connection.execute(counts)


def _source(connection: Connection, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> Select[Any]:
    """``rows`` as a SELECT with one statement's worth of parameters, whatever their number.

    PostgreSQL gets one array per column through ``unnest``, SQLite one JSON array through
    ``json_each``: much faster than executemany for batches of 100,000 rows, and rows are read in
    the order given.
    """
    if connection.dialect.name == "postgresql":
        columns = [[row[i] for row in rows] for i in range(len(names))]
        arrays = [
            bindparam(None, column, type_=ARRAY(_TYPES[name])) for column, name in zip(columns, names, strict=True)
        ]
        table = func.unnest(*arrays).table_valued(*names).render_derived()
        return select(*(table.c[name] for name in names))
    each = func.json_each(bindparam(None, json.dumps(rows, default=date.isoformat))).table_valued("value")
    return select(*(func.json_extract(each.c.value, f"$[{i}]").label(name) for i, name in enumerate(names))).where(
        true()  # an INSERT ... SELECT with ON CONFLICT needs a WHERE on SQLite
    )


_TYPES: dict[str, Any] = {
    "period": String,
    "period_start": Date,
    "theme": String,
    "participant_key": String,
    "role": String,
    "cohort": String,
    "dimension": String,
    "group_value": String,
    "participants": Integer,
    "mentions": Integer,
}


def rebuild_rollups(db: Session) -> None:
    """Recompute the rollups from ``theme_events`` (repair; the same rows incremental maintenance gives)."""
    _rebuild(db.connection())


def _rebuild(connection: Connection) -> None:
    for table in (ThemeCount, ThemeGroupPresence, ThemePresence):
        connection.execute(delete(table))
    event_cohort = func.coalesce(func.nullif(ThemeEvent.cohort, ""), NO_COHORT)
    for period in PERIODS:
        label = literal(period, String)
        bucket = ThemeEvent.week_start if period == "week" else _month_of(connection, ThemeEvent.week_start)
        # The first event of each (bucket, theme, participant) gives the presence's groups.
        ranked = select(
            bucket.label("period_start"),
            ThemeEvent.theme,
            ThemeEvent.participant_key,
            ThemeEvent.role,
            event_cohort.label("cohort"),
            func.row_number()
            .over(partition_by=(bucket, ThemeEvent.theme, ThemeEvent.participant_key), order_by=ThemeEvent.id)
            .label("n"),
        ).subquery()
        connection.execute(
            sql_insert(ThemePresence).from_select(
                PRESENCE,
                select(
                    label,
                    ranked.c.period_start,
                    ranked.c.theme,
                    ranked.c.participant_key,
                    ranked.c.role,
                    ranked.c.cohort,
                ).where(ranked.c.n == 1),
            )
        )
        for dimension, event_group, first_group in (
            (ROLE, ThemeEvent.role, ThemePresence.role),
            (COHORT, event_cohort, ThemePresence.cohort),
        ):
            dimension_label = literal(dimension, String)
            seen = select(
                label, bucket, ThemeEvent.theme, dimension_label, event_group, ThemeEvent.participant_key
            ).distinct()
            firsts = select(
                label,
                ThemePresence.period_start,
                ThemePresence.theme,
                dimension_label,
                first_group,
                ThemePresence.participant_key,
            ).where(ThemePresence.period == period)
            connection.execute(sql_insert(ThemeGroupPresence).from_select(GROUP_PRESENCE, except_(seen, firsts)))
        for dimension, group in ((ALL, None), (ROLE, ThemeEvent.role), (COHORT, event_cohort)):
            keys: list[Any] = [bucket, ThemeEvent.theme, *([group] if group is not None else [])]
            connection.execute(
                sql_insert(ThemeCount).from_select(
                    COUNT,
                    select(
                        label,
                        literal(dimension, String),
                        bucket,
                        ThemeEvent.theme,
                        group if group is not None else literal("", String),
                        func.count(func.distinct(ThemeEvent.participant_key)),
                        func.count(),
                    ).group_by(*keys),
                )
            )


def _month_of(connection: Connection, week: Any) -> ColumnElement[Any]:
    """The first day of the month of a date column, in SQL."""
    if connection.dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'month'"), week), Date)
    return func.date(week, literal_column("'start of month'"))


# Session hooks: theme events that reach the database through an ORM session by a way other than
# ``store_events`` still end up in the rollups.


@event.listens_for(Session, "after_flush")
def _count_flushed_events(db: Session, _flush_context: UOWTransaction) -> None:
    """Events added as ORM objects are counted; ORM updates or deletes of events trigger a rebuild."""
    changed = any(
        isinstance(obj, ThemeEvent) and (obj in db.deleted or db.is_modified(obj)) for obj in (*db.deleted, *db.dirty)
    )
    if changed:
        _rebuild(db.connection())
        return
    added = sorted((obj for obj in db.new if isinstance(obj, ThemeEvent)), key=lambda e: e.id)
    if added:
        _record(
            db.connection(),
            [
                {
                    "theme": e.theme,
                    "role": e.role,
                    "cohort": e.cohort,
                    "week_start": e.week_start,
                    "participant_key": e.participant_key,
                }
                for e in added
            ],
        )


@event.listens_for(Session, "do_orm_execute")
def _rebuild_after_bulk_change(state: ORMExecuteState) -> Any:
    """``session.execute(delete(ThemeEvent))`` or an ``update``: run it, then rebuild the rollups."""
    if not (state.is_delete or state.is_update):
        return None
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) != ThemeEvent.__tablename__:
        return None
    result = state.invoke_statement()
    rebuild_rollups(state.session)
    return result
