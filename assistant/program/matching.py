"""Score mentor-mentee pairs and propose the best set of pairs for a cohort.

The criteria follow knowledge/matching-pairs.md: competencies to teach and learn matter most, then a
return flow of learning, different departments, practical fit (shared time slots, compatible format)
and similar work styles. Each pair score is a weighted sum of parts in [0, 1] (see ``WEIGHTS``).

Hard rules make a pair *forbidden* (score ``-inf``); it is never proposed:

- **Reporting line**: one of the two is in the other's chain of command, directly or indirectly
  (mentor reports to mentee, mentee reports to mentor, or to someone who does, and so on up). The chain
  is followed through the ``manager_id`` of every profile in the cohort plus an optional ``org``
  mapping for managers who are not participants. Two people who share a manager are peers, not a
  reporting line: allowed, and named in the explanation (they are usually in the same department,
  which the score already counts against).
- **No shared availability slot**: the guideline's "even a great match on skills will fail if the
  partners cannot find a regular time to meet". One shared slot is allowed but scores half.
- **In-person vs remote**: the guideline asks for formats that overlap; hybrid overlaps with both.

A pair that is not forbidden is still left out of a proposal when the mentor teaches none of the
mentee's wanted skills or its score is below ``MIN_SCORE``; the people concerned are listed as
unmatched with the reason. ``propose_pairs`` maximises the sum of the proposed pairs' scores with
``scipy.optimize.linear_sum_assignment``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from assistant.program.profiles import Profile, load_profiles, with_skill_ids
from assistant.program.skills import SkillCatalog, default_skills

__all__ = [
    "MIN_SCORE",
    "WEIGHTS",
    "PairScore",
    "Profile",
    "Proposal",
    "ProposedPair",
    "Unmatched",
    "load_profiles",
    "proposal_quality",
    "propose_pairs",
    "random_pairing",
    "score_pair",
    "split_roles",
]

WEIGHTS: Mapping[str, float] = {
    "skills": 0.50,  # weighted share of the mentee's wanted skills the mentor teaches
    "reverse": 0.15,  # share of the mentor's wanted skills the mentee teaches: both sides grow
    "cross_department": 0.10,
    "availability": 0.10,  # shared weekly slots, full marks from SLOTS_FOR_FULL_MARKS
    "format": 0.10,
    "work_style": 0.05,
}
MIN_SCORE = 0.30
PRIORITY_WEIGHT = 2.0
SLOTS_FOR_FULL_MARKS = 2  # two shared weekly slots leave a fallback when one is cancelled
HYBRID_FORMAT_SCORE = 0.5  # a hybrid partner can meet the other's way, but alternating is lost
STYLE_ORDER = {"structured": 0, "mixed": 1, "open": 2}


@dataclass(frozen=True)
class PairScore:
    """``score`` in [0, 1], or ``-inf`` when a hard rule forbids the pair (then ``violations`` says which)."""

    score: float
    parts: dict[str, float]
    explanation: str
    violations: tuple[str, ...] = ()

    @property
    def forbidden(self) -> bool:
        return bool(self.violations)


@dataclass(frozen=True)
class ProposedPair:
    mentor: str
    mentee: str
    score: float
    explanation: str
    parts: dict[str, float] = field(default_factory=dict)
    violations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unmatched:
    id: str
    role: str
    reason: str


@dataclass(frozen=True)
class Proposal:
    """Pairs and the people left without a partner; ``mentors``/``mentees`` keep the cohort for quality figures."""

    pairs: list[ProposedPair]
    unmatched: list[Unmatched]
    mean_score: float
    mentors: tuple[Profile, ...] = field(default=(), repr=False)
    mentees: tuple[Profile, ...] = field(default=(), repr=False)

    def as_contract(self) -> dict[str, Any]:
        """The ``tandem match --json`` object."""
        return {
            "pairs": [
                {"mentor": p.mentor, "mentee": p.mentee, "score": round(p.score, 4), "explanation": p.explanation}
                for p in self.pairs
            ],
            "unmatched": [{"id": u.id, "role": u.role, "reason": u.reason} for u in self.unmatched],
            "mean_score": round(self.mean_score, 4),
        }


@dataclass(frozen=True)
class _Evaluation:
    """A pair's score plus the facts the unmatched reasons are built from."""

    result: PairScore
    teaches_wanted: bool
    shares_slot: bool
    format_ok: bool
    reporting_conflict: str | None

    def eligible(self, min_score: float) -> bool:
        return not self.result.forbidden and self.teaches_wanted and self.result.score >= min_score


