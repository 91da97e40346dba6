"""Pair scores, hard rules, the optimal assignment and its comparison with random pairing."""

from __future__ import annotations

import itertools
import math
import random
import statistics

import pytest

from assistant.program.matching import (
    MIN_SCORE,
    Proposal,
    ProposedPair,
    proposal_quality,
    propose_pairs,
    random_pairing,
    score_pair,
)
from assistant.program.profiles import Profile
from tests.program.helpers import mentee, mentor
from tools.demo.synthetic import synthetic_profiles


def pairs_of(proposal: Proposal) -> dict[str, str]:
    return {pair.mentee: pair.mentor for pair in proposal.pairs}


def reasons_of(proposal: Proposal) -> dict[str, str]:
    return {person.id: person.reason for person in proposal.unmatched}


# -- hard rule: the reporting line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("boss_mentor", "boss_mentee", "org", "how"),
    [
        ({"manager_id": "x"}, {}, {}, "the mentor reports to the mentee directly"),
        ({}, {"manager_id": "a"}, {}, "the mentee reports to the mentor directly"),
        ({"manager_id": "team-lead"}, {}, {"team-lead": "x"}, "the mentor reports to the mentee indirectly"),
    ],
)
def test_a_mentee_is_never_paired_within_their_reporting_line_even_as_the_best_fit(
    boss_mentor: dict[str, str], boss_mentee: dict[str, str], org: dict[str, str], how: str
) -> None:
    wants = {"power-bi", "teams", "chatgpt"}
    best = mentor("a", teaches=wants, **boss_mentor)
    weaker = mentor("b", teaches={"power-bi"})
    learner = mentee("x", wants=wants, **boss_mentee)

    unconstrained = score_pair(mentor("a", teaches=wants), mentee("x", wants=wants))
    assert unconstrained.score > score_pair(weaker, learner).score

    forbidden = score_pair(best, learner, org=org)
    assert forbidden.score == -math.inf and forbidden.forbidden
    assert f"reporting line: {how}" in forbidden.explanation

    proposal = propose_pairs([best, weaker], [learner], org=org)
    assert pairs_of(proposal) == {"x": "b"}
    assert reasons_of(proposal) == {"a": "the one mentee who would fit is in their reporting line"}


def test_a_chain_of_command_through_other_participants_is_followed() -> None:
    """mentor a reports to mentee y, who reports to mentee x: a may not mentor x either."""
    a = mentor("a", manager_id="y")
    x, y = mentee("x"), mentee("y", manager_id="x")
    proposal = propose_pairs([a], [x, y])
    assert proposal.pairs == []
    assert reasons_of(proposal)["a"] == "the mentees who would fit are all in their reporting line"


def test_sharing_a_manager_is_allowed_and_named() -> None:
    result = score_pair(mentor("a", manager_id="boss"), mentee("x", manager_id="boss"))
    assert not result.forbidden
    assert "same manager" in result.explanation


def test_a_reporting_cycle_in_the_data_does_not_hang() -> None:
    result = score_pair(mentor("a", manager_id="m"), mentee("x"), org={"m": "n", "n": "m"})
    assert not result.forbidden


# -- complementarity -----------------------------------------------------------------------------


def test_the_mentor_who_teaches_exactly_what_a_mentee_wants_is_paired_with_them() -> None:
    mentors = [
        mentor("m-bi", teaches={"power-bi", "excel"}),
        mentor("m-ai", teaches={"chatgpt", "prompting"}),
        mentor("m-social", teaches={"linkedin", "social-media"}),
    ]
    mentees = [
        mentee("x-social", wants={"linkedin", "social-media"}),
        mentee("x-bi", wants={"power-bi", "excel"}),
        mentee("x-ai", wants={"chatgpt", "prompting"}),
    ]
    proposal = propose_pairs(mentors, mentees)
    assert pairs_of(proposal) == {"x-social": "m-social", "x-bi": "m-bi", "x-ai": "m-ai"}
    assert proposal.unmatched == []


def test_priority_skills_weigh_double() -> None:
    learner = mentee("x", wants={"power-bi", "teams", "chatgpt"}, priorities={"power-bi"})
    on_priority = score_pair(mentor("a", teaches={"power-bi"}), learner)
    off_priority = score_pair(mentor("b", teaches={"teams"}), learner)
    assert on_priority.parts["skills"] == pytest.approx(0.5)
    assert off_priority.parts["skills"] == pytest.approx(0.25)
    assert "not the priority Power BI" in off_priority.explanation


def test_the_return_flow_of_learning_raises_the_score() -> None:
    learner = mentee("x", teaches={"budgeting", "negotiation"})
    both_grow = score_pair(mentor("a", wants={"negotiation"}), learner)
    one_way = score_pair(mentor("b", wants={"strategy"}), learner)
    assert both_grow.score > one_way.score
    assert "learns back Negotiation" in both_grow.explanation


def test_cross_department_pairs_are_preferred() -> None:
    learner = mentee("x", department="Finance")
    assert (
        score_pair(mentor("a", department="Sales"), learner).score
        > score_pair(mentor("b", department="finance"), learner).score
    )


