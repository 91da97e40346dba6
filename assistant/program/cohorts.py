"""Programs, cohorts and their members: what an admin defines before anyone is matched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import User, utcnow
from assistant.db.program_models import FORMATS, MEMBER_ROLES, Cohort, Membership, Program
from assistant.program.profiles import Profile, profile_from_row, with_skill_ids
from assistant.program.skills import SkillCatalog

PROFILE_FIELDS = (
    "department",
    "teaches",
    "wants",
    "priorities",
    "work_style",
    "availability",
    "format",
    "manager_id",
    "motivation",
)


class ProgramError(ValueError):
    """A request the program's rules refuse (HTTP 409/422, CLI exit 1); the message is one line."""


class Conflict(ProgramError):
    """The request clashes with the current state (HTTP 409): already done, already taken, stale."""


class NotFound(LookupError):
    """No such record, or not one the caller may see (the two look the same on purpose)."""


@dataclass(frozen=True)
class ProgramSpec:
    name: str
    goals: str = ""
    duration_weeks: int = 26
    format: str = "hybrid"
    cadence_days: int = 14
    success_metrics: Sequence[str] = ()
    stalled_after_days: int = 28


def create_program(db: Session, spec: ProgramSpec) -> Program:
    name = spec.name.strip()
    if not name:
        raise ProgramError("a program needs a name")
    if spec.format not in FORMATS:
        raise ProgramError(f"format must be one of {', '.join(FORMATS)}")
    if not 1 <= spec.duration_weeks <= 156:
        raise ProgramError("duration_weeks must be between 1 and 156")
    if not 1 <= spec.cadence_days <= 90:
        raise ProgramError("cadence_days must be between 1 and 90")
    if not spec.cadence_days < spec.stalled_after_days <= 365:
        raise ProgramError("stalled_after_days must be longer than the cadence and at most 365")
    if db.scalar(select(Program.id).where(Program.name == name)) is not None:
        raise Conflict(f"a program called {name!r} exists already")
    program = Program(
        name=name,
        goals=spec.goals.strip(),
        duration_weeks=spec.duration_weeks,
        format=spec.format,
        cadence_days=spec.cadence_days,
        success_metrics=[metric.strip() for metric in spec.success_metrics if metric.strip()],
        stalled_after_days=spec.stalled_after_days,
    )
    db.add(program)
    db.flush()
    return program


def get_program(db: Session, program_id: int) -> Program:
    program = db.get(Program, program_id)
    if program is None:
        raise NotFound(f"program {program_id} not found")
    return program


def list_programs(db: Session) -> list[Program]:
    return list(db.scalars(select(Program).order_by(Program.id)))


def all_cohorts(db: Session) -> list[Cohort]:
    """Every cohort of every program, newest start first."""
    found = db.scalars(select(Cohort))
    return sorted(found, key=lambda c: (c.starts_on, c.id), reverse=True)


def create_cohort(db: Session, *, program: Program, name: str, starts_on: date) -> Cohort:
    name = name.strip()
    if not name:
        raise ProgramError("a cohort needs a name")
    if db.scalar(select(Cohort.id).where(Cohort.name == name)) is not None:
        raise Conflict(f"a cohort called {name!r} exists already")
    cohort = Cohort(
        program_id=program.id,
        name=name,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=program.duration_weeks),
    )
    db.add(cohort)
    db.flush()
    return cohort


def get_cohort(db: Session, cohort_id: int) -> Cohort:
    cohort = db.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound(f"cohort {cohort_id} not found")
    return cohort


def cohort_by_name(db: Session, name: str) -> Cohort:
    cohort = db.scalar(select(Cohort).where(Cohort.name == name))
    if cohort is None:
        raise NotFound(f"no cohort called {name!r}")
    return cohort


def add_member(db: Session, *, cohort: Cohort, user: User, role: str, external_id: str | None = None) -> Membership:
    """Put ``user`` in ``cohort`` as mentor or mentee; a person belongs to one cohort at a time."""
    if role not in MEMBER_ROLES:
        raise ProgramError(f"role must be one of {', '.join(MEMBER_ROLES)}")
    if user.role not in ("mentor", "mentee"):
        raise ProgramError(f"user {user.id} is {user.role}, not a participant")
    if db.scalar(select(Membership.id).where(Membership.user_id == user.id)) is not None:
        raise Conflict(f"user {user.id} is already in a cohort")
    external = (external_id or "").strip() or f"u{user.id}"
    taken = select(Membership.id).where(Membership.cohort_id == cohort.id, Membership.external_id == external)
    if db.scalar(taken) is not None:
        raise Conflict(f"the id {external!r} is already used in cohort {cohort.name}")
    membership = Membership(cohort_id=cohort.id, user_id=user.id, role=role, external_id=external, profile={})
    user.cohort = cohort.name
    db.add(membership)
    db.flush()
    return membership


def membership_of(db: Session, user_id: int) -> Membership | None:
    return db.scalar(select(Membership).where(Membership.user_id == user_id))


def shared_slots(db: Session, mentor_id: int, mentee_id: int) -> list[str]:
    """The weekly slots both people's profiles list (normalised, e.g. ``tue-am``); none without both profiles."""
    found = [membership_of(db, user_id) for user_id in (mentor_id, mentee_id)]
    if any(m is None or not m.profile for m in found):
        return []
    slots = [profile_from_row({**m.profile, "id": m.external_id, "role": m.role}).availability for m in found if m]
    return sorted(slots[0] & slots[1])


def members(db: Session, cohort: Cohort) -> list[Membership]:
    query = select(Membership).where(Membership.cohort_id == cohort.id).order_by(Membership.id)
    return list(db.scalars(query))


def save_profile(db: Session, *, membership: Membership, answers: Mapping[str, Any], skills: SkillCatalog) -> Profile:
    """Validate a participant's matching form against the skills list and store it; returns the profile."""
    unknown = sorted(set(answers) - set(PROFILE_FIELDS))
    if unknown:
        raise ProgramError(f"unknown profile field {unknown[0]!r}")
    profile = to_profile(membership, answers, skills)
    membership.profile = {name: answers[name] for name in PROFILE_FIELDS if answers.get(name) not in (None, "")}
    membership.profile_updated_at = utcnow()
    db.flush()
    return profile


def to_profile(
    membership: Membership, answers: Mapping[str, Any] | None = None, skills: SkillCatalog | None = None
) -> Profile:
    """The matching form of ``membership`` (or ``answers`` for it) as a validated Profile."""
    row = {**(membership.profile if answers is None else answers)}
    row.update(id=membership.external_id, name=membership.user.name, role=membership.role)
    try:
        return with_skill_ids(profile_from_row(row), skills)
    except ValueError as exc:
        raise ProgramError(str(exc)) from None


def answers_of(profile: Profile) -> dict[str, Any]:
    """A profile as the matching form's answers (sets as sorted lists), e.g. from a profile file."""
    values = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    return {name: sorted(value) if isinstance(value, frozenset) else value for name, value in values.items()}


def cohort_profiles(db: Session, cohort: Cohort, skills: SkillCatalog) -> tuple[list[Profile], list[str]]:
    """Profiles of everyone who filled the form, and the external ids of members who have not."""
    profiles, missing = [], []
    for membership in members(db, cohort):
        if not membership.user.active:
            continue
        if not membership.profile:
            missing.append(membership.external_id)
            continue
        profiles.append(to_profile(membership, skills=skills))
    return profiles, missing