def score_pair(
    mentor: Profile,
    mentee: Profile,
    *,
    skills: SkillCatalog | None = None,
    org: Mapping[str, str | None] | None = None,
) -> PairScore:
    """Score one mentor with one mentee. ``org`` maps further people to their managers (indirect chains)."""
    catalog = skills or default_skills()
    mentor, mentee = with_skill_ids(mentor, catalog), with_skill_ids(mentee, catalog)
    _check_role(mentor, "mentor")
    _check_role(mentee, "mentee")
    managers = {**(org or {}), mentor.id: mentor.manager_id, mentee.id: mentee.manager_id}
    return _evaluate(mentor, mentee, managers, catalog).result


def propose_pairs(
    mentors: Sequence[Profile],
    mentees: Sequence[Profile],
    *,
    skills: SkillCatalog | None = None,
    min_score: float = MIN_SCORE,
    org: Mapping[str, str | None] | None = None,
) -> Proposal:
    """The set of pairs with the highest total score; everyone else is listed with a reason.

    Ineligible pairs enter the assignment with value 0, below every eligible pair (which scores at
    least ``min_score`` > 0), and are dropped afterwards: any set of eligible pairs extends to a full
    assignment by adding zero-valued ones, so the result maximises the sum over eligible pairs.
    Profiles are sorted by id first, so the output does not depend on the input order.
    """
    if min_score <= 0:
        raise ValueError("min_score must be above 0")
    catalog = skills or default_skills()
    mentor_list, mentee_list = _prepare(mentors, mentees, catalog)
    managers = _managers(mentor_list, mentee_list, org)
    grid = [[_evaluate(mentor, mentee, managers, catalog) for mentee in mentee_list] for mentor in mentor_list]

    pairs: list[ProposedPair] = []
    if mentor_list and mentee_list:
        values = np.array([[e.result.score if e.eligible(min_score) else 0.0 for e in row] for row in grid])
        rows, cols = linear_sum_assignment(values, maximize=True)
        pairs = [
            _proposed(mentor_list[r], mentee_list[c], grid[r][c])
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
            if grid[r][c].eligible(min_score)
        ]
    paired = {p.mentor for p in pairs} | {p.mentee for p in pairs}
    unmatched = [
        Unmatched(
            mentee.id, "mentee", _reason(mentee, [row[c] for row in grid], mentor_list, len(mentee_list), min_score)
        )
        for c, mentee in enumerate(mentee_list)
        if mentee.id not in paired
    ] + [
        Unmatched(mentor.id, "mentor", _reason(mentor, grid[r], mentee_list, len(mentor_list), min_score))
        for r, mentor in enumerate(mentor_list)
        if mentor.id not in paired
    ]
    return _proposal(pairs, unmatched, mentor_list, mentee_list)


def random_pairing(
    mentors: Sequence[Profile],
    mentees: Sequence[Profile],
    seed: int,
    *,
    skills: SkillCatalog | None = None,
    min_score: float = MIN_SCORE,
    respect_rules: bool = True,
) -> Proposal:
    """Pair people in a random order, as a baseline for ``propose_pairs``.

    With ``respect_rules`` (the default) a random pair that ``propose_pairs`` would not accept
    (forbidden, no skill taught, below ``min_score``) is split and both people are unmatched, so the
    two proposals are compared on equal terms. Without it every drawn pair is kept, as a naive draw
    would, and its violations are recorded; a forbidden pair then counts as 0 in ``mean_score``.
    """
    catalog = skills or default_skills()
    mentor_list, mentee_list = _prepare(mentors, mentees, catalog)
    managers = _managers(mentor_list, mentee_list, None)
    rng = random.Random(seed)
    mentor_order, mentee_order = list(mentor_list), list(mentee_list)
    rng.shuffle(mentor_order)
    rng.shuffle(mentee_order)
    pairs: list[ProposedPair] = []
    unmatched: list[Unmatched] = []
    for mentor, mentee in zip(mentor_order, mentee_order, strict=False):
        evaluation = _evaluate(mentor, mentee, managers, catalog)
        if respect_rules and not evaluation.eligible(min_score):
            problem = _short_problem(evaluation, min_score)
            unmatched.append(Unmatched(mentee.id, "mentee", f"random partner {mentor.id} not eligible: {problem}"))
            unmatched.append(Unmatched(mentor.id, "mentor", f"random partner {mentee.id} not eligible: {problem}"))
        else:
            pairs.append(_proposed(mentor, mentee, evaluation))
    unmatched += [Unmatched(m.id, "mentor", "left over by the random draw") for m in mentor_order[len(mentee_order) :]]
    unmatched += [Unmatched(m.id, "mentee", "left over by the random draw") for m in mentee_order[len(mentor_order) :]]
    unmatched.sort(key=lambda u: (u.role != "mentee", u.id))
    return _proposal(pairs, unmatched, mentor_list, mentee_list)


