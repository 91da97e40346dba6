"""The signed-in user's own e-mail nudges: which kinds exist and which they turned off."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from assistant.api.deps import CurrentUser, DbDep
from assistant.db.models import User
from assistant.nudges import KINDS
from assistant.nudges.preferences import UnknownKindError, set_turned_off, turned_off

router = APIRouter(prefix="/me/nudges", tags=["nudges"])


class NudgeKindOut(BaseModel):
    kind: str
    description: str
    on: bool


class NudgesOut(BaseModel):
    off: list[str] = Field(description="The kinds this user turned off.")
    kinds: list[NudgeKindOut]


class NudgesIn(BaseModel):
    """The complete list of kinds to turn off (``[]`` turns every kind back on)."""

    model_config = ConfigDict(extra="forbid")

    off: list[str] = Field(max_length=len(KINDS) * 2, examples=[["pair_stalled"]])


def nudges_out(user: User) -> NudgesOut:
    off = turned_off(user)
    return NudgesOut(
        off=off,
        kinds=[NudgeKindOut(kind=kind, description=text, on=kind not in off) for kind, text in KINDS.items()],
    )


@router.get("", response_model=NudgesOut)
def my_nudges(user: CurrentUser, db: DbDep) -> NudgesOut:
    return nudges_out(db.get_one(User, user.id))


@router.put("", response_model=NudgesOut)
def set_my_nudges(body: NudgesIn, user: CurrentUser, db: DbDep) -> NudgesOut:
    """Replace the kinds of e-mail nudge the signed-in user turned off."""
    own = db.get_one(User, user.id)
    try:
        set_turned_off(own, body.off)
    except UnknownKindError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    db.flush()
    return nudges_out(own)
