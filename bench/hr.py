"""HR theme reports at scale: a million theme events (10,000 participants, 52 weeks), SQLite and PostgreSQL.

Each database gets its schema through the app's own path (``make_engine`` and the Alembic migrations),
then ``generate_theme_events`` (which stores events with ``store_events``, so the rollups are
maintained as in production). The HR dashboard's views are then timed: 20 calls each on a fresh
engine (the first one cold), the worst and the median. Run alone with ``python -m bench.hr --events 1000000``.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assistant.db.engine import make_db_factory, make_engine, migrate, transaction
from assistant.db.models import ThemeCount, ThemePresence
from assistant.themes.events import Author, week_start
from assistant.themes.report import _event_theme_report, next_period, theme_report
from bench.stats import p50
from tools.demo.themes import cohort_names, generate_theme_events

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PARTICIPANTS = 10_000
COHORTS = 8
WEEKS = 52
K = 5
CALLS = 20  # per view, on a fresh engine: the first is the cold call
TARGET = "<= 200 ms"
SECRET = "bench-hr-secret"

Row = tuple[str, str, str]


def participants(count: int = PARTICIPANTS, cohorts: int = COHORTS) -> list[Author]:
    """Mentee-mentor pairs spread over cohorts, as ``tools.demo.themes.create_participants`` makes them."""
    names = cohort_names(cohorts)
    return [Author(n + 1, "mentee" if n % 2 == 0 else "mentor", names[(n // 2) % cohorts]) for n in range(count)]


def views(today: date) -> list[tuple[str, dict[str, Any]]]:
    """The HR dashboard's reports: a year by role, a year of months by cohort, the default weeks overall."""
    monday = week_start(today)
    first_month = next_period(today.replace(day=1), "month", -11)
    return [
        ("weekly by role, 52 weeks", {"period": "week", "by": "role", "since": next_period(monday, "week", -51)}),
        ("monthly by cohort, 12 months", {"period": "month", "by": "cohort", "since": first_month}),
        ("weekly overall, 12 weeks (default)", {"period": "week"}),
    ]


def measure_database(name: str, url: str, events: int) -> list[Row]:
    rows: list[Row] = []
    today = datetime.now(UTC).date()
    engine = make_engine(url)
    try:
        migrate(engine)
        db_factory = make_db_factory(engine)
        started = time.perf_counter()
        with transaction(db_factory) as db:
            generate_theme_events(db, participants(), WEEKS, events, seed=7, secret=SECRET, end=today)
        seconds = time.perf_counter() - started
        with db_factory() as db:
            counts = db.scalar(select(func.count()).select_from(ThemeCount)) or 0
            presences = db.scalar(select(func.count()).select_from(ThemePresence)) or 0
        rows.append(
            (
                f"HR {name}: generate {events:,} events ({PARTICIPANTS:,} participants, {WEEKS} weeks), rollups kept",
                f"{seconds:.1f} s = {events / seconds:,.0f} events/s; {counts:,} count rows, {presences:,} presences",
                "",
            )
        )
    finally:
        engine.dispose()

    for label, options in views(today):
        engine = make_engine(url)  # a fresh engine (new connections, empty caches) for each view's cold call
        try:
            db_factory = make_db_factory(engine)
            timings = []
            for _ in range(CALLS):
                with db_factory() as db:
                    timings.append(_time(lambda s=db, o=options: theme_report(s, until=today, k=K, **o)))
        finally:
            engine.dispose()
        rows.append(
            (
                f"HR {name}: report {label}, k={K}",
                f"worst of {CALLS} {max(timings):.0f} ms, p50 {p50(timings):.0f} ms; "
                f"the first (cold) call {timings[0]:.0f} ms",
                TARGET,
            )
        )

    label, options = views(today)[0]
    engine = make_engine(url)
    try:
        with make_db_factory(engine)() as db:
            reference = _time(lambda: _event_theme_report(db, until=today, k=K, **options))
            same = theme_report(db, until=today, k=K, **options) == _event_theme_report(db, until=today, k=K, **options)
    finally:
        engine.dispose()
    rows.append(
        (
            f"HR {name}: {label} counted from theme_events instead (the old way)",
            f"{reference / 1000:.1f} s, 1 run; same report as from the rollups: {'yes' if same else 'NO'}",
            "",
        )
    )
    return rows


def _time(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


@contextmanager
def fresh_postgres_schema(url: str) -> Iterator[str]:
    """A schema of its own for this run, dropped afterwards (as the tests' PostgreSQL fixture does)."""
    schema = f"bench_hr_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in url else "?"
        try:
            yield f"{url}{separator}options=-csearch_path%3D{schema}"
        finally:
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        engine.dispose()


def postgres_unreachable(url: str) -> str | None:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with Session(engine) as db:
            db.execute(text("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        engine.dispose()
    return None


def measure_hr_reports(root: Path, events: int) -> list[Row]:
    """HR report timings on SQLite (a file under ``root``) and PostgreSQL (skipped, with why, if unreachable)."""
    root.mkdir(parents=True, exist_ok=True)
    rows = measure_database("SQLite", f"sqlite:///{root / 'hr-bench.db'}", events)
    host = make_url(POSTGRES_URL).host
    reason = postgres_unreachable(POSTGRES_URL)
    if reason is not None:
        rows.append(("HR PostgreSQL", f"not measured: no server at {host}:5432 ({reason})", TARGET))
        return rows
    with fresh_postgres_schema(POSTGRES_URL) as url:
        rows.extend(measure_database("PostgreSQL", url, events))
    return rows


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description="HR theme reports at scale")
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tandem-bench-hr-") as folder:
        rows = measure_hr_reports(Path(folder), args.events)
    print("| measure | result | target |")
    print("|---|---|---|")
    for measure, result, target in rows:
        print(f"| {measure} | {result} | {target} |")


if __name__ == "__main__":
    main()
