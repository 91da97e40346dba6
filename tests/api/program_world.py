"""Program resources for the access matrix: a fresh cohort, pair or action per call, owned by whoever asks."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import User
from assistant.db.program_models import Cohort, Program
from assistant.program import pairing
from assistant.program.agreement import draft_agreement, revise_agreement, unfilled
from assistant.program.cohorts import ProgramSpec, add_member, create_cohort, create_program, save_profile
from assistant.program.session_log import ActionDraft, log_session, pair_actions
from assistant.program.skills import default_skills
from assistant.services import Services

MENTOR_PROFILE = {
    "department": "Sales",
    "teaches": ["excel"],
    "wants": [],
    "availability": ["tue-am"],
    "format": "hybrid",
}
MENTEE_PROFILE = {
    "department": "Finance",
    "teaches": [],
    "wants": ["excel"],
    "availability": ["tue-am"],
    "format": "hybrid",
}
PROFILE_BODY = {**MENTEE_PROFILE}


class ProgramWorld:
    """Creates program data straight through the domain functions, so each check starts from a known state."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._numbers = itertools.count(1)
        with transaction(services.db_factory) as db:
            self.program_id = create_program(db, ProgramSpec(f"Access matrix program {uuid.uuid4().hex[:8]}")).id

    def cohort(self) -> int:
        with transaction(self.services.db_factory) as db:
            program = db.get_one(Program, self.program_id)
            started = date.today() - timedelta(days=10)
            return create_cohort(
                db, program=program, name=f"Matrix cohort {uuid.uuid4().hex[:8]}", starts_on=started
            ).id

    def enrol(self, cohort_id: int, user_id: int, role: str) -> None:
        with transaction(self.services.db_factory) as db:
            cohort = db.get_one(Cohort, cohort_id)
            membership = add_member(db, cohort=cohort, user=db.get_one(User, user_id), role=role)
            profile = MENTOR_PROFILE if role == "mentor" else MENTEE_PROFILE
            save_profile(db, membership=membership, answers=profile, skills=default_skills())

    def member(self, user_id: int) -> int:
        """Put an existing mentor or mentee in a fresh cohort with a filled profile; returns the cohort id."""
        with transaction(self.services.db_factory) as db:
            role = db.get_one(User, user_id).role
        cohort_id = self.cohort()
        self.enrol(cohort_id, user_id, role)
        return cohort_id

    def participant(self, role: str) -> int:
        with transaction(self.services.db_factory) as db:
            user, _ = crud.create_user(db, name=f"Matrix {role} {next(self._numbers)}", role=role)
            return user.id

    def pair(self, user_id: int | None = None, *, confirmed: bool = True) -> int:
        """A pair in a fresh cohort; ``user_id`` (a mentor or mentee) is one of the two when given."""
        role = "mentee"
        if user_id is not None:
            with transaction(self.services.db_factory) as db:
                role = db.get_one(User, user_id).role
        cohort_id = self.cohort()
        me = user_id if user_id is not None else self.participant(role)
        partner = self.participant("mentor" if role == "mentee" else "mentee")
        self.enrol(cohort_id, me, role)
        self.enrol(cohort_id, partner, "mentor" if role == "mentee" else "mentee")
        mentor, mentee = (me, partner) if role == "mentor" else (partner, me)
        with transaction(self.services.db_factory) as db:
            cohort = db.get_one(Cohort, cohort_id)
            pair = pairing.set_pair(db, cohort, mentor_id=mentor, mentee_id=mentee, skills=default_skills())
            if confirmed:
                pairing.confirm_pair(db, pair)
                draft = draft_agreement(db, pair, self.services.settings.knowledge_dir, default_skills())
                revise_agreement(db, pair, pair.mentor, {label: "agreed" for label in unfilled(draft.fields)})
            return pair.id

    def proposed_pairs(self) -> tuple[int, int]:
        """Two proposed pairs in one cohort (for a swap)."""
        cohort_id = self.cohort()
        people = [(self.participant(role), role) for role in ("mentor", "mentee", "mentor", "mentee")]
        for user_id, role in people:
            self.enrol(cohort_id, user_id, role)
        with transaction(self.services.db_factory) as db:
            cohort = db.get_one(Cohort, cohort_id)
            first = pairing.set_pair(
                db, cohort, mentor_id=people[0][0], mentee_id=people[1][0], skills=default_skills()
            )
            second = pairing.set_pair(
                db, cohort, mentor_id=people[2][0], mentee_id=people[3][0], skills=default_skills()
            )
            return first.id, second.id

    def two_members(self, cohort_id: int) -> tuple[int, int]:
        mentor, mentee = self.participant("mentor"), self.participant("mentee")
        self.enrol(cohort_id, mentor, "mentor")
        self.enrol(cohort_id, mentee, "mentee")
        return mentor, mentee

    def action(self, user_id: int | None = None) -> int:
        pair_id = self.pair(user_id)
        with transaction(self.services.db_factory) as db:
            pair = pairing.get_pair(db, pair_id)
            log_session(
                db, pair=pair, user=pair.mentor, held_on=date.today(), actions=[ActionDraft("Try it", "mentee")]
            )
            return pair_actions(db, pair)[0].id
