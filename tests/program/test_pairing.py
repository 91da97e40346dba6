"""Matching a cohort stored in the database: proposals, confirmation, swaps, overrides, the hard rules."""

from __future__ import annotations

import statistics

import pytest
from sqlalchemy import select

from assistant.db.engine import transaction
from assistant.db.program_models import Pair
from assistant.program import pairing
from assistant.program.cohorts import Conflict, ProgramError, get_cohort
from assistant.program.matching import proposal_quality, random_pairing
from assistant.program.skills import default_skills
from assistant.services import Services
from tests.program.helpers import mentee, mentor
from tests.program.program_setup import enrol_cohort
from tools.demo.synthetic import synthetic_profiles

SKILLS = default_skills()


def propose(services: Services, cohort_id: int) -> pairing.StoredProposal:
    with transaction(services.db_factory) as db:
        return pairing.propose_for_cohort(db, get_cohort(db, cohort_id), SKILLS)


def test_a_generated_cohort_of_60_is_matched_far_better_than_at_random_and_within_the_rules(
    services: Services,
) -> None:
    mentors, mentees = synthetic_profiles(30, 30, seed=11)
    enrolled = enrol_cohort(services, [*mentors, *mentees])
    stored = propose(services, enrolled.cohort_id)
    contract = stored.as_dict()

    optimal = proposal_quality(stored.proposal)
    randoms = [proposal_quality(random_pairing(mentors, mentees, seed=run)) for run in range(20)]
    assert optimal["mean_score"] > statistics.fmean(r["mean_score"] for r in randoms) + 0.1
    assert optimal["wanted_skills_covered"] > max(r["wanted_skills_covered"] for r in randoms)

    by_id = {p.id: p for p in [*mentors, *mentees]}
    managers = {p.id: p.manager_id for p in by_id.values()}
    for row in contract["pairs"]:
        chain, person = [], row["mentee"]
        while managers.get(person) and managers[person] not in chain:
            chain.append(managers[person])
            person = chain[-1]
        assert row["mentor"] not in chain, "a mentee was paired with someone in their reporting line"
        assert by_id[row["mentor"]].availability & by_id[row["mentee"]].availability, "pair without a shared slot"
        assert row["pair_id"] > 0 and row["explanation"] and "\n" not in row["explanation"]
    assert all(u["reason"] for u in contract["unmatched"])

    with services.db_factory() as db:
        stored_pairs = db.scalars(select(Pair).where(Pair.cohort_id == enrolled.cohort_id)).all()
        assert {p.status for p in stored_pairs} == {"proposed"}
        assert len(stored_pairs) == len(contract["pairs"])


def test_members_without_a_profile_are_listed_as_unmatched(services: Services) -> None:
    enrolled = enrol_cohort(services, [mentor("m1"), mentee("e1")], with_profiles=False)
    contract = propose(services, enrolled.cohort_id).as_dict()
    assert contract["pairs"] == []
    assert {u["id"] for u in contract["unmatched"]} == {"m1", "e1"}
    assert all("profile" in u["reason"] for u in contract["unmatched"])


def test_proposing_again_replaces_open_proposals_but_keeps_confirmed_pairs(services: Services) -> None:
    people = [mentor("m1"), mentor("m2"), mentee("e1"), mentee("e2")]
    enrolled = enrol_cohort(services, people)
    first = propose(services, enrolled.cohort_id)
    keep = first.pairs[0][1].id
    with transaction(services.db_factory) as db:
        pairing.confirm_pair(db, pairing.get_pair(db, keep))
    second = propose(services, enrolled.cohort_id)
    with services.db_factory() as db:
        pairs = db.scalars(select(Pair).where(Pair.cohort_id == enrolled.cohort_id)).all()
    assert [p.id for p in pairs if p.status == "confirmed"] == [keep]
    assert len([p for p in pairs if p.status == "proposed"]) == len(second.pairs) == 1
    confirmed = next(p for p in pairs if p.id == keep)
    assert {confirmed.mentor_id, confirmed.mentee_id}.isdisjoint(
        {second.pairs[0][1].mentor_id, second.pairs[0][1].mentee_id}
    )


