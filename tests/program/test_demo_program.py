"""``python -m tools.demo seed``'s mentoring program: deterministic, complete, visible in HR's figures, seeded once."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import PROJECT_ROOT
from assistant.db.engine import make_db_factory, make_engine, migrate, transaction
from assistant.db.models import User
from assistant.db.program_models import Cohort, Pair, PairSession, Pulse, SessionAction
from assistant.program.agreement import current_agreement, is_accepted, unfilled
from assistant.program.cohorts import ProgramError
from assistant.program.insights import cohort_report, stalled_pairs
from assistant.services import Services
from tools.demo.program import DEMO_PROGRAM, ProgramSeedSummary, seed_program_data
from tools.demo.themes import create_participants


@pytest.fixture
def database_url(own_database_url: str) -> str:
    """A database of its own per test, also on PostgreSQL: the demo seeds one program per database."""
    return own_database_url


TODAY = date(2031, 3, 19)
WEEKS = 16  # past the 26-week program's midpoint, so there are mid-point surveys too


def seeded(services: Services, db_factory: sessionmaker[Session] | None = None, seed: int = 11) -> ProgramSeedSummary:
    """24 participants in 2 cohorts (as the demo creates them, without messages), then their program."""
    target = db_factory or services.db_factory
    with transaction(target) as db:
        create_participants(db, participants=24, cohorts=2, rng=random.Random(seed))
    return seed_program_data(services, weeks=WEEKS, seed=seed, today=TODAY, db_factory=target)


def fingerprint(db_factory: sessionmaker[Session]) -> list[list[str]]:
    """What was stored, without ids (a shared PostgreSQL schema numbers rows differently)."""
    queries = (
        select(Pair.status, Pair.score, Pair.explanation),
        select(PairSession.held_on, PairSession.rating, PairSession.notes),
        select(SessionAction.text, SessionAction.due_on, SessionAction.done_at),
        select(Pulse.kind, Pulse.scores, Pulse.comment),
    )
    with transaction(db_factory) as db:
        return [sorted(str(tuple(_plain(v) for v in row)) for row in db.execute(query)) for query in queries]


def _plain(value: object) -> object:
    """Datetimes as UTC ISO text: SQLite hands them back naive, PostgreSQL with a time zone."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def test_the_same_seed_gives_the_same_program(services: Services, tmp_path: Path) -> None:
    first = seeded(services)
    engine = make_engine(f"sqlite:///{tmp_path / 'second.db'}")
    try:
        migrate(engine)
        other = make_db_factory(engine)
        second = seeded(services, other)
        assert first == second
        assert fingerprint(services.db_factory) == fingerprint(other)
    finally:
        engine.dispose()
    assert (first.cohorts, first.members, first.first_cohort) == (2, 24, "atlas")
    assert first.confirmed > 0 and first.sessions > first.confirmed and first.actions >= first.sessions
    assert 0 < first.actions_done < first.actions and first.session_pulses > 0 and first.surveys > 0
    assert first.first_matching and first.first_mean_score == pytest.approx(
        sum(line.score for line in first.first_matching) / len(first.first_matching)
    )
    lines = first.matching_lines()
    assert lines[0].startswith("proposed matching of cohort atlas:") and len(lines) == len(first.first_matching) + 1


def test_confirmed_pairs_have_agreements_and_stalled_pairs_are_detected(services: Services) -> None:
    summary = seeded(services)
    with transaction(services.db_factory) as db:
        cohorts = list(db.scalars(select(Cohort).order_by(Cohort.id)))
        assert [c.starts_on for c in cohorts] == [TODAY - timedelta(days=TODAY.weekday(), weeks=WEEKS - 1)] * 2
        pairs = list(db.scalars(select(Pair)))
        confirmed = [pair for pair in pairs if pair.status == "confirmed"]
        assert len(confirmed) == summary.confirmed and len(pairs) - len(confirmed) == summary.proposed
        for cohort in cohorts:
            statuses = [pair.status for pair in pairs if pair.cohort_id == cohort.id]
            assert 1 <= statuses.count("proposed") <= 2, "the admin still has pairs to review"

        agreements = [current_agreement(db, pair) for pair in confirmed]
        assert all(agreement is not None for agreement in agreements)
        accepted = [a for a in agreements if a is not None and is_accepted(a)]
        assert len(accepted) == summary.agreements_accepted and 0 < len(accepted) <= len(confirmed)
        assert all(not unfilled(a.fields) for a in accepted)
        assert all(s.held_on <= TODAY for s in db.scalars(select(PairSession)))

        stalled = stalled_pairs(db, cohorts, today=TODAY)
        assert len(stalled) == summary.stalled >= 1
        assert all(s.days_without_session > DEMO_PROGRAM.stalled_after_days for s in stalled)


def test_the_cohort_report_shows_figures_for_groups_of_at_least_k(services: Services) -> None:
    seeded(services)
    k = services.settings.k_anonymity
    with transaction(services.db_factory) as db:
        cohort = db.scalars(select(Cohort).order_by(Cohort.id)).first()
        assert cohort is not None
        report = cohort_report(db, cohort, k=k, today=TODAY)
        stalled = len(stalled_pairs(db, [cohort], today=TODAY))
    participation = report["participation"]
    assert participation["mentors"] == {"value": 6, "people": 6, "suppressed": False}
    assert participation["mentees"]["value"] == 6
    pairs = participation["confirmed_pairs"]
    assert pairs["people"] >= k and not pairs["suppressed"] and pairs["value"] >= 3
    frequency = report["session_frequency"]
    assert frequency["mean_sessions_per_pair"]["value"] > 1 and not frequency["mean_sessions_per_pair"]["suppressed"]
    assert report["sessions_by_month"] and any(
        not month["sessions"]["suppressed"] for month in report["sessions_by_month"]
    )
    for kind in ("session", "midpoint"):
        pulses = report["pulses"][kind]
        assert pulses["respondents"]["value"] >= k
        assert all(3 <= question["value"] <= 5 for question in pulses["questions"].values())
    small = 0 < 2 * stalled < k  # one or two stalled pairs are too few people to show
    assert report["stalled_pairs"]["suppressed"] == small
    assert report["stalled_pairs"]["value"] == (None if small else stalled)


def test_the_cli_refuses_a_second_seed_with_one_line(services: Services) -> None:
    seeded(services)
    with pytest.raises(ProgramError, match="exists already"):
        seed_program_data(services, weeks=WEEKS, seed=11, today=TODAY)
    with transaction(services.db_factory) as db:
        users = db.scalar(select(func.count()).select_from(User))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL"))}
    env.update(
        DATA_DIR=str(services.settings.data_dir),
        DATABASE_URL=services.settings.sqlalchemy_url,
        LLM_PROVIDER="offline",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tools.demo", "seed", "--participants", "4", "--fast", "--events", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: the demo program {DEMO_PROGRAM.name!r} exists already; seed into an empty DATA_DIR or database"
    ]
    with transaction(services.db_factory) as db:
        assert db.scalar(select(func.count()).select_from(User)) == users, "nothing was written"
