"""HR's cohort figures (k-anonymity) and the admin's stalled pairs, on data written through the domain functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import User
from assistant.db.program_models import Agreement, Pair, PairSession, SessionAction
from assistant.participants import forget_participant
from assistant.program import pairing
from assistant.program.cohorts import get_cohort
from assistant.program.insights import cohort_report, figure, stalled_pairs
from assistant.program.session_log import ActionDraft, log_session
from assistant.program.skills import default_skills
from assistant.services import Services
from tests.program.helpers import mentee, mentor
from tests.program.program_setup import Enrolled, enrol_cohort

START = date(2027, 1, 11)


def confirmed_cohort(services: Services, pairs: int) -> tuple[Enrolled, list[int]]:
    people = [mentor(f"m{i}") for i in range(pairs)] + [mentee(f"e{i}") for i in range(pairs)]
    enrolled = enrol_cohort(services, people, starts_on=START)
    with transaction(services.db_factory) as db:
        cohort = get_cohort(db, enrolled.cohort_id)
        stored = pairing.propose_for_cohort(db, cohort, default_skills())
        ids = [pairing.confirm_pair(db, pair).id for _, pair in stored.pairs]
        for pair_id in ids:
            db.get_one(Pair, pair_id).confirmed_at = datetime(2027, 1, 11, 9, tzinfo=UTC)
    return enrolled, ids


def log(
    services: Services,
    pair_id: int,
    held_on: date,
    rating: int | None = 4,
    notes: str = "",
    actions: tuple[ActionDraft, ...] = (),
) -> None:
    with transaction(services.db_factory) as db:
        pair = pairing.get_pair(db, pair_id)
        log_session(
            db,
            pair=pair,
            user=pair.mentor,
            held_on=held_on,
            rating=rating,
            notes=notes,
            actions=actions,
            today=date(2027, 12, 31),
        )


def test_figures_under_k_people_are_withheld_and_figures_about_nobody_are_shown() -> None:
    assert figure(3, 4, 5) == {"value": None, "people": None, "suppressed": True}
    assert figure(3.14159, 5, 5) == {"value": 3.14, "people": 5, "suppressed": False}
    assert figure(0, 0, 5) == {"value": 0, "people": 0, "suppressed": False}


def test_a_cohort_big_enough_shows_its_figures_and_a_small_month_stays_hidden(services: Services) -> None:
    enrolled, pair_ids = confirmed_cohort(services, 6)
    for pair_id in pair_ids:
        log(services, pair_id, START + timedelta(days=3), rating=5)
        log(services, pair_id, START + timedelta(days=17), rating=3)
    log(services, pair_ids[0], START + timedelta(days=40), rating=1)  # a month with a single pair in it
    with transaction(services.db_factory) as db:
        for user_id in list(enrolled.users.values())[6:]:
            crud.create_goal(db, user=db.get_one(User, user_id), text="Learn Power BI by June", criteria={})
        report = cohort_report(db, get_cohort(db, enrolled.cohort_id), k=5, today=START + timedelta(days=56))

    assert report["participation"]["mentors"] == {"value": 6, "people": 6, "suppressed": False}
    assert report["participation"]["confirmed_pairs"]["value"] == 6
    january, february = report["sessions_by_month"]
    assert january["sessions"]["value"] == 12 and january["mean_rating"]["value"] == 4.0
    assert january["mean_rating"]["people"] == 6, "ratings were given by the six mentors"
    assert february["sessions"]["suppressed"] and february["mean_rating"]["value"] is None
    frequency = report["session_frequency"]
    assert frequency["mean_sessions_per_pair"]["value"] == round(13 / 6, 2)
    assert frequency["mean_share_of_cadence"]["value"] == round((3 / 4 + 5 * 2 / 4) / 6, 2)
    goals = report["goal_progress"]
    assert goals["people_with_goals"]["value"] == 6 and goals["goals_by_status"]["draft"]["value"] == 6
    assert "Power BI" not in str(report), "goal text never reaches HR"


def test_stalled_pairs_are_those_without_a_session_for_longer_than_the_limit(services: Services) -> None:
    enrolled, pair_ids = confirmed_cohort(services, 3)
    log(services, pair_ids[0], START + timedelta(days=50))
    log(services, pair_ids[1], START + timedelta(days=10))
    with services.db_factory() as db:
        cohort = get_cohort(db, enrolled.cohort_id)
        found = stalled_pairs(db, [cohort], today=START + timedelta(days=60))
        assert [(s.pair_id, s.days_without_session) for s in found] == [(pair_ids[2], 60), (pair_ids[1], 50)]
        assert found[1].last_session_on == START + timedelta(days=10)
        assert stalled_pairs(db, [cohort], today=START + timedelta(days=60), after_days=55) == found[:1]
        assert stalled_pairs(db, [cohort], today=cohort.ends_on + timedelta(days=1)) == [], "the cohort is over"


def test_forgetting_a_participant_removes_their_pair_and_what_the_pair_recorded(services: Services) -> None:
    _, pair_ids = confirmed_cohort(services, 2)
    log(services, pair_ids[0], START, notes="private", actions=(ActionDraft("Try it", "mentee"),))
    with transaction(services.db_factory) as db:
        pair = db.get_one(Pair, pair_ids[0])
        forgotten = forget_participant(db, user_id=pair.mentee_id)
    assert forgotten is not None and forgotten.pairs == 1
    with services.db_factory() as db:
        assert db.get(Pair, pair_ids[0]) is None and db.get(Pair, pair_ids[1]) is not None
        for table in (PairSession, SessionAction, Agreement):
            assert db.scalar(select(func.count()).where(table.pair_id == pair_ids[0])) == 0