def proposal_quality(proposal: Proposal) -> dict[str, float | int]:
    """Figures to compare proposals: scores, wanted skills covered, cross-department pairs, rule breaks.

    ``wanted_skills_covered`` counts every mentee's wanted skills, so an unmatched mentee lowers it;
    ``mean_score_per_mentee`` likewise counts an unmatched mentee as 0, which keeps a proposal from
    looking better by matching fewer people.
    """
    mentors = {p.id: p for p in proposal.mentors}
    mentees = {p.id: p for p in proposal.mentees}
    pairs = proposal.pairs
    if any(p.mentor not in mentors or p.mentee not in mentees for p in pairs):
        raise ValueError("the proposal does not carry the profiles of everyone it pairs")
    scores = [_counted(p.score) for p in pairs]
    wanted = sum(len(m.wants) for m in proposal.mentees)
    covered = sum(len(mentees[p.mentee].wants & mentors[p.mentor].teaches) for p in pairs)
    cross = sum(mentors[p.mentor].department.casefold() != mentees[p.mentee].department.casefold() for p in pairs)
    reverse = sum(bool(mentors[p.mentor].wants & mentees[p.mentee].teaches) for p in pairs)
    return {
        "pairs": len(pairs),
        "unmatched": len(proposal.unmatched),
        "mean_score": round(proposal.mean_score, 4),
        "score_sum": round(sum(scores), 4),
        "mean_score_per_mentee": round(sum(scores) / len(mentees), 4) if mentees else 0.0,
        "wanted_skills_covered": round(covered / wanted, 4) if wanted else 0.0,
        "cross_department_share": round(cross / len(pairs), 4) if pairs else 0.0,
        "return_flow_share": round(reverse / len(pairs), 4) if pairs else 0.0,
        "constraint_violations": sum(bool(p.violations) for p in pairs),
    }


def split_roles(profiles: Sequence[Profile]) -> tuple[list[Profile], list[Profile]]:
    """Mentors and mentees from one list of profiles (as a profile file holds them)."""
    return [p for p in profiles if p.role == "mentor"], [p for p in profiles if p.role == "mentee"]


def _prepare(
    mentors: Sequence[Profile], mentees: Sequence[Profile], catalog: SkillCatalog
) -> tuple[list[Profile], list[Profile]]:
    for profile in mentors:
        _check_role(profile, "mentor")
    for profile in mentees:
        _check_role(profile, "mentee")
    ids = [p.id for p in [*mentors, *mentees]]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"the id {duplicates[0]!r} appears more than once")
    return (
        sorted((with_skill_ids(p, catalog) for p in mentors), key=lambda p: p.id),
        sorted((with_skill_ids(p, catalog) for p in mentees), key=lambda p: p.id),
    )


def _check_role(profile: Profile, role: str) -> None:
    if profile.role != role:
        raise ValueError(f"profile {profile.id} is a {profile.role}, listed as a {role}")


def _managers(
    mentors: list[Profile], mentees: list[Profile], org: Mapping[str, str | None] | None
) -> dict[str, str | None]:
    return {**(org or {}), **{p.id: p.manager_id for p in [*mentors, *mentees]}}


def _chain(person: str, managers: Mapping[str, str | None]) -> list[str]:
    """Everyone above ``person``, nearest first (stops at a cycle or an unknown manager)."""
    above: list[str] = []
    current = managers.get(person)
    while current is not None and current not in above and current != person:
        above.append(current)
        current = managers.get(current)
    return above


def _reporting_conflict(mentor: Profile, mentee: Profile, managers: Mapping[str, str | None]) -> str | None:
    above_mentor, above_mentee = _chain(mentor.id, managers), _chain(mentee.id, managers)
    if mentee.id in above_mentor:
        how = "directly" if above_mentor[0] == mentee.id else "indirectly"
        return f"reporting line: the mentor reports to the mentee {how}"
    if mentor.id in above_mentee:
        how = "directly" if above_mentee[0] == mentor.id else "indirectly"
        return f"reporting line: the mentee reports to the mentor {how}"
    return None


