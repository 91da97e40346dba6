"""A participant's side of the program: profile, own pairs, agreement, session log, actions, pulses.

Everything under ``/pairs/{pair_id}`` answers only to the pair's two people (anyone else gets 404,
including admins and HR: session notes are private to the pair).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from assistant.api.deps import ConversationOwner, CurrentUser, DbDep, PairParticipant, PathId, ServicesDep, SkillsDep
from assistant.api.program_schemas import (
    AcceptIn,
    ActionOut,
    ActionPatch,
    AgreementChangeIn,
    AgreementOut,
    AgreementVersionsOut,
    MembershipOut,
    PairsOut,
    ProfileIn,
    ProfileOut,
    PulseIn,
    PulseOut,
    PulseQuestionsOut,
    SessionLogIn,
    SessionLogOut,
    SessionLogsOut,
    SkillOut,
    SkillsOut,
)
from assistant.api.routes.programs import pairs_out
from assistant.db.models import User
from assistant.db.program_models import Agreement, Membership, PairSession, SessionAction
from assistant.program import agreement as agreements
from assistant.program import cohorts, pairing, session_log
from assistant.program.pulse import OPEN_QUESTION, QUESTIONS, PulseAnswers, own_pulses, submit_pulse

router = APIRouter(tags=["pairs"])


def own_membership(db: Session, user: User) -> Membership:
    membership = cohorts.membership_of(db, user.id)
    if membership is None:
        raise cohorts.NotFound("you are not in a cohort yet")
    return membership


def agreement_out(agreement: Agreement) -> AgreementOut:
    return AgreementOut(
        pair_id=agreement.pair_id,
        version=agreement.version,
        fields=agreement.fields,  # type: ignore[arg-type]
        drafted_by=agreement.drafted_by,
        created_at=agreement.created_at,
        mentor_accepted_at=agreement.mentor_accepted_at,
        mentee_accepted_at=agreement.mentee_accepted_at,
        accepted=agreements.is_accepted(agreement),
        unfilled=agreements.unfilled(agreement.fields),
    )


def action_out(action: SessionAction) -> ActionOut:
    return ActionOut(
        id=action.id,
        pair_id=action.pair_id,
        session_id=action.session_id,
        text=action.text,
        owner_id=action.owner_id,
        due_on=action.due_on,
        done=action.done_at is not None,
    )


def session_out(logged: PairSession, actions: list[SessionAction]) -> SessionLogOut:
    return SessionLogOut(
        id=logged.id,
        pair_id=logged.pair_id,
        held_on=logged.held_on,
        logged_by=logged.logged_by,
        notes=logged.notes,
        rating=logged.rating,
        actions=[action_out(a) for a in actions if a.session_id == logged.id],
    )


@router.get("/skills", response_model=SkillsOut)
def list_skills(_: CurrentUser, skills: SkillsDep) -> SkillsOut:
    """The skills list profiles choose from (an organisation can ship its own, see SKILLS_PATH)."""
    data = [SkillOut(id=s.id, label=s.label, group=s.group) for s in skills.skills]
    return SkillsOut(data=data, count=len(data))


@router.get("/membership", response_model=MembershipOut)
def read_membership(user: ConversationOwner, db: DbDep) -> MembershipOut:
    """Your cohort and role, and whether your matching profile is filled (404 when you are in no cohort)."""
    membership = own_membership(db, user)
    cohort = membership.cohort
    return MembershipOut(
        cohort_id=cohort.id,
        cohort=cohort.name,
        program=cohort.program.name,
        role=membership.role,
        profile_filled=bool(membership.profile),
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        cadence_days=cohort.program.cadence_days,
    )


@router.get("/profile", response_model=ProfileOut)
def read_profile(user: ConversationOwner, db: DbDep) -> ProfileOut:
    membership = own_membership(db, user)
    if not membership.profile:
        raise cohorts.NotFound("you have not filled your matching profile yet")
    return ProfileOut(**membership.profile, cohort=membership.cohort.name, role=membership.role)


@router.put("/profile", response_model=ProfileOut)
def save_profile(body: ProfileIn, user: ConversationOwner, db: DbDep, skills: SkillsDep) -> ProfileOut:
    """Fill or change the matching form; it counts from the next matching proposal."""
    membership = own_membership(db, user)
    cohorts.save_profile(db, membership=membership, answers=body.model_dump(), skills=skills)
    return ProfileOut(**body.model_dump(), cohort=membership.cohort.name, role=membership.role)


@router.get("/pairs", response_model=PairsOut)
def my_pairs(user: ConversationOwner, db: DbDep) -> PairsOut:
    """Your confirmed (and ended) pairs; proposals stay with the admin until confirmed."""
    return pairs_out(pairing.pairs_of(db, user.id))


@router.get("/pairs/{pair_id}/agreement", response_model=AgreementOut)
def read_agreement(pair_id: PathId, user: ConversationOwner, db: DbDep) -> AgreementOut:
    pair = pairing.pair_for_member(db, pair_id, user.id)
    current = agreements.current_agreement(db, pair)
    if current is None:
        raise cohorts.NotFound("there is no agreement yet; draft one")
    return agreement_out(current)


@router.get("/pairs/{pair_id}/agreement/versions", response_model=AgreementVersionsOut)
def agreement_history(pair_id: PathId, user: ConversationOwner, db: DbDep) -> AgreementVersionsOut:
    versions = agreements.agreement_versions(db, pairing.pair_for_member(db, pair_id, user.id))
    return AgreementVersionsOut(data=[agreement_out(a) for a in versions], count=len(versions))


@router.post("/pairs/{pair_id}/agreement/draft", status_code=status.HTTP_201_CREATED, response_model=AgreementOut)
def draft_agreement(
    pair_id: PathId, user: ConversationOwner, db: DbDep, services: ServicesDep, skills: SkillsDep
) -> AgreementOut:
    """A new version drafted from the guideline template, the pair's profiles and the mentee's active goals."""
    pair = pairing.pair_for_member(db, pair_id, user.id)
    return agreement_out(agreements.draft_agreement(db, pair, services.settings.knowledge_dir, skills))


@router.patch("/pairs/{pair_id}/agreement", response_model=AgreementOut)
def change_agreement(pair_id: PathId, body: AgreementChangeIn, user: ConversationOwner, db: DbDep) -> AgreementOut:
    """Change fields by label: a new version, which both partners accept again."""
    pair = pairing.pair_for_member(db, pair_id, user.id)
    return agreement_out(agreements.revise_agreement(db, pair, user, body.changes))


@router.post("/pairs/{pair_id}/agreement/accept", response_model=AgreementOut)
def accept_agreement(pair_id: PathId, body: AcceptIn, user: ConversationOwner, db: DbDep) -> AgreementOut:
    pair = pairing.pair_for_member(db, pair_id, user.id)
    return agreement_out(agreements.accept_agreement(db, pair, user, body.version))


@router.get("/pairs/{pair_id}/sessions", response_model=SessionLogsOut)
def list_sessions(pair_id: PathId, user: ConversationOwner, db: DbDep) -> SessionLogsOut:
    pair = pairing.pair_for_member(db, pair_id, user.id)
    logged = session_log.pair_sessions(db, pair)
    actions = session_log.pair_actions(db, pair)
    return SessionLogsOut(
        data=[session_out(s, actions) for s in logged],
        count=len(logged),
        open_actions=[action_out(a) for a in actions if a.done_at is None],
    )


@router.post("/pairs/{pair_id}/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionLogOut)
def log_session(pair_id: PathId, body: SessionLogIn, user: ConversationOwner, db: DbDep) -> SessionLogOut:
    """Record a held session: notes (private to the pair), a 1-5 rating, actions with owner and due date."""
    pair = pairing.pair_for_member(db, pair_id, user.id)
    drafts = [session_log.ActionDraft(a.text, a.owner, a.due_on) for a in body.actions]
    logged = session_log.log_session(
        db, pair=pair, user=user, held_on=body.held_on, notes=body.notes, rating=body.rating, actions=drafts
    )
    return session_out(logged, session_log.pair_actions(db, pair))


@router.patch("/actions/{action_id}", response_model=ActionOut)
def update_action(action_id: PathId, body: ActionPatch, user: ConversationOwner, db: DbDep) -> ActionOut:
    return action_out(session_log.set_action_done(db, action_id=action_id, user=user, done=body.done))


@router.get(
    "/pairs/{pair_id}/calendar.ics", response_class=Response, responses={200: {"content": {"text/calendar": {}}}}
)
def cadence_calendar(pair_id: PathId, user: ConversationOwner, db: DbDep) -> Response:
    """The pair's meeting cadence as one recurring event until the cohort ends, in their first shared slot."""
    pair = pairing.pair_for_member(db, pair_id, user.id)
    slots = cohorts.shared_slots(db, pair.mentor_id, pair.mentee_id)
    return Response(
        session_log.cadence_calendar(pair, slots=slots),
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="tandem-pair-{pair.id}.ics"'},
    )


@router.get("/pulses/questions", response_model=PulseQuestionsOut)
def pulse_questions(_: PairParticipant) -> PulseQuestionsOut:
    return PulseQuestionsOut(questions={k: dict(v) for k, v in QUESTIONS.items()}, open_question=OPEN_QUESTION)


@router.post("/pulses", status_code=status.HTTP_201_CREATED, response_model=PulseOut)
def answer_pulse(body: PulseIn, user: PairParticipant, db: DbDep, services: ServicesDep) -> PulseOut:
    """Scores 1-5 and an optional comment; the comment is anonymized and theme-tagged before it is kept."""
    pulse = submit_pulse(
        db,
        user=user,
        answers=PulseAnswers(body.kind, body.scores, body.comment, body.session_id),
        anonymizer=services.anonymizer.get(),
        classifier=services.themes.classifier,
        secret=services.settings.theme_hmac_secret,
        when=datetime.now(UTC),
    )
    return PulseOut.model_validate(pulse, from_attributes=True)


@router.get("/pulses", response_model=list[PulseOut])
def my_pulses(user: PairParticipant, db: DbDep) -> list[PulseOut]:
    return [PulseOut.model_validate(p, from_attributes=True) for p in own_pulses(db, user)]
