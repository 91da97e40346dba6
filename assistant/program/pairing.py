"""From a matching proposal to pairs an admin confirms, swaps or sets by hand.

Proposed pairs are stored so the admin can review them; proposing again replaces the proposals that
are still open and never touches a confirmed pair. Only ``confirm_pair`` makes a pair final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import utcnow
from assistant.db.program_models import Cohort, Membership, Pair
from assistant.program.cohorts import (
    Conflict,
    NotFound,
    ProgramError,
    cohort_profiles,
    members,
    membership_of,
    to_profile,
)
from assistant.program.matching import (
    MIN_SCORE,
    PairScore,
    Proposal,
    ProposedPair,
    propose_pairs,
    score_pair,
    split_roles,
)
from assistant.program.skills import SkillCatalog

OPEN = ("proposed", "confirmed")


@dataclass(frozen=True)
class StoredProposal:
    proposal: Proposal
    pairs: list[tuple[ProposedPair, Pair]]
    missing_profiles: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The matching contract plus stored pair ids, and members without a profile as unmatched."""
        contract = self.proposal.as_contract()
        ids = {(proposed.mentor, proposed.mentee): pair.id for proposed, pair in self.pairs}
        for row in contract["pairs"]:
            row["pair_id"] = ids[(row["mentor"], row["mentee"])]
        contract["unmatched"] += [
            {"id": external, "role": "", "reason": "has not filled the matching profile yet"}
            for external in self.missing_profiles
        ]
        return contract


def propose_for_cohort(
    db: Session, cohort: Cohort, skills: SkillCatalog, *, min_score: float = MIN_SCORE
) -> StoredProposal:
    """Match everyone in ``cohort`` who filled a profile and is not in a confirmed pair; store the proposal."""
    for stale in open_pairs(db, cohort, statuses=("proposed",)):
        db.delete(stale)
    db.flush()
    confirmed = {user for pair in open_pairs(db, cohort, statuses=("confirmed",)) for user in _users(pair)}
    by_external = {m.external_id: m for m in members(db, cohort)}
    profiles, missing = cohort_profiles(db, cohort, skills)
    free = [p for p in profiles if by_external[p.id].user_id not in confirmed]
    mentors, mentees = split_roles(free)
    org = {p.id: p.manager_id for p in profiles}
    try:
        proposal = propose_pairs(mentors, mentees, skills=skills, min_score=min_score, org=org)
    except ValueError as exc:
        raise ProgramError(str(exc)) from None
    stored = []
    for proposed in proposal.pairs:
        pair = Pair(
            cohort_id=cohort.id,
            mentor_id=by_external[proposed.mentor].user_id,
            mentee_id=by_external[proposed.mentee].user_id,
            status="proposed",
            score=proposed.score,
            explanation=proposed.explanation,
            origin="matching",
        )
        db.add(pair)
        stored.append((proposed, pair))
    db.flush()
    return StoredProposal(proposal, stored, missing)


def open_pairs(db: Session, cohort: Cohort, *, statuses: tuple[str, ...] = OPEN) -> list[Pair]:
    query = select(Pair).where(Pair.cohort_id == cohort.id, Pair.status.in_(statuses)).order_by(Pair.id)
    return list(db.scalars(query))


def get_pair(db: Session, pair_id: int) -> Pair:
    pair = db.get(Pair, pair_id)
    if pair is None:
        raise NotFound(f"pair {pair_id} not found")
    return pair


def pair_for_member(db: Session, pair_id: int, user_id: int) -> Pair:
    """The pair, if ``user_id`` is one of its two people and it is confirmed; otherwise NotFound."""
    pair = db.get(Pair, pair_id)
    if pair is None or not pair.has_member(user_id) or pair.status == "proposed":
        raise NotFound(f"pair {pair_id} not found")
    return pair


def pairs_of(db: Session, user_id: int) -> list[Pair]:
    query = (
        select(Pair)
        .where((Pair.mentor_id == user_id) | (Pair.mentee_id == user_id), Pair.status != "proposed")
        .order_by(Pair.id)
    )
    return list(db.scalars(query))


def confirm_pair(db: Session, pair: Pair) -> Pair:
    if pair.status != "proposed":
        raise Conflict(f"pair {pair.id} is {pair.status}; only a proposed pair can be confirmed")
    taken = _confirmed_users(db, pair.cohort_id) & _users(pair)
    if taken:
        raise Conflict(f"user {min(taken)} is already in a confirmed pair")
    pair.status = "confirmed"
    pair.confirmed_at = utcnow()
    for other in open_pairs(db, pair.cohort, statuses=("proposed",)):
        if other.id != pair.id and _users(other) & _users(pair):
            db.delete(other)
    db.flush()
    return pair


