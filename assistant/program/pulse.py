"""Pulse after every session and a short survey at mid-point and end: 1-5 scales plus one open question.

The open answer is anonymized before it is stored and theme-tagged like a chat message; its theme
events are written in the same transaction as the pulse, so there is never an event for an answer
that was not kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import User
from assistant.db.program_models import Pair, PairSession, Pulse
from assistant.privacy.anonymize import Anonymizer
from assistant.program.cohorts import Conflict, NotFound, ProgramError, membership_of
from assistant.themes.events import Author, Classifier, event_rows, store_events

QUESTIONS: Mapping[str, Mapping[str, str]] = {
    "session": {
        "useful": "How useful was this session for you?",
        "open": "How freely could you speak in this session?",
        "next_steps": "How clear are your next steps?",
    },
    "midpoint": {
        "progress": "How much progress have you made towards your goals?",
        "fit": "How well does your pairing work?",
        "recommend": "How likely are you to recommend the program to a colleague?",
    },
    "end": {
        "progress": "How much progress have you made towards your goals?",
        "fit": "How well did your pairing work?",
        "recommend": "How likely are you to recommend the program to a colleague?",
    },
}
OPEN_QUESTION = "What is the most useful thing you have learned so far, and what is getting in the way?"
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True)
class PulseAnswers:
    kind: str
    scores: Mapping[str, int]
    comment: str = ""
    session_id: int | None = None


def submit_pulse(
    db: Session,
    *,
    user: User,
    answers: PulseAnswers,
    anonymizer: Anonymizer,
    classifier: Classifier,
    secret: SecretStr | str,
    when: datetime,
) -> Pulse:
    membership = membership_of(db, user.id)
    if membership is None:
        raise ProgramError("pulses are for members of a cohort")
    questions = QUESTIONS.get(answers.kind)
    if questions is None:
        raise ProgramError(f"kind must be one of {', '.join(QUESTIONS)}")
    if set(answers.scores) != set(questions):
        raise ProgramError(f"answer exactly these questions: {', '.join(questions)}")
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5 for v in answers.scores.values()):
        raise ProgramError("every score is a whole number from 1 to 5")
    if len(answers.comment) > MAX_COMMENT_CHARS:
        raise ProgramError(f"the comment is longer than {MAX_COMMENT_CHARS} characters")
    if (answers.kind == "session") != (answers.session_id is not None):
        raise ProgramError("a session pulse names its session_id; surveys do not")
    if answers.session_id is not None:
        logged = db.get(PairSession, answers.session_id)
        pair = db.get(Pair, logged.pair_id) if logged is not None else None
        if logged is None or pair is None or not pair.has_member(user.id):
            raise NotFound(f"session {answers.session_id} not found")
    already = select(Pulse.id).where(
        Pulse.user_id == user.id,
        Pulse.kind == answers.kind,
        Pulse.cohort_id == membership.cohort_id,
        Pulse.session_id.is_(None) if answers.session_id is None else Pulse.session_id == answers.session_id,
    )
    if db.scalar(already) is not None:
        raise Conflict("you have already answered this one")

    comment = " ".join(answers.comment.split())
    anonymized = anonymizer.anonymize(comment, extra_names=_names_near(db, user)).text if comment else ""
    scores = classifier.classify(anonymized) if anonymized else []
    pulse = Pulse(
        cohort_id=membership.cohort_id,
        user_id=user.id,
        kind=answers.kind,
        session_id=answers.session_id,
        scores=dict(answers.scores),
        comment=anonymized,
        themes=[score.theme for score in scores],
    )
    db.add(pulse)
    db.flush()
    store_events(db, event_rows(scores, author=Author.of(user), when=when, secret=secret))
    return pulse


def _names_near(db: Session, user: User) -> list[str]:
    """The respondent and their partners: the names most likely to appear in the answer."""
    partners = db.scalars(
        select(Pair).where((Pair.mentor_id == user.id) | (Pair.mentee_id == user.id), Pair.status != "proposed")
    )
    return [user.name, *(name for pair in partners for name in (pair.mentor.name, pair.mentee.name))]


def own_pulses(db: Session, user: User) -> list[Pulse]:
    return list(db.scalars(select(Pulse).where(Pulse.user_id == user.id).order_by(Pulse.id)))
