"""Theme rollups: the report read from ``theme_counts`` equals the report counted from ``theme_events``.

For any events (participants whose role or cohort changes within a week included), stored in any
number of batches, on SQLite and PostgreSQL: the rollup report equals the event-based one, the
incremental rows equal a rebuild and the migration's backfill, two writers storing the same
participants at once lose nothing, and a report never reads an event.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, event, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import alembic_config, make_db_factory, make_engine, migrate, transaction
from assistant.db.models import ThemeCount, ThemeEvent, ThemeGroupPresence, ThemePresence
from assistant.themes.events import Author, participant_key, store_events
from assistant.themes.report import NO_COHORT, ThemeReport, _event_theme_report, theme_report
from assistant.themes.rollup import rebuild_rollups
from tests.conftest import POSTGRES_URL, _fresh_postgres_schema
from tools.demo.themes import generate_theme_events

SECRET = "rollup-test-secret"
# Mondays across three months (2032-03-29's week belongs to March, 2032-05-03 starts May).
WEEKS = [date(2032, 3, 22), date(2032, 3, 29), date(2032, 4, 5), date(2032, 4, 12), date(2032, 4, 26), date(2032, 5, 3)]
THEMES = ("ai-tools", "career-growth", "time-constraints")
ROLES = ("mentee", "mentor")
COHORTS = ("atlas", "beacon", None)
ROLLUPS = (ThemePresence, ThemeGroupPresence, ThemeCount)
VIEWS = [(period, by) for period in ("week", "month") for by in (None, "role", "cohort")]

Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def db_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate(engine)
    factory = make_db_factory(engine)
    wipe(factory)
    yield factory
    wipe(factory)  # PostgreSQL's schema is shared by the whole test session
    engine.dispose()


def wipe(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as db:
        for model in (*ROLLUPS, ThemeEvent):
            db.execute(delete(model))


def row(pid: int, theme: str, week: date, role: str, cohort: str | None) -> dict[str, object]:
    return {
        "theme": theme,
        "role": role,
        "cohort": cohort,
        "week_start": week,
        "participant_key": participant_key(pid, SECRET),
        "confidence": 0.9,
    }


def store_in_batches(factory: sessionmaker[Session], rows: Sequence[dict[str, object]], cuts: Sequence[int]) -> None:
    """Store ``rows`` in order, one transaction per batch, split at ``cuts``."""
    bounds = sorted({0, len(rows), *(c for c in cuts if 0 < c < len(rows))})
    for start, stop in pairwise(bounds):
        with transaction(factory) as db:
            store_events(db, rows[start:stop])


def snapshot(factory: sessionmaker[Session]) -> Snapshot:
    with factory() as db:
        return {
            model.__tablename__: sorted(tuple(r) for r in db.execute(select(*model.__table__.c))) for model in ROLLUPS
        }


def memberships(factory: sessionmaker[Session]) -> set[tuple[Any, ...]]:
    """Who is counted in which cell (the presences' meaning, whichever event of a bucket came first)."""
    with factory() as db:
        found: set[tuple[Any, ...]] = set()
        for p in db.scalars(select(ThemePresence)):
            found |= {
                (p.period, p.period_start, p.theme, dimension, group, p.participant_key)
                for dimension, group in (("all", ""), ("role", p.role), ("cohort", p.cohort))
            }
        found |= {tuple(r) for r in db.execute(select(*ThemeGroupPresence.__table__.c))}
        return found


def both_reports(factory: sessionmaker[Session], **options: Any) -> tuple[ThemeReport, ThemeReport]:
    with factory() as db:
        return theme_report(db, **options), _event_theme_report(db, **options)


def assert_reports_agree(
    factory: sessionmaker[Session], since: date, until: date, ks: Sequence[int] = (2, 3, 5)
) -> int:
    """The rollup report equals the event-based one in every view; returns how many cells were published."""
    published = 0
    for k in ks:
        for period, by in VIEWS:
            options = {"since": since, "until": until, "period": period, "by": by, "k": k, "themes": THEMES}
            rollup, events = both_reports(factory, **options)
            assert rollup == events, (period, by, k)
            published += len(rollup.cells) - rollup.suppressed_count
    return published


events_strategy = st.lists(
    st.tuples(
        st.integers(0, 11),  # participant
        st.integers(0, len(THEMES) - 1),
        st.integers(0, len(WEEKS) - 1),
        st.integers(0, 5),  # 0-3: the participant's usual role and cohort; 4: other role; 5: other cohort
    ),
    max_size=160,
)


def event_rows(events: Sequence[tuple[int, int, int, int]]) -> list[dict[str, object]]:
    rows = []
    for pid, theme, week, change in events:
        role = ROLES[(pid + (change == 4)) % 2]
        cohort = COHORTS[(pid // 2 + (change == 5)) % len(COHORTS)]
        rows.append(row(pid + 1, THEMES[theme], WEEKS[week], role, cohort))
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events_strategy, cuts=st.lists(st.integers(0, 160), max_size=4))
@example(events=[(p, 0, w, 0) for p in range(12) for w in (0, 1, 2)] + [(3, 0, 1, 4), (5, 0, 2, 5)], cuts=[10, 20])
def test_the_rollup_report_equals_the_event_report_for_any_events_and_batches(
    db_factory: sessionmaker[Session], events: list[tuple[int, int, int, int]], cuts: list[int]
) -> None:
    wipe(db_factory)
    rows = event_rows(events)
    store_in_batches(db_factory, rows, cuts)
    assert_reports_agree(db_factory, WEEKS[0], WEEKS[-1])
    incremental = snapshot(db_factory)

    with transaction(db_factory) as db:
        rebuild_rollups(db)
    assert snapshot(db_factory) == incremental
    assert_reports_agree(db_factory, WEEKS[0], WEEKS[-1], ks=(3,))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_programs_in_batches_report_the_same_as_the_events(
    db_factory: sessionmaker[Session], seed: int
) -> None:
    """Demo data (skewed activity, role and cohort preferences) in uneven batches, then a rebuild."""
    rng = random.Random(seed)
    people = [
        Author(1000 * seed + n, ROLES[n % 2], COHORTS[(n // 2) % 3] if n % 7 else None)
        for n in range(rng.randint(40, 90))
    ]
    end = date(2032, 6, 20)
    for batch_size in (rng.randint(50, 400), rng.randint(1000, 3000)):
        with transaction(db_factory) as db:
            generate_theme_events(
                db, people, 10, rng.randint(2000, 5000), seed, secret=SECRET, end=end, batch_size=batch_size
            )
    since = end - timedelta(weeks=9)
    assert assert_reports_agree(db_factory, since, end, ks=(2, 5, 10)) > 100, "the data should publish cells"
    incremental = snapshot(db_factory)
    with transaction(db_factory) as db:
        rebuild_rollups(db)
    assert snapshot(db_factory) == incremental


def test_a_participant_counts_once_per_cell_however_often_and_in_how_many_groups(
    db_factory: sessionmaker[Session],
) -> None:
    week = WEEKS[2]
    rows = [row(1, "ai-tools", week, "mentee", "atlas")] * 3 + [
        row(1, "ai-tools", week, "mentor", "beacon"),
        row(1, "ai-tools", WEEKS[3], "mentee", None),
        row(2, "ai-tools", week, "mentee", "atlas"),
    ]
    store_in_batches(db_factory, rows, [2, 4])
    with db_factory() as db:
        counts = {
            (c.period, c.dimension, c.period_start, c.group_value): (c.participants, c.mentions)
            for c in db.scalars(select(ThemeCount))
        }
    assert counts[("week", "all", week, "")] == (2, 5)
    assert counts[("week", "role", week, "mentee")] == (2, 4)
    assert counts[("week", "role", week, "mentor")] == (1, 1)
    assert counts[("week", "cohort", week, "beacon")] == (1, 1)
    assert counts[("month", "all", week.replace(day=1), "")] == (2, 6)
    assert counts[("month", "cohort", week.replace(day=1), NO_COHORT)] == (1, 1)
    assert counts[("month", "role", week.replace(day=1), "mentee")] == (2, 5)


def test_no_cohort_and_an_empty_cohort_are_one_group_counted_once(db_factory: sessionmaker[Session]) -> None:
    """Both show as "(none)"; the rollups count the people of both once (the old event query kept one of them)."""
    week = WEEKS[0]
    store_in_batches(
        db_factory, [row(pid, "ai-tools", week, "mentee", None if pid % 2 else "") for pid in range(1, 8)], []
    )
    with db_factory() as db:
        result = theme_report(db, since=week, until=week, by="cohort", k=2)
    cell = result.cell(week, "ai-tools", NO_COHORT)
    assert cell is not None and cell.participants == 7 and result.groups == [NO_COHORT]


def test_a_report_reads_rollups_only_never_an_event(db_factory: sessionmaker[Session]) -> None:
    store_in_batches(db_factory, event_rows([(p, 0, w, 0) for p in range(12) for w in range(len(WEEKS))]), [])
    statements: list[str] = []
    engine = db_factory.kw["bind"]

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with db_factory() as db:
            for period, by in VIEWS:
                theme_report(db, since=WEEKS[0], until=WEEKS[-1], period=period, by=by)  # type: ignore[arg-type]
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert statements and not [s for s in statements if "theme_events" in s]


def test_events_added_updated_or_deleted_through_the_orm_keep_the_rollups_exact(
    db_factory: sessionmaker[Session],
) -> None:
    """Tests and repairs add events as objects or delete them in bulk: the session hooks follow them."""
    with transaction(db_factory) as db:
        db.add_all(
            [
                ThemeEvent(**{**row(pid, THEMES[pid % 2], week, ROLES[pid % 2], "atlas"), "confidence": 0.5})
                for pid in range(1, 13)
                for week in WEEKS[:3]
            ]
        )
    assert_reports_agree(db_factory, WEEKS[0], WEEKS[-1], ks=(2,))
    with transaction(db_factory) as db:
        db.execute(delete(ThemeEvent).where(ThemeEvent.week_start == WEEKS[1]))
        db.execute(update(ThemeEvent).where(ThemeEvent.week_start == WEEKS[2]).values(cohort="beacon"))
    assert_reports_agree(db_factory, WEEKS[0], WEEKS[-1], ks=(2,))
    with transaction(db_factory) as db:
        db.delete(db.scalars(select(ThemeEvent).limit(1)).one())
    assert_reports_agree(db_factory, WEEKS[0], WEEKS[-1], ks=(2,))
    incremental = snapshot(db_factory)
    with transaction(db_factory) as db:
        rebuild_rollups(db)
    assert snapshot(db_factory) == incremental


@pytest.fixture(params=["sqlite", *(["postgresql"] if POSTGRES_URL else [])])
def empty_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """A database of its own (not the session's shared schema): the migration test walks revisions."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
        yield engine
        engine.dispose()
        return
    with _fresh_postgres_schema(POSTGRES_URL) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_the_migration_backfill_writes_the_rows_incremental_maintenance_would(
    empty_database: Engine, tmp_path: Any
) -> None:
    rng = random.Random(5)
    events = [(rng.randrange(12), rng.randrange(3), rng.randrange(len(WEEKS)), rng.randrange(6)) for _ in range(400)]
    rows = event_rows(events)
    config = alembic_config(empty_database)
    command.upgrade(config, "0003")
    with empty_database.begin() as connection:
        connection.execute(insert(ThemeEvent.__table__), rows)  # before the rollups exist
    command.upgrade(config, "0004")
    backfilled = snapshot(make_db_factory(empty_database))
    assert backfilled["theme_counts"] and backfilled["theme_group_presence"]

    incremental_engine = make_engine(f"sqlite:///{tmp_path / 'incremental.db'}")
    migrate(incremental_engine)
    incremental = make_db_factory(incremental_engine)
    store_in_batches(incremental, rows, [100, 250])
    assert snapshot(incremental) == backfilled
    incremental_engine.dispose()

    command.upgrade(config, "head")
    factory = make_db_factory(empty_database)
    with transaction(factory) as db:
        rebuild_rollups(db)
    assert snapshot(factory) == backfilled
    assert_reports_agree(factory, WEEKS[0], WEEKS[-1], ks=(3,))


@pytest.mark.postgres
def test_two_writers_storing_the_same_participants_at_once_count_everyone_once(postgres_url: str) -> None:
    """Two sessions (as two uvicorn workers) store overlapping events for the same buckets concurrently,
    one held uncommitted while the other inserts the same presences; the counts equal a rebuild's."""
    engine = make_engine(postgres_url)
    migrate(engine)
    factory = make_db_factory(engine)
    wipe(factory)
    try:
        # 1. Deterministic: A inserts and waits before committing; B stores the same buckets meanwhile.
        first = event_rows([(p, 0, 1, 0) for p in range(8)])
        second = event_rows([(p, 0, 1, 4 if p % 2 else 0) for p in range(4, 12)])
        entered, release = threading.Event(), threading.Event()

        def slow_writer() -> None:
            with transaction(factory) as db:
                store_events(db, first)
                entered.set()
                release.wait(10)

        writer = threading.Thread(target=slow_writer)
        writer.start()
        assert entered.wait(10)
        blocked = threading.Thread(target=lambda: store_in_batches(factory, second, []))
        blocked.start()
        time.sleep(0.5)
        assert blocked.is_alive(), "B waits on A's uncommitted presences"
        release.set()
        writer.join(10)
        blocked.join(10)

        # 2. Stress: two writers, many small and a few large transactions over the same buckets.
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def stress(seed: int) -> None:
            try:
                rng = random.Random(seed)
                barrier.wait(10)
                for _ in range(25):
                    size = rng.choice((1, 3, 8, 60))
                    rows = event_rows(
                        [(rng.randrange(12), rng.randrange(2), rng.randrange(3), rng.randrange(6)) for _ in range(size)]
                    )
                    store_in_batches(factory, rows, [])
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=stress, args=(seed,)) for seed in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors

        incremental, members = snapshot(factory), memberships(factory)
        assert_reports_agree(factory, WEEKS[0], WEEKS[-1], ks=(2, 5))
        with transaction(factory) as db:
            rebuild_rollups(db)
        rebuilt = snapshot(factory)
        assert incremental["theme_counts"] == rebuilt["theme_counts"]
        assert members == memberships(factory)
    finally:
        wipe(factory)
        engine.dispose()
