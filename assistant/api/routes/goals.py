from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status

from assistant.api.deps import ConversationOwner, DbDep, PathId, ServicesDep
from assistant.api.schemas import GoalDraftIn, GoalIn, GoalOut, GoalsOut, GoalStatus, GoalUpdate
from assistant.coaching.goals import check_goal, saved_goal_fields
from assistant.db import crud

router = APIRouter(prefix="/goals", tags=["goals"])
NOT_FOUND = "goal not found"


def analyse(text: str, services: ServicesDep) -> dict[str, Any]:
    try:
        return check_goal(text, services.settings.knowledge_dir).as_contract()
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


def goal_fields(
    text: str, services: ServicesDep, *, target_date: date | None, current: date | None = None
) -> dict[str, Any]:
    try:
        return saved_goal_fields(
            text,
            services.settings.knowledge_dir,
            today=datetime.now(UTC).date(),
            target_date=target_date,
            current=current,
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


@router.post("/check")
def check_draft(body: GoalDraftIn, _: ConversationOwner, services: ServicesDep) -> dict[str, Any]:
    """The SMART analysis of a draft (nothing is stored): the ``tandem goal check --json`` contract."""
    return analyse(body.text, services)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GoalOut)
def save_goal(body: GoalIn, user: ConversationOwner, db: DbDep, services: ServicesDep) -> GoalOut:
    """Save a goal; without a ``target_date``, the date its own words set ("By 31 March ...") if any."""
    fields = goal_fields(body.text, services, target_date=body.target_date)
    goal = crud.create_goal(
        db, user=user, status=body.status, milestones=[m.model_dump() for m in body.milestones], **fields
    )
    return GoalOut.model_validate(goal)


@router.get("", response_model=GoalsOut)
def list_goals(user: ConversationOwner, db: DbDep, status: GoalStatus | None = None) -> GoalsOut:
    goals = crud.list_goals(db, user=user, status=status)
    return GoalsOut(data=[GoalOut.model_validate(g) for g in goals], count=len(goals))


@router.get("/{goal_id}", response_model=GoalOut)
def read_goal(goal_id: PathId, user: ConversationOwner, db: DbDep) -> GoalOut:
    goal = crud.get_own_goal(db, user=user, goal_id=goal_id)
    if goal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return GoalOut.model_validate(goal)


@router.patch("/{goal_id}", response_model=GoalOut)
def update_goal(
    goal_id: PathId, body: GoalUpdate, user: ConversationOwner, db: DbDep, services: ServicesDep
) -> GoalOut:
    goal = crud.get_own_goal(db, user=user, goal_id=goal_id)
    if goal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    changes = body.model_dump(exclude_unset=True, mode="python")
    if changes.get("text") is None:
        changes.pop("text", None)
    else:
        changes.update(
            goal_fields(changes["text"], services, target_date=changes.get("target_date"), current=goal.target_date)
        )
    if changes.get("status") is None:
        changes.pop("status", None)
    if "milestones" in changes:
        changes["milestones"] = changes["milestones"] or []
    return GoalOut.model_validate(crud.update_goal(db, goal=goal, changes=changes))


@router.delete("/{goal_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_goal(goal_id: PathId, user: ConversationOwner, db: DbDep) -> Response:
    goal = crud.get_own_goal(db, user=user, goal_id=goal_id)
    if goal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    db.delete(goal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
