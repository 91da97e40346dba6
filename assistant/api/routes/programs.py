"""Admin: programs, cohorts, members, matching and pairs; HR: a cohort's figures under k-anonymity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from assistant.api.deps import DbDep, PathId, ServicesDep, SkillsDep, require_roles
from assistant.api.program_schemas import (
    CohortIn,
    CohortOut,
    CohortReportOut,
    MemberIn,
    MemberOut,
    MembersOut,
    PairOut,
    PairSetIn,
    PairsOut,
    ProgramIn,
    ProgramOut,
    ProgramsOut,
    ProposalOut,
    StalledPairOut,
    StalledPairsOut,
    SwapIn,
)
from assistant.api.routes.insights import taxonomy_labels
from assistant.db.models import User
from assistant.db.program_models import Pair
from assistant.program import cohorts, pairing
from assistant.program.insights import cohort_report, stalled_pairs

router = APIRouter(tags=["program"])
Admin = Annotated[User, Depends(require_roles("admin"))]
HRUser = Annotated[User, Depends(require_roles("hr", "admin"))]


def pair_out(pair: Pair) -> PairOut:
    return PairOut(
        id=pair.id,
        cohort_id=pair.cohort_id,
        mentor_id=pair.mentor_id,
        mentee_id=pair.mentee_id,
        mentor_name=pair.mentor.name,
        mentee_name=pair.mentee.name,
        status=pair.status,
        score=pair.score,
        explanation=pair.explanation,
        origin=pair.origin,
        confirmed_at=pair.confirmed_at,
    )


def pairs_out(pairs: list[Pair]) -> PairsOut:
    return PairsOut(data=[pair_out(pair) for pair in pairs], count=len(pairs))


@router.get("/programs", response_model=ProgramsOut)
def list_programs(_: Admin, db: DbDep) -> ProgramsOut:
    programs = cohorts.list_programs(db)
    return ProgramsOut(data=[ProgramOut.model_validate(p) for p in programs], count=len(programs))


@router.post("/programs", status_code=status.HTTP_201_CREATED, response_model=ProgramOut)
def create_program(body: ProgramIn, _: Admin, db: DbDep) -> ProgramOut:
    program = cohorts.create_program(db, cohorts.ProgramSpec(**body.model_dump()))
    return ProgramOut.model_validate(program)


@router.get("/programs/{program_id}", response_model=ProgramOut)
def read_program(program_id: PathId, _: Admin, db: DbDep) -> ProgramOut:
    return ProgramOut.model_validate(cohorts.get_program(db, program_id))


@router.post("/programs/{program_id}/cohorts", status_code=status.HTTP_201_CREATED, response_model=CohortOut)
def create_cohort(program_id: PathId, body: CohortIn, _: Admin, db: DbDep) -> CohortOut:
    program = cohorts.get_program(db, program_id)
    return CohortOut.model_validate(cohorts.create_cohort(db, program=program, **body.model_dump()))


@router.get("/programs/{program_id}/cohorts", response_model=list[CohortOut])
def list_cohorts(program_id: PathId, _: Admin, db: DbDep) -> list[CohortOut]:
    return [CohortOut.model_validate(c) for c in cohorts.get_program(db, program_id).cohorts]


@router.get("/cohorts/{cohort_id}/members", response_model=MembersOut)
def list_members(cohort_id: PathId, _: Admin, db: DbDep) -> MembersOut:
    found = cohorts.members(db, cohorts.get_cohort(db, cohort_id))
    return MembersOut(
        data=[
            MemberOut(
                user_id=m.user_id,
                name=m.user.name,
                role=m.role,
                external_id=m.external_id,
                profile_filled=bool(m.profile),
            )
            for m in found
        ],
        count=len(found),
    )


@router.post("/cohorts/{cohort_id}/members", status_code=status.HTTP_201_CREATED, response_model=MemberOut)
def add_member(cohort_id: PathId, body: MemberIn, _: Admin, db: DbDep) -> MemberOut:
    cohort = cohorts.get_cohort(db, cohort_id)
    user = db.get(User, body.user_id)
    if user is None:
        raise cohorts.NotFound(f"user {body.user_id} not found")
    membership = cohorts.add_member(db, cohort=cohort, user=user, role=body.role, external_id=body.external_id)
    return MemberOut(
        user_id=user.id, name=user.name, role=membership.role, external_id=membership.external_id, profile_filled=False
    )


@router.post("/cohorts/{cohort_id}/matching", response_model=ProposalOut)
def propose(cohort_id: PathId, _: Admin, db: DbDep, skills: SkillsDep) -> ProposalOut:
    """Propose pairs for everyone not yet in a confirmed pair; earlier open proposals are replaced."""
    stored = pairing.propose_for_cohort(db, cohorts.get_cohort(db, cohort_id), skills)
    return ProposalOut.model_validate(stored.as_dict())


@router.get("/cohorts/{cohort_id}/pairs", response_model=PairsOut)
def list_pairs(cohort_id: PathId, _: Admin, db: DbDep) -> PairsOut:
    cohort = cohorts.get_cohort(db, cohort_id)
    return pairs_out(pairing.open_pairs(db, cohort, statuses=("proposed", "confirmed", "ended")))


@router.post("/cohorts/{cohort_id}/pairs", status_code=status.HTTP_201_CREATED, response_model=PairOut)
def set_pair(cohort_id: PathId, body: PairSetIn, _: Admin, db: DbDep, skills: SkillsDep) -> PairOut:
    """An admin's own pair (override); proposed until confirmed, like any other."""
    cohort = cohorts.get_cohort(db, cohort_id)
    return pair_out(pairing.set_pair(db, cohort, skills=skills, **body.model_dump()))