def test_the_explanation_is_one_line_that_names_the_facts() -> None:
    result = score_pair(
        mentor("a", teaches={"power-bi", "teams", "chatgpt"}, department="Sales", format="remote"),
        mentee(
            "x",
            wants={"power-bi", "teams", "chatgpt", "python"},
            department="Finance",
            format="remote",
            availability={"tue-am", "thu-am", "fri-pm"},
        ),
    )
    assert result.explanation.startswith(
        "teaches 3 of 4 wanted skills (Power BI, Microsoft Teams, ChatGPT and AI assistants); "
    )
    assert "cross-department (Sales→Finance); 2 shared slots; both remote" in result.explanation
    assert "\n" not in result.explanation
    assert 0.0 <= result.score <= 1.0


def test_unknown_skills_are_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match=r"^profile x: wants: unknown skill 'Excell'") as caught:
        score_pair(mentor("a"), mentee("x", wants={"Excell"}))
    assert "\n" not in str(caught.value)


# -- availability and format ---------------------------------------------------------------------


def test_no_shared_slot_forbids_the_pair_whatever_the_skills() -> None:
    learner = mentee("x", wants={"power-bi"}, availability={"mon-am"})
    perfect_but_busy = mentor("a", teaches={"power-bi"}, availability={"tue-am", "fri-pm"})
    assert score_pair(perfect_but_busy, learner).score == -math.inf
    proposal = propose_pairs([perfect_but_busy], [learner])
    assert proposal.pairs == []
    assert reasons_of(proposal) == {
        "x": "no mentor shares an availability slot",
        "a": "no mentee shares an availability slot",
    }


def test_one_shared_slot_is_allowed_but_scores_half() -> None:
    one = score_pair(mentor("a", availability={"tue-am"}), mentee("x"))
    two = score_pair(mentor("b"), mentee("x"))
    assert one.parts["availability"] == 0.5 and two.parts["availability"] == 1.0
    assert "1 shared slot (tue-am)" in one.explanation


@pytest.mark.parametrize(
    ("mentor_format", "mentee_format", "part"),
    [
        ("remote", "remote", 1.0),
        ("in-person", "in-person", 1.0),
        ("hybrid", "remote", 0.5),
        ("in-person", "hybrid", 0.5),
        ("in-person", "remote", None),
        ("remote", "in-person", None),
    ],
)
def test_formats_must_overlap(mentor_format: str, mentee_format: str, part: float | None) -> None:
    result = score_pair(mentor("a", format=mentor_format), mentee("x", format=mentee_format))
    if part is None:
        assert result.forbidden and "formats do not overlap" in result.explanation
    else:
        assert not result.forbidden and result.parts["format"] == part


# -- the proposal --------------------------------------------------------------------------------


def test_the_proposal_is_deterministic_and_independent_of_input_order() -> None:
    mentors, mentees = synthetic_profiles(15, 12, seed=4)
    first = propose_pairs(mentors, mentees).as_contract()
    again = propose_pairs(mentors, mentees).as_contract()
    shuffled_mentors, shuffled_mentees = list(mentors), list(mentees)
    random.Random(0).shuffle(shuffled_mentors)
    random.Random(1).shuffle(shuffled_mentees)
    assert first == again == propose_pairs(shuffled_mentors, shuffled_mentees).as_contract()


def test_unequal_sizes_leave_the_surplus_unmatched_with_a_reason() -> None:
    mentors = [mentor(f"m{n}") for n in range(5)]
    mentees = [mentee(f"x{n}") for n in range(3)]
    proposal = propose_pairs(mentors, mentees)
    assert len(proposal.pairs) == 3
    assert len(proposal.unmatched) == 2
    for person in proposal.unmatched:
        assert person.role == "mentor"
        assert person.reason.startswith("more mentors than mentees: all 3 mentees who would fit are paired elsewhere")


@pytest.mark.parametrize(
    ("learner", "reason"),
    [
        (mentee("x", wants={"python"}), "no mentor teaches what they want to learn"),
        (mentee("x", wants=set()), "lists no skill they want to learn"),
        (
            mentee("x", wants={"python", "excel"}, format="remote"),
            "the one mentor who would fit needs the opposite format (in-person vs remote)",
        ),
    ],
)
def test_unmatched_mentees_get_the_reason(learner: Profile, reason: str) -> None:
    proposal = propose_pairs([mentor("a", teaches={"excel"}, format="in-person")], [learner])
    assert proposal.pairs == []
    assert reasons_of(proposal)["x"] == reason


def test_a_pair_below_the_minimum_score_is_not_proposed() -> None:
    weak = (
        mentor(
            "a",
            teaches={"excel"},
            wants={"strategy"},
            department="Finance",
            format="in-person",
            availability={"tue-am"},
        ),
        mentee("x", wants={"excel", "python", "teams", "chatgpt"}, work_style="structured"),
    )
    result = score_pair(*weak)
    assert 0 < result.score < MIN_SCORE
    proposal = propose_pairs([weak[0]], [weak[1]])
    assert proposal.pairs == []
    assert reasons_of(proposal)["x"] == f"the one mentor who would fit scores below the minimum {MIN_SCORE:.2f}"
    assert pairs_of(propose_pairs([weak[0]], [weak[1]], min_score=0.1)) == {"x": "a"}


