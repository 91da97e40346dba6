"""Build a program with an enrolled cohort through the same functions the API and CLI call."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.program.cohorts import (
    ProgramSpec,
    add_member,
    answers_of,
    create_cohort,
    create_program,
    save_profile,
)
from assistant.program.profiles import Profile
from assistant.program.skills import default_skills
from assistant.services import Services


@dataclass
class Enrolled:
    cohort_id: int
    cohort_name: str
    program_id: int
    users: dict[str, int] = field(default_factory=dict)  # profile id -> user id
    tokens: dict[str, str] = field(default_factory=dict)  # profile id -> token

    def auth(self, profile_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[profile_id]}"}


def enrol_cohort(
    services: Services,
    profiles: Sequence[Profile],
    *,
    cohort: str | None = None,
    starts_on: date = date(2027, 1, 11),
    program: str | None = None,
    cadence_days: int = 14,
    stalled_after_days: int = 28,
    with_profiles: bool = True,
) -> Enrolled:
    suffix = uuid.uuid4().hex[:8]  # PostgreSQL tests share one schema per run; names are unique
    program = program or f"Digital bridge {suffix}"
    cohort = cohort or f"Spring 2027 {suffix}"
    with transaction(services.db_factory) as db:
        created = create_program(
            db,
            ProgramSpec(
                program, "Digital skills both ways", 26, "hybrid", cadence_days, ("sessions held",), stalled_after_days
            ),
        )
        group = create_cohort(db, program=created, name=cohort, starts_on=starts_on)
        enrolled = Enrolled(group.id, group.name, created.id)
        for profile in profiles:
            user, token = crud.create_user(db, name=profile.name, role=profile.role)
            membership = add_member(db, cohort=group, user=user, role=profile.role, external_id=profile.id)
            if with_profiles:
                save_profile(db, membership=membership, answers=answers_of(profile), skills=default_skills())
            enrolled.users[profile.id] = user.id
            enrolled.tokens[profile.id] = token
    return enrolled