def test_confirming_twice_or_someone_already_paired_is_a_conflict(services: Services) -> None:
    enrolled = enrol_cohort(services, [mentor("m1"), mentee("e1"), mentee("e2")])
    stored = propose(services, enrolled.cohort_id)
    pair_id = stored.pairs[0][1].id
    with transaction(services.db_factory) as db:
        pairing.confirm_pair(db, pairing.get_pair(db, pair_id))
    with transaction(services.db_factory) as db, pytest.raises(Conflict, match="only a proposed pair"):
        pairing.confirm_pair(db, pairing.get_pair(db, pair_id))
    with transaction(services.db_factory) as db:
        cohort = get_cohort(db, enrolled.cohort_id)
        other = next(
            u for key, u in enrolled.users.items() if key.startswith("e") and u != stored.pairs[0][1].mentee_id
        )
        with pytest.raises(Conflict, match="already in a confirmed pair"):
            pairing.set_pair(db, cohort, mentor_id=enrolled.users["m1"], mentee_id=other, skills=SKILLS)


def test_a_swap_exchanges_mentees_and_rescores_both_pairs(services: Services) -> None:
    people = [
        mentor("m1", teaches={"excel"}),
        mentor("m2", teaches={"power-bi"}),
        mentee("e1", wants={"excel"}),
        mentee("e2", wants={"power-bi"}),
    ]
    enrolled = enrol_cohort(services, people)
    stored = propose(services, enrolled.cohort_id)
    before = {(p.mentor_id, p.mentee_id): p.score for _, p in stored.pairs}
    assert (enrolled.users["m1"], enrolled.users["e1"]) in before
    first, second = (p.id for _, p in stored.pairs)
    with transaction(services.db_factory) as db:
        a, b = pairing.swap_mentees(db, pairing.get_pair(db, first), pairing.get_pair(db, second), SKILLS)
        after = {(a.mentor_id, a.mentee_id): a.score, (b.mentor_id, b.mentee_id): b.score}
        assert a.origin == b.origin == "swap"
    assert set(after) == {
        (enrolled.users["m1"], enrolled.users["e2"]),
        (enrolled.users["m2"], enrolled.users["e1"]),
    }
    assert sum(after.values()) < sum(before.values()), "the optimal proposal was worse than a swap"


def test_a_swap_into_a_reporting_line_is_refused(services: Services) -> None:
    people = [mentor("m1"), mentor("m2", manager_id="e1"), mentee("e1"), mentee("e2")]
    enrolled = enrol_cohort(services, people)
    stored = propose(services, enrolled.cohort_id)
    assert {(p.mentor_id, p.mentee_id) for _, p in stored.pairs} == {
        (enrolled.users["m1"], enrolled.users["e1"]),
        (enrolled.users["m2"], enrolled.users["e2"]),
    }
    first, second = (p.id for _, p in stored.pairs)
    with transaction(services.db_factory) as db, pytest.raises(ProgramError, match="reporting line"):
        pairing.swap_mentees(db, pairing.get_pair(db, first), pairing.get_pair(db, second), SKILLS)


def test_an_override_never_crosses_a_reporting_line_and_needs_consent_for_a_weak_pair(services: Services) -> None:
    people = [
        mentor("m1", manager_id="e1"),
        mentor("m2", availability={"mon-pm"}),
        mentee("e1"),
        mentee("e2"),
    ]
    enrolled = enrol_cohort(services, people)
    users = enrolled.users
    with transaction(services.db_factory) as db:
        cohort = get_cohort(db, enrolled.cohort_id)
        with pytest.raises(ProgramError, match="reporting line"):
            pairing.set_pair(db, cohort, mentor_id=users["m1"], mentee_id=users["e1"], skills=SKILLS, allow_weak=True)
        with pytest.raises(ProgramError, match="allow_weak"):
            pairing.set_pair(db, cohort, mentor_id=users["m2"], mentee_id=users["e2"], skills=SKILLS)
        pair = pairing.set_pair(
            db, cohort, mentor_id=users["m2"], mentee_id=users["e2"], skills=SKILLS, allow_weak=True
        )
        assert pair.status == "proposed" and pair.origin == "override"
        assert pair.explanation.startswith("set by an admin") and "no shared availability slot" in pair.explanation
        with pytest.raises(ProgramError, match="mentor"):
            pairing.set_pair(db, cohort, mentor_id=users["e1"], mentee_id=users["e2"], skills=SKILLS)