def test_roles_and_ids_are_checked() -> None:
    with pytest.raises(ValueError, match="profile x is a mentee, listed as a mentor"):
        propose_pairs([mentee("x")], [])
    with pytest.raises(ValueError, match="the id 'a' appears more than once"):
        propose_pairs([mentor("a"), mentor("a")], [mentee("x")])


def test_empty_sides_explain_themselves() -> None:
    assert reasons_of(propose_pairs([], [mentee("x")])) == {"x": "no mentors in the cohort"}
    assert propose_pairs([], []).mean_score == 0.0


def best_total_by_brute_force(mentors: list[Profile], mentees: list[Profile]) -> float:
    """The best sum over every partial matching of proposable pairs (tiny cohorts only)."""
    scores = {}
    for a in mentors:
        for x in mentees:
            result = score_pair(a, x)
            if not result.forbidden and result.parts["skills"] > 0 and result.score >= MIN_SCORE:
                scores[a.id, x.id] = result.score
    best = 0.0
    slots: list[Profile | None] = [*mentors, *([None] * len(mentees))]
    for chosen in itertools.permutations(slots, len(mentees)):
        total = sum(scores.get((a.id, x.id), -math.inf) for a, x in zip(chosen, mentees, strict=True) if a)
        best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_assignment_is_optimal_on_tiny_cohorts(seed: int) -> None:
    mentors, mentees = synthetic_profiles(4, 3, seed=seed) if seed % 2 else synthetic_profiles(3, 4, seed=seed)
    score_sum = proposal_quality(propose_pairs(mentors, mentees))["score_sum"]
    assert score_sum == pytest.approx(best_total_by_brute_force(mentors, mentees), abs=1e-3)


# -- against random pairing ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_optimal_proposal_beats_random_pairing(seed: int) -> None:
    mentors, mentees = synthetic_profiles(40, 40, seed=seed)
    optimal = proposal_quality(propose_pairs(mentors, mentees))
    randoms = [proposal_quality(random_pairing(mentors, mentees, seed=seed * 100 + run)) for run in range(20)]
    assert optimal["mean_score"] > statistics.fmean(r["mean_score"] for r in randoms)
    assert all(optimal["score_sum"] >= r["score_sum"] for r in randoms)
    assert optimal["wanted_skills_covered"] > max(r["wanted_skills_covered"] for r in randoms)
    assert optimal["constraint_violations"] == 0


def test_naive_random_pairing_breaks_rules_and_quality_counts_it() -> None:
    mentors, mentees = synthetic_profiles(30, 30, seed=5)
    naive = random_pairing(mentors, mentees, seed=0, respect_rules=False)
    quality = proposal_quality(naive)
    assert quality["pairs"] == 30
    assert quality["constraint_violations"] == sum(1 for p in naive.pairs if p.score == -math.inf) > 0
    assert math.isfinite(naive.mean_score)
    fair = random_pairing(mentors, mentees, seed=0)
    assert proposal_quality(fair)["constraint_violations"] == 0
    assert all("not eligible" in u.reason or "left over" in u.reason for u in fair.unmatched)


def test_random_pairing_is_reproducible_per_seed() -> None:
    mentors, mentees = synthetic_profiles(10, 10, seed=2)
    assert random_pairing(mentors, mentees, seed=7).as_contract() == random_pairing(mentors, mentees, 7).as_contract()


def test_quality_figures_on_a_hand_made_proposal() -> None:
    a = mentor("a", teaches={"excel", "teams"}, wants={"budgeting"}, department="Sales")
    x = mentee("x", wants={"excel", "python"}, teaches={"budgeting"}, department="Finance")
    y = mentee("y", wants={"teams", "chatgpt"})
    proposal = Proposal(
        pairs=[ProposedPair(mentor="a", mentee="x", score=0.8, explanation="")],
        unmatched=[],
        mean_score=0.8,
        mentors=(a,),
        mentees=(x, y),
    )
    quality = proposal_quality(proposal)
    assert quality["wanted_skills_covered"] == 0.25  # 1 of the 4 skills wanted across both mentees
    assert quality["cross_department_share"] == 1.0
    assert quality["return_flow_share"] == 1.0
    assert quality["mean_score_per_mentee"] == 0.4
    assert quality["constraint_violations"] == 0


# -- synthetic cohorts ---------------------------------------------------------------------------


def test_synthetic_cohorts_are_deterministic_and_hold_the_hard_cases() -> None:
    mentors, mentees = synthetic_profiles(40, 40, seed=1)
    assert (mentors, mentees) == synthetic_profiles(40, 40, seed=1)
    assert (mentors, mentees) != synthetic_profiles(40, 40, seed=2)
    mentee_ids = {m.id for m in mentees}
    assert any(m.manager_id in mentee_ids for m in mentors)
    reasons = {u.reason for u in propose_pairs(mentors, mentees).unmatched if u.role == "mentee"}
    assert {"no mentor shares an availability slot", "no mentor teaches what they want to learn"} <= reasons