def swap_mentees(db: Session, first: Pair, second: Pair, skills: SkillCatalog) -> tuple[Pair, Pair]:
    """Exchange the mentees of two proposed pairs of one cohort, rescoring both; a forbidden result is refused."""
    if first.id == second.id:
        raise ProgramError("choose two different pairs")
    if first.cohort_id != second.cohort_id:
        raise ProgramError("both pairs must be in the same cohort")
    if first.status != "proposed" or second.status != "proposed":
        raise Conflict("only proposed pairs can be swapped; end a confirmed pair first")
    new_first = _rescore(db, first.mentor_id, second.mentee_id, skills)
    new_second = _rescore(db, second.mentor_id, first.mentee_id, skills)
    for result in (new_first, new_second):
        if result.violations:
            raise ProgramError(f"the swap would break a rule: {result.violations[0]}")
    first.mentee_id, second.mentee_id = second.mentee_id, first.mentee_id
    for pair, result in ((first, new_first), (second, new_second)):
        pair.score, pair.explanation, pair.origin = result.score, result.explanation, "swap"
    db.flush()
    return first, second


def set_pair(
    db: Session, cohort: Cohort, *, mentor_id: int, mentee_id: int, skills: SkillCatalog, allow_weak: bool = False
) -> Pair:
    """An admin's own choice of pair, proposed like any other; their other open proposals are dropped.

    A reporting line is never overridden. Missing shared time or formats that do not overlap are
    refused unless ``allow_weak`` says the admin knows (the pair may meet outside their profile).
    """
    mentor, mentee = _member(db, cohort, mentor_id), _member(db, cohort, mentee_id)
    if mentor.role != "mentor" or mentee.role != "mentee":
        raise ProgramError("the first person must be a mentor and the second a mentee of this cohort")
    taken = _confirmed_users(db, cohort.id) & {mentor_id, mentee_id}
    if taken:
        raise Conflict(f"user {min(taken)} is already in a confirmed pair")
    result = _rescore(db, mentor_id, mentee_id, skills)
    reporting = [v for v in result.violations if v.startswith("reporting line")]
    if reporting:
        raise ProgramError(f"not allowed: {reporting[0]}")
    if result.violations and not allow_weak:
        raise ProgramError(f"{result.violations[0]}; set allow_weak to pair them anyway")
    for other in open_pairs(db, cohort, statuses=("proposed",)):
        if _users(other) & {mentor_id, mentee_id}:
            db.delete(other)
    score = 0.0 if result.violations else result.score
    pair = Pair(
        cohort_id=cohort.id,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        status="proposed",
        score=score,
        explanation="set by an admin; " + result.explanation,
        origin="override",
    )
    db.add(pair)
    db.flush()
    return pair


def end_pair(db: Session, pair: Pair) -> Pair:
    if pair.status != "confirmed":
        raise Conflict(f"pair {pair.id} is {pair.status}; only a confirmed pair can be ended")
    pair.status = "ended"
    pair.ended_at = utcnow()
    db.flush()
    return pair


def _users(pair: Pair) -> set[int]:
    return {pair.mentor_id, pair.mentee_id}


def _confirmed_users(db: Session, cohort_id: int) -> set[int]:
    query = select(Pair.mentor_id, Pair.mentee_id).where(Pair.cohort_id == cohort_id, Pair.status == "confirmed")
    return {user for row in db.execute(query) for user in row}


def _member(db: Session, cohort: Cohort, user_id: int) -> Membership:
    membership = db.scalar(select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id == user_id))
    if membership is None:
        raise NotFound(f"user {user_id} is not in cohort {cohort.name}")
    return membership


def _rescore(db: Session, mentor_id: int, mentee_id: int, skills: SkillCatalog) -> PairScore:
    mentor, mentee = membership_of(db, mentor_id), membership_of(db, mentee_id)
    if mentor is None or mentee is None:
        raise NotFound("both people must be cohort members")
    if not mentor.profile or not mentee.profile:
        raise ProgramError("both people must have filled the matching profile")
    cohort_members = members(db, mentor.cohort)
    org = {m.external_id: (m.profile or {}).get("manager_id") for m in cohort_members}
    return score_pair(to_profile(mentor, skills=skills), to_profile(mentee, skills=skills), skills=skills, org=org)
