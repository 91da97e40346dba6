"""The mentoring program behind ``python -m tools.demo seed``: cohorts, pairs, agreements, sessions and pulses.

:func:`seed_program_data` runs after the demo's participants exist (``tools.demo.themes``) and
puts them through the program layer with the same functions the API and CLI call: one program, one
cohort per demo cohort name, a synthetic matching profile per person (``synthetic_profiles``),
proposed pairs, all but one or two confirmed per cohort, agreements drafted, filled in and accepted,
sessions at the program's cadence with realistic gaps (about one pair in ten stalls), actions, pulses
after most sessions and a mid-point survey for cohorts past their midpoint. Dates are simulated
(backdated from ``today``), so the same seed and ``today`` give the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import transaction
from assistant.db.models import User
from assistant.db.program_models import Cohort, Membership, Pair, Program, SessionAction
from assistant.program.agreement import PLACEHOLDER, accept_agreement, draft_agreement, revise_agreement, unfilled
from assistant.program.cohorts import (
    ProgramError,
    ProgramSpec,
    add_member,
    answers_of,
    create_cohort,
    create_program,
    save_profile,
)
from assistant.program.pairing import confirm_pair, propose_for_cohort
from assistant.program.profiles import Profile
from assistant.program.pulse import PulseAnswers, submit_pulse
from assistant.program.session_log import ActionDraft, log_session
from tools.demo.synthetic import synthetic_profiles
from tools.demo.themes import program_weeks

if TYPE_CHECKING:
    from assistant.privacy.anonymize import Anonymizer
    from assistant.program.skills import SkillCatalog
    from assistant.services import Services
    from assistant.themes.events import Classifier

Progress = Callable[[int, int], None]

DEMO_PROGRAM = ProgramSpec(
    name="Digital bridge",
    goals=(
        "Younger colleagues teach digital skills (AI assistants, collaboration tools, data) to senior "
        "colleagues, who share leadership experience in return."
    ),
    duration_weeks=26,
    format="hybrid",
    cadence_days=14,
    success_metrics=(
        "At least 80% of pairs meet at the agreed cadence",
        "Mean session rating of 4 or more",
        "Mentees report more digital confidence at the midpoint survey",
        "Three in four participants would recommend the program",
    ),
    stalled_after_days=28,
)
SHARE_STALLED = 0.10
SHARE_UNACCEPTED = 0.08
SHARE_SKIPPED = 0.12
PULSE_RATE = 0.8
COMMENT_RATE = 0.3
SURVEY_RATE = 0.85
DONE_RATES = ((21, 0.9), (7, 0.75), (0, 0.45))  # (due at least this many days ago, share done); else 0.1

# Comments are generic on purpose (no names); each carries a theme the classifier knows.
COMMENTS: Mapping[str, tuple[str, ...]] = {
    "ai-tools": (
        "Trying an AI assistant on a real report was eye-opening; I still double-check everything it writes.",
        "Writing better prompts for Copilot has started to save me time on meeting summaries.",
        "I want more practice with ChatGPT before I trust it with anything important.",
        "We compared two AI tools on the same task and the differences were surprising.",
    ),
    "time-constraints": (
        "Finding an hour between deadlines is hard; we had to move our session twice this month.",
        "Quarter-end ate our calendars, so the session felt rushed.",
        "My workload leaves little time for the exercises we agree on.",
    ),
    "data-privacy-security": (
        "I finally understand which documents I must never paste into an AI tool.",
        "We went through phishing emails and password managers; very practical.",
        "I am still unsure which tools are approved for sharing confidential files.",
    ),
    "digital-confidence": (
        "I feel much more confident with Teams now and no longer panic at pop-ups.",
        "I used to be scared of breaking something in Excel; now I just try things out.",
        "Every software update still makes me feel lost, but less than before.",
    ),
    "feedback-anxiety": (
        "Giving honest feedback to someone so senior still makes me nervous.",
        "I am getting better at raising awkward topics without worrying about offending anyone.",
    ),
    "credibility-being-taken-seriously": (
        "It feels good that my ideas are taken seriously in our sessions.",
        "I am learning how to get senior people to listen to a proposal.",
    ),
    "career-growth": (
        "The program is helping me think about a move into a leadership role.",
        "I now see how this experience can count in my next performance review.",
    ),
    "remote-hybrid-work": ("Video sessions work fine, but meeting in person is better for hands-on practice.",),
}
THEME_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "mentee": {"ai-tools": 4, "time-constraints": 3, "data-privacy-security": 2, "digital-confidence": 3,
               "remote-hybrid-work": 1},
    "mentor": {"ai-tools": 1, "time-constraints": 3, "feedback-anxiety": 3, "credibility-being-taken-seriously": 2,
               "career-growth": 2, "remote-hybrid-work": 1},
}  # fmt: skip
NOTES = (
    "Worked through {topic} on a real task from this week; it clicked halfway through.",
    "Recap of last time's actions, then {topic}. Agreed to try it in a team meeting.",
    "Practised {topic} together: the mentee drove, the mentor coached.",
    "Half the session on {topic}, the other half on {back} from the other side.",
    "Short session (meetings overran). Quick look at {topic}; the rest moves to next time.",
    "Swapped roles today: {back}, with examples from a recent project.",
)
FIRST_NOTES = "First session: went through the agreement, goals and how we like to work."
MENTEE_ACTIONS = (
    "Try {topic} on one real piece of work",
    "Write down three questions about {topic} for next time",
    "Set up {topic} on the work laptop",
    "Share one result made with {topic} with the team",
)
MENTOR_ACTIONS = (
    "Prepare a short {topic} exercise for next session",
    "Send a beginner guide on {topic}",
    "Read up on {back} and bring one question",
    "Observe a meeting to learn about {back}",
)
AGREEMENT_FILL = {
    "Topics out of scope": "Personal performance reviews, pay and confidential HR matters.",
    "Mentor commits to": "Coming prepared with one hands-on exercise per session and explaining without jargon.",
    "Mentee commits to": "Practising between sessions and giving honest feedback on what helps.",
    "Communication between sessions": "Teams chat; we answer within two working days.",
    "Notes kept by": "The mentee, in the pair's notes in Tandem.",
    "Rescheduling rule": "At least 24 hours' notice; we rebook within the same week.",
    "How we will end the pairing": "A closing session to review the goals; either of us can end it without blame.",
}
BRACKET_FILL = {
    "Meeting cadence and length": "60 minutes",
    "Format and location": "video call or a meeting room on site",
    "Confidentiality": "No extra terms.",
}


@dataclass(frozen=True)
class MatchLine:
    mentor: str
    mentee: str
    score: float
    explanation: str
    status: str


@dataclass(frozen=True)
class ProgramSeedSummary:
    program: str
    cohorts: int
    members: int
    confirmed: int
    proposed: int
    agreements_accepted: int
    sessions: int
    actions: int
    actions_done: int
    session_pulses: int
    surveys: int
    stalled: int
    first_cohort: str
    first_matching: tuple[MatchLine, ...]
    first_mean_score: float
    first_unmatched: int

    @property
    def pulses(self) -> int:
        return self.session_pulses + self.surveys

    def line(self) -> str:
        return (
            f"1 program ({self.program}), {self.cohorts} cohorts, {self.members} members, "
            f"pairs {self.confirmed} confirmed/{self.proposed} proposed, "
            f"{self.agreements_accepted} agreements accepted, {self.sessions} sessions ({self.stalled} stalled pairs), "
            f"{self.actions} actions ({self.actions_done} done), "
            f"{self.pulses} pulses ({self.session_pulses} after sessions, {self.surveys} mid-point surveys)"
        )

    def matching_lines(self) -> list[str]:
        head = (
            f"proposed matching of cohort {self.first_cohort}: {len(self.first_matching)} pairs, "
            f"mean score {self.first_mean_score:.3f}, {self.first_unmatched} people unmatched"
        )
        rows = [f"  {m.score:.2f}  {m.mentor} → {m.mentee} [{m.status}]: {m.explanation}" for m in self.first_matching]
        return [head, *rows]


def refusal(db: Session, cohort_names: Iterable[str] = ()) -> str | None:
    """Why the demo program cannot be seeded into this database (one line), or None."""
    if db.scalar(select(Program.id).where(Program.name == DEMO_PROGRAM.name)) is not None:
        return f"the demo program {DEMO_PROGRAM.name!r} exists already; seed into an empty DATA_DIR or database"
    names = list(cohort_names)
    taken = sorted(db.scalars(select(Cohort.name).where(Cohort.name.in_(names)))) if names else []
    if taken:
        return f"a cohort called {taken[0]!r} exists already; seed into an empty DATA_DIR or database"
    return None


def seed_program_data(
    services: Services,
    *,
    weeks: int,
    seed: int,
    today: date | None = None,
    user_ids: Iterable[int] | None = None,
    db_factory: sessionmaker[Session] | None = None,
    on_progress: Progress | None = None,
) -> ProgramSeedSummary:
    """Enrol the demo's participants (users with a role and a cohort, or ``user_ids``) and run their program.

    The cohorts start on the first Monday of the demo's ``weeks`` (which end in the week of
    ``today``). ``db_factory`` writes to another database than ``services.db_factory``. All or nothing:
    raises :class:`ProgramError` (one line) if the demo program or a cohort exists already.
    """
    today = today or datetime.now(UTC).date()
    db_factory = db_factory or services.db_factory
    anonymizer = services.anonymizer.get()  # before the transaction: building it reads the users
    classifier = services.themes.classifier
    services.embedder.embed([text for texts in COMMENTS.values() for text in texts])  # one batch, then cached
    with transaction(db_factory) as db:
        seeder = _Seeder(
            db,
            skills=services.skill_catalog,
            knowledge_dir=services.settings.knowledge_dir,
            anonymizer=anonymizer,
            classifier=classifier,
            secret=services.settings.theme_hmac_secret,
            rng=random.Random(f"tandem-demo-program-{seed}"),
            today=today,
        )
        return seeder.run(weeks=weeks, seed=seed, user_ids=user_ids, on_progress=on_progress)


@dataclass
class _PairPlan:
    pair: Pair
    mentor: Profile
    mentee: Profile
    confirmed_on: date
    stalled: bool
    accepted: bool


class _Seeder:
    def __init__(
        self,
        db: Session,
        *,
        skills: SkillCatalog,
        knowledge_dir: Path,
        anonymizer: Anonymizer,
        classifier: Classifier,
        secret: SecretStr | str,
        rng: random.Random,
        today: date,
    ) -> None:
        self.db = db
        self.skills = skills
        self.knowledge_dir = knowledge_dir
        self.anonymizer = anonymizer
        self.classifier = classifier
        self.secret = secret
        self.rng = rng
        self.today = today
        self.sessions = self.actions = self.session_pulses = self.surveys = self.accepted = 0
        self.held_on: dict[int, date] = {}

    def run(
        self, *, weeks: int, seed: int, user_ids: Iterable[int] | None, on_progress: Progress | None
    ) -> ProgramSeedSummary:
        problem = refusal(self.db)
        users = [] if problem else self._participants(user_ids)
        names = list(dict.fromkeys(user.cohort or "" for user in users))
        problem = problem or refusal(self.db, names)
        if problem:
            raise ProgramError(problem)
        program = create_program(self.db, DEMO_PROGRAM)
        starts_on = program_weeks(weeks, self.today)[0]
        cohorts = {name: create_cohort(self.db, program=program, name=name, starts_on=starts_on) for name in names}
        profiles = self._enrol(users, cohorts, seed)

        plans: list[_PairPlan] = []
        first: tuple[list[MatchLine], float, int] | None = None
        proposed = 0
        for cohort in cohorts.values():
            confirmed, left, matching = self._pair(cohort, profiles)
            plans += confirmed
            proposed += left
            first = first or matching
        self._choose_stalled(plans)

        for done, plan in enumerate(plans, 1):
            self._agreement(plan)
            self._db_factory(plan)
            if on_progress is not None:
                on_progress(done, len(plans))
        for cohort in cohorts.values():
            self._midpoint_survey(cohort, [plan for plan in plans if plan.pair.cohort_id == cohort.id])
        done_actions = self._close_actions(plans)
        self.db.flush()

        lines, mean_score, unmatched = first or ([], 0.0, 0)
        return ProgramSeedSummary(
            program=program.name,
            cohorts=len(cohorts),
            members=len(users),
            confirmed=len(plans),
            proposed=proposed,
            agreements_accepted=self.accepted,
            sessions=self.sessions,
            actions=self.actions,
            actions_done=done_actions,
            session_pulses=self.session_pulses,
            surveys=self.surveys,
            stalled=sum(plan.stalled for plan in plans),
            first_cohort=names[0] if names else "",
            first_matching=tuple(lines),
            first_mean_score=mean_score,
            first_unmatched=unmatched,
        )

    # -- enrolment and pairing ------------------------------------------------------------------

    def _participants(self, user_ids: Iterable[int] | None) -> list[User]:
        enrolled = select(Membership.user_id)
        query = select(User).where(
            User.role.in_(("mentor", "mentee")),
            User.cohort.is_not(None),
            User.cohort != "",
            User.active.is_(True),
            User.id.not_in(enrolled),
        )
        if user_ids is not None:
            query = query.where(User.id.in_(list(user_ids)))
        users = list(self.db.scalars(query.order_by(User.id)))
        if not users:
            raise ProgramError("there are no demo participants to enrol; the message seeding creates them")
        return users

    def _enrol(self, users: Sequence[User], cohorts: Mapping[str, Cohort], seed: int) -> dict[int, Profile]:
        """Profile ``i`` of a role goes to the ``i``-th user of that role; the users keep their names."""
        mentors = [user for user in users if user.role == "mentor"]
        mentees = [user for user in users if user.role == "mentee"]
        mentor_profiles, mentee_profiles = synthetic_profiles(len(mentors), len(mentees), seed)
        joined = _moment(cohorts[users[0].cohort or ""].starts_on - timedelta(days=10), hour=9)
        profiles: dict[int, Profile] = {}
        for user, profile in [*zip(mentors, mentor_profiles, strict=True), *zip(mentees, mentee_profiles, strict=True)]:
            membership = add_member(
                self.db, cohort=cohorts[user.cohort or ""], user=user, role=user.role, external_id=profile.id
            )
            save_profile(self.db, membership=membership, answers=answers_of(profile), skills=self.skills)
            membership.joined_at = membership.profile_updated_at = joined
            profiles[user.id] = profile
        return profiles

    def _pair(
        self, cohort: Cohort, profiles: Mapping[int, Profile]
    ) -> tuple[list[_PairPlan], int, tuple[list[MatchLine], float, int]]:
        """Propose, then confirm all but the one or two weakest pairs (left for the admin to review)."""
        stored = propose_for_cohort(self.db, cohort, self.skills)
        pairs = [pair for _, pair in stored.pairs]
        leave = min(self.rng.choice((1, 2)), max(len(pairs) - 1, 0))
        held_back = {pair.id for pair in sorted(pairs, key=lambda p: (p.score, p.id))[:leave]}
        plans = []
        for pair in sorted(pairs, key=lambda p: p.id):
            pair.created_at = _moment(cohort.starts_on - timedelta(days=5), hour=11)
            if pair.id in held_back:
                continue
            confirm_pair(self.db, pair)
            confirmed_on = min(cohort.starts_on + timedelta(days=self.rng.randint(0, 6)), self.today)
            pair.confirmed_at = _moment(confirmed_on, hour=10)
            accepted = self.rng.random() >= SHARE_UNACCEPTED
            plans.append(
                _PairPlan(pair, profiles[pair.mentor_id], profiles[pair.mentee_id], confirmed_on, False, accepted)
            )
        names = {user_id: self.db.get_one(User, user_id).name for user_id in profiles}
        lines = [
            MatchLine(
                mentor=f"{names[pair.mentor_id]} ({proposed.mentor})",
                mentee=f"{names[pair.mentee_id]} ({proposed.mentee})",
                score=proposed.score,
                explanation=proposed.explanation,
                status=pair.status,
            )
            for proposed, pair in stored.pairs
        ]
        unmatched = len(stored.proposal.unmatched) + len(stored.missing_profiles)
        return plans, len(held_back), (lines, stored.proposal.mean_score, unmatched)

    def _choose_stalled(self, plans: Sequence[_PairPlan]) -> None:
        """About one pair in ten stops meeting (only pairs confirmed over a month ago, in a cohort still running)."""
        limit = DEMO_PROGRAM.stalled_after_days
        candidates = [
            plan
            for plan in plans
            if (self.today - plan.confirmed_on).days > limit + 3 and self.today <= plan.pair.cohort.ends_on
        ]
        if not candidates:
            return
        count = min(len(candidates), max(1, round(SHARE_STALLED * len(plans))))
        for plan in self.rng.sample(candidates, count):
            plan.stalled = True
            plan.accepted = plan.accepted and self.rng.random() < 0.7

    # -- what each confirmed pair does ------------------------------------------------------------

    def _agreement(self, plan: _PairPlan) -> None:
        """Drafted by the assistant; most pairs fill in the brackets and both accept that version."""
        pair, rng = plan.pair, self.rng
        draft = draft_agreement(self.db, pair, self.knowledge_dir, self.skills)
        draft.created_at = _moment(plan.confirmed_on, hour=10, minute=5)
        if not plan.accepted and rng.random() < 0.5:
            return  # still the assistant's draft, brackets and all
        changes = self._filled(draft.fields, plan)
        editor = pair.mentee if rng.random() < 0.6 else pair.mentor
        version = revise_agreement(self.db, pair, editor, changes) if changes else draft
        first_meeting = min(plan.confirmed_on + timedelta(days=rng.randint(2, 9)), self.today)
        version.created_at = _moment(first_meeting, hour=16)
        signers = [pair.mentor, pair.mentee] if plan.accepted else [editor]
        for signer in signers:
            accepted = accept_agreement(self.db, pair, signer, version.version)
            when = _moment(first_meeting, hour=17, minute=rng.randint(0, 59))
            if signer.id == pair.mentor_id:
                accepted.mentor_accepted_at = when
            else:
                accepted.mentee_accepted_at = when
        self.accepted += plan.accepted

    def _filled(self, fields: list[dict[str, Any]], plan: _PairPlan) -> dict[str, str]:
        """Plausible text for every field the draft left in [brackets]."""
        topics = self._topics(plan)
        whole = {
            **AGREEMENT_FILL,
            "Mentee development goals": "; ".join(
                f"use {topic} confidently in day-to-day work" for topic in topics[:3]
            ),
            "Mentor learning interests": ", ".join(self.skills.labels(plan.mentor.wants))
            or "how senior leaders decide",
            "Topics in scope": ", ".join(topics) or "digital tools for the mentee's daily work",
        }
        changes = {}
        for label in unfilled(fields):
            value = next(str(field["value"]) for field in fields if field["label"] == label)
            if label in whole:
                changes[label] = whole[label]
            else:
                changes[label] = PLACEHOLDER.sub(BRACKET_FILL.get(label, "agreed in the first session"), value)
        return changes

    def _topics(self, plan: _PairPlan) -> list[str]:
        covered = plan.mentor.teaches & plan.mentee.wants
        return self.skills.labels(covered or plan.mentee.wants)

    def _db_factory(self, plan: _PairPlan) -> None:
        """Sessions at the cadence with jitter and the odd skip (never two in a row); stalled pairs stop."""
        rng, pair, cadence = self.rng, plan.pair, DEMO_PROGRAM.cadence_days
        end = min(self.today, pair.cohort.ends_on)
        if plan.stalled:
            end = self.today - timedelta(days=DEMO_PROGRAM.stalled_after_days + 1 + rng.randint(0, 21))
        topics = self._topics(plan) or ["the tools of the day"]
        back = self.skills.labels(plan.mentee.teaches & plan.mentor.wants) or ["how decisions get made"]
        planned = plan.confirmed_on + timedelta(days=rng.randint(3, 9))
        skipped_last, number = False, 0
        while planned <= end:
            held_on = planned + timedelta(days=rng.randint(-2, 2))
            can_skip = number > 0 and not skipped_last and planned + timedelta(days=cadence + 2) <= end
            if can_skip and rng.random() < SHARE_SKIPPED:
                skipped_last = True
            elif held_on <= end:
                skipped_last = False
                number += 1
                self._log(plan, max(held_on, plan.confirmed_on), number, topics, back)
            planned += timedelta(days=cadence)

    def _log(self, plan: _PairPlan, held_on: date, number: int, topics: list[str], back: list[str]) -> None:
        rng, pair = self.rng, plan.pair
        topic = rng.choice(topics)
        words = {"topic": topic, "back": rng.choice(back)}
        notes = FIRST_NOTES if number == 1 else rng.choice(NOTES).format(**words)
        rating = None if rng.random() < 0.05 else rng.choices((2, 3, 4, 5), weights=(4, 20, 45, 31))[0]
        drafts = []
        for _ in range(rng.choice((1, 1, 2))):
            owner = "mentee" if rng.random() < 0.6 else "mentor"
            text = rng.choice(MENTEE_ACTIONS if owner == "mentee" else MENTOR_ACTIONS).format(**words)
            drafts.append(ActionDraft(text, owner, held_on + timedelta(days=rng.randint(7, 14))))
        logger = pair.mentee if rng.random() < 0.55 else pair.mentor
        logged = log_session(
            self.db,
            pair=pair,
            user=logger,
            held_on=held_on,
            notes=notes,
            rating=rating,
            actions=drafts,
            today=self.today,
        )
        logged.created_at = _moment(held_on, hour=18)
        self.held_on[logged.id] = held_on
        self.sessions += 1
        self.actions += len(drafts)
        rate = PULSE_RATE * (0.6 if plan.stalled else 1.0)
        for user in (pair.mentor, pair.mentee):
            if rng.random() >= rate:
                continue
            useful = _clip((rating or 4) + rng.choice((-1, 0, 0, 0, 1)))
            scores = {"useful": useful, "open": self._score(), "next_steps": self._score()}
            self._pulse(user, PulseAnswers("session", scores, self._comment(user.role), logged.id), held_on)
            self.session_pulses += 1

    def _midpoint_survey(self, cohort: Cohort, plans: Sequence[_PairPlan]) -> None:
        midpoint = cohort.starts_on + (cohort.ends_on - cohort.starts_on) / 2
        if self.today < midpoint:
            return
        for plan in plans:
            for user in (plan.pair.mentor, plan.pair.mentee):
                if self.rng.random() >= SURVEY_RATE:
                    continue
                low = plan.stalled
                scores = {name: self._score(low=low) for name in ("progress", "fit", "recommend")}
                answered = min(midpoint + timedelta(days=self.rng.randint(0, 10)), self.today)
                self._pulse(user, PulseAnswers("midpoint", scores, self._comment(user.role, rate=0.5)), answered)
                self.surveys += 1

    def _pulse(self, user: User, answers: PulseAnswers, day: date) -> None:
        when = _moment(day, hour=19, minute=self.rng.randint(0, 59))
        pulse = submit_pulse(
            self.db,
            user=user,
            answers=answers,
            anonymizer=self.anonymizer,
            classifier=self.classifier,
            secret=self.secret,
            when=when,
        )
        pulse.created_at = when

    def _score(self, *, low: bool = False) -> int:
        weights = (8, 15, 30, 30, 17) if low else (2, 6, 17, 43, 32)
        return self.rng.choices((1, 2, 3, 4, 5), weights=weights)[0]

    def _comment(self, role: str, rate: float = COMMENT_RATE) -> str:
        if self.rng.random() >= rate:
            return ""
        weights = THEME_WEIGHTS[role]
        theme = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        return self.rng.choice(COMMENTS[theme])

    def _close_actions(self, plans: Sequence[_PairPlan]) -> int:
        """Older actions are mostly done, recent ones sometimes, future ones rarely."""
        pair_ids = [plan.pair.id for plan in plans]
        if not pair_ids:
            return 0
        self.db.flush()
        query = select(SessionAction).where(SessionAction.pair_id.in_(pair_ids)).order_by(SessionAction.id)
        done = 0
        for action in self.db.scalars(query):
            due = action.due_on or self.today
            overdue = (self.today - due).days
            share = next((rate for days, rate in DONE_RATES if overdue >= days), 0.1)
            if self.rng.random() < share:
                finished = min(due - timedelta(days=self.rng.randint(0, 5)), self.today)
                action.done_at = _moment(finished, hour=12)
                done += 1
            if action.session_id in self.held_on:
                action.created_at = _moment(self.held_on[action.session_id], hour=18)
        return done


def _moment(day: date, *, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _clip(score: int) -> int:
    return max(1, min(5, score))