def _evaluate(
    mentor: Profile, mentee: Profile, managers: Mapping[str, str | None], catalog: SkillCatalog
) -> _Evaluation:
    covered = mentor.teaches & mentee.wants
    wanted_weight = sum(_want_weight(mentee, s) for s in mentee.wants)
    learned_back = mentee.teaches & mentor.wants
    shared = mentor.availability & mentee.availability
    formats = {mentor.format, mentee.format}
    format_ok = formats != {"in-person", "remote"}
    distance = abs(STYLE_ORDER[mentor.work_style] - STYLE_ORDER[mentee.work_style])
    parts = {
        "skills": sum(_want_weight(mentee, s) for s in covered) / wanted_weight if wanted_weight else 0.0,
        "reverse": len(learned_back) / len(mentor.wants) if mentor.wants else 0.0,
        "cross_department": float(mentor.department.casefold() != mentee.department.casefold()),
        "availability": min(len(shared), SLOTS_FOR_FULL_MARKS) / SLOTS_FOR_FULL_MARKS,
        "format": 1.0 if len(formats) == 1 else HYBRID_FORMAT_SCORE if format_ok else 0.0,
        "work_style": 1.0 - distance / 2,
    }
    conflict = _reporting_conflict(mentor, mentee, managers)
    violations = tuple(
        v
        for v in (
            conflict,
            None if shared else "no shared availability slot",
            None if format_ok else "formats do not overlap (in-person vs remote)",
        )
        if v
    )
    score = -math.inf if violations else round(sum(WEIGHTS[k] * v for k, v in parts.items()), 6)
    pieces = [
        _skills_phrase(mentor, mentee, covered, catalog),
        _reverse_phrase(mentor, learned_back, catalog),
        _department_phrase(mentor, mentee),
        _slots_phrase(shared),
        _format_phrase(mentor.format, mentee.format),
        _style_phrase(mentor.work_style, mentee.work_style),
    ]
    if mentor.manager_id is not None and mentor.manager_id == mentee.manager_id:
        pieces.insert(3, "same manager")
    if violations:
        pieces.insert(0, "forbidden: " + ", ".join(violations))
    explanation = "; ".join(piece for piece in pieces if piece)
    return _Evaluation(
        result=PairScore(score=score, parts=parts, explanation=explanation, violations=violations),
        teaches_wanted=bool(covered),
        shares_slot=bool(shared),
        format_ok=format_ok,
        reporting_conflict=conflict,
    )


def _want_weight(mentee: Profile, skill: str) -> float:
    return PRIORITY_WEIGHT if skill in mentee.priorities else 1.0


def _skills_phrase(mentor: Profile, mentee: Profile, covered: AbstractSet[str], catalog: SkillCatalog) -> str:
    if not mentee.wants:
        return "the mentee lists nothing to learn"
    if not covered:
        return f"teaches none of the {len(mentee.wants)} wanted skills"
    labels = ", ".join(catalog.labels(covered & mentee.priorities) + catalog.labels(covered - mentee.priorities))
    if len(mentee.wants) == 1:
        phrase = f"teaches the wanted skill ({labels})"
    elif covered == mentee.wants:
        phrase = f"teaches {'both' if len(covered) == 2 else f'all {len(covered)}'} wanted skills ({labels})"
    else:
        phrase = f"teaches {len(covered)} of {len(mentee.wants)} wanted skills ({labels})"
    missed = mentee.priorities - mentor.teaches
    if missed:
        phrase += f", not the priority {', '.join(catalog.labels(missed))}"
    return phrase


def _reverse_phrase(mentor: Profile, learned_back: AbstractSet[str], catalog: SkillCatalog) -> str:
    if not mentor.wants:
        return ""
    if not learned_back:
        return "nothing the mentor wants to learn back"
    return f"learns back {', '.join(catalog.labels(learned_back))}"


def _department_phrase(mentor: Profile, mentee: Profile) -> str:
    if mentor.department.casefold() == mentee.department.casefold():
        return f"same department ({mentor.department})"
    return f"cross-department ({mentor.department}→{mentee.department})"


def _slots_phrase(shared: AbstractSet[str]) -> str:
    if not shared:
        return "no shared slot"
    if len(shared) == 1:
        return f"1 shared slot ({next(iter(shared))})"
    return f"{len(shared)} shared slots"


