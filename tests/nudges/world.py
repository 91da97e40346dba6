"""A cohort on Monday 8 February 2027, seeded through the domain functions, with one of each nudge due.

* Ana (mentor) and Ben (mentee) meet on Tuesdays at their cadence: the next meeting is tomorrow.
* Cara and Dev (Wednesdays) were confirmed on 11 January and never met: stalled after 21 days.
* Ben's active goal is due in 4 days; Eve's too, but she turned goal reminders off; Nia has a goal
  due and no e-mail address; Rex's address is refused by the SMTP server.
* Adam is an admin (the weekly digest), Hana is HR (no digest).
* Ben's conversation, goal and session notes hold sentences no e-mail may ever contain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import Goal, User
from assistant.db.program_models import Pair
from assistant.program import pairing
from assistant.program.cohorts import get_cohort
from assistant.program.session_log import log_session
from assistant.program.skills import default_skills
from assistant.services import Services
from tests.program.helpers import mentee, mentor
from tests.program.program_setup import enrol_cohort

START = date(2027, 1, 11)
MONDAY = date(2027, 2, 8)
TOMORROW = date(2027, 2, 9)
SECRET_SENTENCE = "The violet heron files its expense reports by moonlight."
ASSISTANT_REPLY = "Herons aside, a budgeting template with three tabs would help your review."
GOAL_TEXT = "Build the quokka pivot table for the regional sales review by 12 February."
NOTES = "Walrus-confidential: we talked about the reorganisation in Finance."
NAMES = {
    "ana": "Ana Quillfeather",
    "ben": "Ben Marrowick",
    "cara": "Cara Duskwood",
    "dev": "Dev Ørrinfield",  # not ASCII: the e-mails are encoded for it
}


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    pairs: dict[str, int]
    cohort: str

    def email(self, key: str) -> str:
        return f"{key}@example.org"


def seed(services: Services) -> World:
    wednesday = frozenset({"wed-pm"})
    enrolled = enrol_cohort(
        services,
        [
            mentor("ana", name=NAMES["ana"]),
            mentee("ben", name=NAMES["ben"]),
            mentor("cara", name=NAMES["cara"], availability=wednesday),
            mentee("dev", name=NAMES["dev"], availability=wednesday),
        ],
        starts_on=START,
        cadence_days=14,
        stalled_after_days=21,
    )
    users = dict(enrolled.users)
    with transaction(services.db_factory) as db:
        cohort = get_cohort(db, enrolled.cohort_id)
        pairs = {}
        for name, (mentor_key, mentee_key) in {"tuesday": ("ana", "ben"), "quiet": ("cara", "dev")}.items():
            pair = pairing.set_pair(
                db,
                cohort,
                mentor_id=users[mentor_key],
                mentee_id=users[mentee_key],
                skills=default_skills(),
                allow_weak=True,
            )
            pairing.confirm_pair(db, pair)
            pair.confirmed_at = datetime(2027, 1, 11, 9, tzinfo=UTC)
            pairs[name] = pair.id
        tuesday = db.get_one(Pair, pairs["tuesday"])
        log_session(db, pair=tuesday, user=tuesday.mentor, held_on=date(2027, 2, 1), notes=NOTES, today=MONDAY)

        for key, name, role in (
            ("eve", "Eve Lanternby", "mentee"),
            ("nia", "Nia Thistlewood", "mentee"),
            ("rex", "Rex Cobblestone", "mentee"),
            ("adam", "Adam Brightwater", "admin"),
            ("hana", "Hana Fernsby", "hr"),
        ):
            user, _ = crud.create_user(db, name=name, role=role)
            users[key] = user.id
        for key, user_id in users.items():
            if key != "nia":
                db.get_one(User, user_id).email = f"{key}@example.org"
        db.get_one(User, users["eve"]).nudges_off = ["goal_due"]

        for key, status, target in (
            ("ben", "active", date(2027, 2, 12)),  # due in 4 days
            ("ben", "done", date(2027, 2, 9)),
            ("ana", "draft", date(2027, 2, 10)),
            ("dev", "active", date(2027, 3, 30)),  # not yet
            ("eve", "active", date(2027, 2, 10)),  # turned off
            ("nia", "active", date(2027, 2, 9)),  # no address
            ("rex", "active", date(2027, 2, 15)),  # the last day of the window; refused by the server
        ):
            db.add(Goal(user_id=users[key], text=GOAL_TEXT, status=status, target_date=target))

        ben = db.get_one(User, users["ben"])
        conversation = crud.create_conversation(db, user=ben, title="Budget review")
        crud.add_message(db, conversation=conversation, role="user", content=SECRET_SENTENCE)
        crud.add_message(db, conversation=conversation, role="assistant", content=ASSISTANT_REPLY)
    return World(users=users, pairs=pairs, cohort=enrolled.cohort_name)
