"""Admin-only participant management: list (never tokens), add (token shown once), deactivate, forget."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.api.deps import DbDep, PathId, ServicesDep, require_roles
from assistant.api.schemas import UTCDateTime
from assistant.db import crud
from assistant.db.engine import flush_deleted_pages
from assistant.db.models import User
from assistant.participants import forget_participant, update_participant
from assistant.text import clean_text

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[User, Depends(require_roles("admin"))]
NOT_FOUND = "user not found"


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["mentee", "mentor", "hr", "admin"] = "mentee"
    cohort: str | None = Field(default=None, max_length=100)

    @field_validator("name")
    @classmethod
    def _clean_name(cls, value: str) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise ValueError("name must not be empty")
        return cleaned

    @field_validator("cohort")
    @classmethod
    def _clean_cohort(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None


class UserPatch(BaseModel):
    """Any of: ``active`` (false: the token stops working, the data stays), ``cohort`` (a label; null or
    "" clears it). Unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    cohort: str | None = Field(default=None, max_length=100)

    @field_validator("cohort")
    @classmethod
    def _clean_cohort(cls, value: str | None) -> str | None:
        return (clean_text(value) or None) if value is not None else None

    @model_validator(mode="after")
    def _something(self) -> UserPatch:
        if not self.model_fields_set:
            raise ValueError("nothing to change: send active and/or cohort")
        return self


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: str
    cohort: str | None
    active: bool
    created_at: UTCDateTime


class UserCreated(UserOut):
    token: str = Field(description="Shown once; only its hash is stored.")


class UsersOut(BaseModel):
    data: list[UserOut]
    count: int


@router.get("", response_model=UsersOut)
def list_users(_: Admin, db: DbDep) -> UsersOut:
    users = [UserOut.model_validate(user) for user in crud.list_users(db)]
    return UsersOut(data=users, count=len(users))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserCreated)
def add_user(body: UserIn, _: Admin, db: DbDep, services: ServicesDep) -> UserCreated:
    try:
        user, token = crud.create_user(db, name=body.name, role=body.role, cohort=body.cohort)
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if services.anonymizer.built:
        services.anonymizer.get().add_known_names([user.name])
    return UserCreated(**UserOut.model_validate(user).model_dump(), token=token)


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: PathId, body: UserPatch, admin: Admin, db: DbDep) -> UserOut:
    """Deactivate (``{"active": false}``: the token stops working, the data stays), reactivate, or set
    the cohort label (``{"cohort": "spring-2027"}``; null clears it)."""
    if user_id == admin.id and body.active is False:
        raise HTTPException(status.HTTP_409_CONFLICT, "you cannot deactivate yourself")
    user = update_participant(
        db, user_id=user_id, active=body.active, cohort=body.cohort, clear_cohort="cohort" in body.model_fields_set
    )
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return UserOut.model_validate(user)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def forget_user(user_id: PathId, admin: Admin, db: DbDep, services: ServicesDep, after: BackgroundTasks) -> Response:
    """Forget a participant: their conversations, messages and goals are deleted; anonymous theme
    events stay, and nothing links them to anyone any more. The deletion is committed before the 204;
    the old pages then leave SQLite's write-ahead log."""
    if user_id == admin.id:
        raise HTTPException(status.HTTP_409_CONFLICT, "you cannot forget yourself")
    if forget_participant(db, user_id=user_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    after.add_task(flush_deleted_pages, services.engine)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