def _format_phrase(mentor_format: str, mentee_format: str) -> str:
    if mentor_format == mentee_format:
        return f"both {mentor_format}"
    if "hybrid" in (mentor_format, mentee_format):
        other = mentee_format if mentor_format == "hybrid" else mentor_format
        return f"hybrid with {other}: meet {other}"
    return f"{mentor_format} mentor, {mentee_format} mentee"


def _style_phrase(mentor_style: str, mentee_style: str) -> str:
    if mentor_style == mentee_style:
        return f"same work style ({mentor_style})"
    if abs(STYLE_ORDER[mentor_style] - STYLE_ORDER[mentee_style]) == 1:
        return f"similar work styles ({mentor_style}, {mentee_style})"
    return f"work styles differ ({mentor_style} vs {mentee_style}: raise at kickoff)"


def _proposed(mentor: Profile, mentee: Profile, evaluation: _Evaluation) -> ProposedPair:
    result = evaluation.result
    return ProposedPair(
        mentor=mentor.id,
        mentee=mentee.id,
        score=result.score,
        explanation=result.explanation,
        parts=result.parts,
        violations=result.violations,
    )


def _counted(score: float) -> float:
    return score if math.isfinite(score) else 0.0


def _proposal(
    pairs: list[ProposedPair], unmatched: list[Unmatched], mentors: list[Profile], mentees: list[Profile]
) -> Proposal:
    ordered = sorted(pairs, key=lambda p: (-_counted(p.score), p.mentee, p.mentor))
    mean = sum(_counted(p.score) for p in ordered) / len(ordered) if ordered else 0.0
    return Proposal(ordered, unmatched, mean, tuple(mentors), tuple(mentees))


def _short_problem(evaluation: _Evaluation, min_score: float) -> str:
    if evaluation.result.violations:
        return evaluation.result.violations[0]
    if not evaluation.teaches_wanted:
        return "no wanted skill taught"
    return f"score {evaluation.result.score:.2f} below {min_score:.2f}"


def _reason(
    person: Profile,
    evaluations: list[_Evaluation],
    others: list[Profile],
    same_side: int,
    min_score: float,
) -> str:
    """Why ``person`` has no partner: the first filter that leaves no candidate, in the guideline's order."""
    is_mentee = person.role == "mentee"
    other = "mentor" if is_mentee else "mentee"
    if not others:
        return f"no {other}s in the cohort"
    if is_mentee and not person.wants:
        return "lists no skill they want to learn"
    if not is_mentee and not person.teaches:
        return "lists no skill they can teach"
    if not person.availability:
        return "gave no availability"
    candidates = list(zip(evaluations, others, strict=True))
    if not any(e.shares_slot for e, _ in candidates):
        return f"no {other} shares an availability slot"
    if not any(e.teaches_wanted for e, _ in candidates):
        return "no mentor teaches what they want to learn" if is_mentee else "no mentee wants to learn what they teach"
    fit = ("teaches what they want to learn", "teach what they want to learn")
    if not is_mentee:
        fit = ("wants to learn what they teach", "want to learn what they teach")
    stages: list[tuple[Callable[[_Evaluation], bool], str, str]] = [
        (
            lambda e: e.teaches_wanted and e.shares_slot,
            f"the one {other} who {fit[0]} shares no availability slot",
            f"the {other}s who {fit[1]} share no availability slot",
        ),
        (
            lambda e: e.format_ok,
            f"the one {other} who would fit needs the opposite format (in-person vs remote)",
            f"the {other}s who would fit need the opposite format (in-person vs remote)",
        ),
        (
            lambda e: e.reporting_conflict is None,
            f"the one {other} who would fit is in their reporting line",
            f"the {other}s who would fit are all in their reporting line",
        ),
        (
            lambda e: e.result.score >= min_score,
            f"the one {other} who would fit scores below the minimum {min_score:.2f}",
            f"no {other} who would fit reaches the minimum score {min_score:.2f}",
        ),
    ]
    for keep, one, several in stages:
        remaining = [(e, o) for e, o in candidates if keep(e)]
        if not remaining:
            return one if len(candidates) == 1 else several
        candidates = remaining
    best = max(e.result.score for e, _ in candidates)
    who = (
        f"the one {other} who would fit is"
        if len(candidates) == 1
        else f"all {len(candidates)} {other}s who would fit are"
    )
    surplus = f"more {person.role}s than {other}s: " if same_side > len(others) else ""
    return f"{surplus}{who} paired elsewhere for a better overall result (best score here {best:.2f})"
