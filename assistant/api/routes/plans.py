from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.orm import Session

from assistant.api.deps import ConversationOwner, DbDep, ServicesDep
from assistant.api.schemas import AgendaOut, PlanCalendarIn, PlanIn
from assistant.coaching.calendar import agenda_to_ics
from assistant.coaching.sessions import Agenda, GoalBrief, plan_session
from assistant.db import crud
from assistant.db.models import User
from assistant.program.pairing import pair_for_member
from assistant.program.session_log import agenda_inputs

router = APIRouter(prefix="/plans", tags=["plans"])


def own_goals(db: Session, user: User, goal_ids: list[int]) -> list[GoalBrief]:
    briefs = []
    for goal_id in goal_ids:
        goal = crud.get_own_goal(db, user=user, goal_id=goal_id)
        if goal is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"goal {goal_id} not found")
        briefs.append(GoalBrief(id=goal.id, text=goal.text, target_date=goal.target_date))
    return briefs


def build_agenda(body: PlanIn, user: User, db: Session, services: ServicesDep) -> Agenda:
    open_actions, notes = list(body.open_actions), body.notes
    if body.pair_id is not None:
        pair_actions, pair_notes = agenda_inputs(db, pair_for_member(db, body.pair_id, user.id))
        open_actions += [action for action in pair_actions if action not in open_actions]
        notes = notes or pair_notes
    try:
        return plan_session(
            minutes=body.minutes,
            format=body.format,
            session=body.session,
            goals=own_goals(db, user, body.goal_ids),
            open_actions=open_actions[:20],
            last_notes=notes,
            knowledge_dir=services.settings.knowledge_dir,
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


@router.post("", response_model=AgendaOut)
def plan(body: PlanIn, user: ConversationOwner, db: DbDep, services: ServicesDep) -> AgendaOut:
    """A timeboxed agenda whose minutes add up exactly to the session length, each item cited."""
    agenda = build_agenda(body, user, db, services)
    return AgendaOut(**agenda.as_contract(), markdown=agenda.to_markdown())


@router.post("/ics", response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
def plan_calendar(body: PlanCalendarIn, user: ConversationOwner, db: DbDep, services: ServicesDep) -> Response:
    """The agenda as an ``.ics`` calendar event starting at ``start``."""
    agenda = build_agenda(body, user, db, services)
    return Response(
        agenda_to_ics(agenda, start=body.start, summary=body.title),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="tandem-session.ics"'},
    )