@router.post("/pairs/{pair_id}/confirm", response_model=PairOut)
def confirm(pair_id: PathId, _: Admin, db: DbDep) -> PairOut:
    return pair_out(pairing.confirm_pair(db, pairing.get_pair(db, pair_id)))


@router.post("/pairs/{pair_id}/end", response_model=PairOut)
def end(pair_id: PathId, _: Admin, db: DbDep) -> PairOut:
    return pair_out(pairing.end_pair(db, pairing.get_pair(db, pair_id)))


@router.post("/pairs/swap", response_model=PairsOut)
def swap(body: SwapIn, _: Admin, db: DbDep, skills: SkillsDep) -> PairsOut:
    """Exchange the mentees of two proposed pairs; both are rescored."""
    first, second = (pairing.get_pair(db, pid) for pid in (body.first_pair_id, body.second_pair_id))
    return pairs_out(list(pairing.swap_mentees(db, first, second, skills)))


@router.get("/stalled-pairs", response_model=StalledPairsOut)
def list_stalled(
    _: Admin,
    db: DbDep,
    days: Annotated[int | None, Query(ge=1, le=365, description="Override the programs' own limits.")] = None,
) -> StalledPairsOut:
    """Confirmed pairs without a session for too long, by pair and dates only, for the program admin."""
    found = stalled_pairs(db, cohorts.all_cohorts(db), after_days=days)
    return StalledPairsOut(data=[StalledPairOut(**s.as_dict()) for s in found], count=len(found))


@router.get("/insights/cohorts", response_model=list[CohortOut])
def insight_cohorts(_: HRUser, db: DbDep) -> list[CohortOut]:
    """The cohorts HR can ask figures for (names and dates only), newest first."""
    return [CohortOut.model_validate(c) for c in cohorts.all_cohorts(db)]


@router.get("/insights/cohorts/{cohort_id}", response_model=CohortReportOut)
def cohort_insights(cohort_id: PathId, _: HRUser, db: DbDep, services: ServicesDep) -> CohortReportOut:
    """Participation, session frequency against cadence, ratings, goal counts and pulses; under k withheld."""
    cohort = cohorts.get_cohort(db, cohort_id)
    report = cohort_report(db, cohort, k=services.settings.k_anonymity)
    labels = taxonomy_labels(services)
    listed = {theme for group in report["pulses"].values() for theme in group["themes"]}
    return CohortReportOut(**report, theme_labels={theme: labels.get(theme, theme) for theme in sorted(listed)})
