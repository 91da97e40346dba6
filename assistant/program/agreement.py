"""The pair's mentoring agreement: drafted from the guideline's template, accepted by both, versioned.

The fields come from the "Agreement template" section of ``knowledge/mentoring-agreement.md``, so an
organisation that edits its template changes the agreement without touching code. The assistant fills
what it knows (names, departments, dates, the mentee's *active* goals, topics both sides can teach,
cadence, format, shared time slots) and leaves the rest in ``[brackets]`` for the pair to settle in
their first session. Acceptance is per version: any change makes a new version that both accept again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Goal, User, utcnow
from assistant.db.program_models import Agreement, Membership, Pair
from assistant.knowledge.sections import MissingGuidelineError, guideline_chunks
from assistant.program.cohorts import Conflict, NotFound, ProgramError, membership_of, shared_slots
from assistant.program.skills import SkillCatalog

TEMPLATE_FILE = "mentoring-agreement.md"
TEMPLATE_SECTION = "Agreement template"
FIELD_LINE = re.compile(r"^\s*[-*]\s+\*\*(?P<label>[^*]+)\*\*:\s*(?P<value>.*)$")
PLACEHOLDER = re.compile(r"\[[^\]]+\]")
MAX_VALUE_CHARS = 1000


@dataclass(frozen=True)
class TemplateField:
    label: str
    placeholder: str


def template_fields(knowledge_dir: Path) -> list[TemplateField]:
    """The template's ``- **Label**: [placeholder]`` lines, in order."""
    text = "\n".join(
        chunk.text
        for chunk in guideline_chunks(knowledge_dir, TEMPLATE_FILE)
        if chunk.section.split(" > ")[-1].startswith(TEMPLATE_SECTION)
    )
    fields, seen = [], set()
    for line in text.splitlines():
        found = FIELD_LINE.match(line)
        if found and found["label"].strip() not in seen:
            seen.add(found["label"].strip())
            fields.append(TemplateField(found["label"].strip(), found["value"].strip()))
    if not fields:
        raise MissingGuidelineError(f"{TEMPLATE_FILE} has no '{TEMPLATE_SECTION}' list of fields")
    return fields


def unfilled(fields: list[dict[str, Any]]) -> list[str]:
    return [field["label"] for field in fields if PLACEHOLDER.search(str(field["value"]))]


DEFAULT_COMMITMENTS = {
    "Mentor commits to": "preparing each session, explaining without jargon, giving specific and respectful "
    "feedback, and keeping what is shared within the pair",
    "Mentee commits to": "practising between sessions, bringing real work tasks, giving honest feedback on what "
    "helps, and keeping the agreed sessions in the calendar",
}  # from roles-and-expectations.md; a suggestion both partners edit before accepting


def draft_fields(db: Session, pair: Pair, knowledge_dir: Path, skills: SkillCatalog) -> list[dict[str, Any]]:
    """The template with everything Tandem knows about the pair filled in."""
    mentor, mentee = _membership(db, pair.mentor_id), _membership(db, pair.mentee_id)
    cohort, program = pair.cohort, pair.cohort.program
    goals = list(
        db.scalars(select(Goal.text).where(Goal.user_id == pair.mentee_id, Goal.status == "active").order_by(Goal.id))
    )
    mentor_profile, mentee_profile = mentor.profile or {}, mentee.profile or {}
    main = _skills(mentor_profile.get("teaches"), skills) & _skills(mentee_profile.get("wants"), skills)
    back = _skills(mentee_profile.get("teaches"), skills) & _skills(mentor_profile.get("wants"), skills)
    slots = shared_slots(db, pair.mentor_id, pair.mentee_id)
    third_session = cohort.starts_on + timedelta(days=3 * program.cadence_days)
    midpoint = cohort.starts_on + (cohort.ends_on - cohort.starts_on) / 2
    known = {
        "Mentor": _person(pair.mentor, mentor_profile),
        "Mentee": _person(pair.mentee, mentee_profile),
        "Cohort dates": f"{_day(cohort.starts_on)} to {_day(cohort.ends_on)}",
        "Mentee development goals": "; ".join(goals),
        "Mentor learning interests": ", ".join(skills.labels(_skills(mentor_profile.get("wants"), skills))),
        "Topics in scope": "; ".join(
            part
            for part in (
                ", ".join(skills.labels(main)),
                "return topics: " + ", ".join(skills.labels(back)) if back else "",
            )
            if part
        ),
        "Meeting cadence and length": f"{_cadence(program.cadence_days)}, [length, e.g. 60 minutes]",
        "Format and location": f"{_format(mentor_profile, mentee_profile, program.format)}"
        + (f" (shared slots: {', '.join(slots)})" if slots else "")
        + "; [room or video tool]",
        "Review dates for this agreement": f"{_day(third_session)} (after session 3), {_day(midpoint)} (midpoint)",
        "Signed": "accepted in Tandem by both partners (see the acceptance dates)",
        **DEFAULT_COMMITMENTS,
    }
    return [
        {"label": field.label, "value": known.get(field.label) or field.placeholder}
        for field in template_fields(knowledge_dir)
    ]


def current_agreement(db: Session, pair: Pair) -> Agreement | None:
    query = select(Agreement).where(Agreement.pair_id == pair.id).order_by(Agreement.version.desc()).limit(1)
    return db.scalar(query)


def agreement_versions(db: Session, pair: Pair) -> list[Agreement]:
    return list(db.scalars(select(Agreement).where(Agreement.pair_id == pair.id).order_by(Agreement.version)))


def draft_agreement(db: Session, pair: Pair, knowledge_dir: Path, skills: SkillCatalog) -> Agreement:
    """A new version drafted by the assistant (the first one, or a fresh start after changes)."""
    return _new_version(db, pair, draft_fields(db, pair, knowledge_dir, skills), drafted_by="assistant")


def revise_agreement(db: Session, pair: Pair, user: User, changes: dict[str, str]) -> Agreement:
    """A new version with ``changes`` (label -> text) applied; both partners must accept it again."""
    current = current_agreement(db, pair)
    if current is None:
        raise ProgramError("there is no agreement yet; draft one first")
    labels = [field["label"] for field in current.fields]
    unknown = sorted(set(changes) - set(labels))
    if unknown:
        raise ProgramError(f"the agreement has no field {unknown[0]!r}")
    fields = []
    for field in current.fields:
        value = changes.get(field["label"], field["value"])
        value = " ".join(str(value).split())
        if not value:
            raise ProgramError(f"{field['label']} must not be empty")
        if len(value) > MAX_VALUE_CHARS:
            raise ProgramError(f"{field['label']} is longer than {MAX_VALUE_CHARS} characters")
        fields.append({"label": field["label"], "value": value})
    if fields == current.fields:
        raise Conflict("nothing changed")
    return _new_version(db, pair, fields, drafted_by=_side(pair, user))


def accept_agreement(db: Session, pair: Pair, user: User, version: int) -> Agreement:
    """Accept ``version``, which must be the latest (so nobody accepts text they did not see)."""
    current = current_agreement(db, pair)
    if current is None:
        raise NotFound("there is no agreement yet")
    if version != current.version:
        raise Conflict(f"version {version} is not the latest; review version {current.version}")
    missing = unfilled(current.fields)
    if missing:
        raise ProgramError(f"fill in every [bracketed] field first: {', '.join(missing)}")
    if _side(pair, user) == "mentor":
        current.mentor_accepted_at = current.mentor_accepted_at or utcnow()
    else:
        current.mentee_accepted_at = current.mentee_accepted_at or utcnow()
    db.flush()
    return current


def is_accepted(agreement: Agreement) -> bool:
    return agreement.mentor_accepted_at is not None and agreement.mentee_accepted_at is not None


def _new_version(db: Session, pair: Pair, fields: list[dict[str, Any]], *, drafted_by: str) -> Agreement:
    current = current_agreement(db, pair)
    agreement = Agreement(
        pair_id=pair.id, version=(current.version + 1) if current else 1, fields=fields, drafted_by=drafted_by
    )
    db.add(agreement)
    db.flush()
    return agreement


def _side(pair: Pair, user: User) -> str:
    if user.id == pair.mentor_id:
        return "mentor"
    if user.id == pair.mentee_id:
        return "mentee"
    raise NotFound(f"pair {pair.id} not found")


def _membership(db: Session, user_id: int) -> Membership:
    membership = membership_of(db, user_id)
    if membership is None:
        raise NotFound(f"user {user_id} is not in a cohort")
    return membership


def _items(value: Any) -> set[str]:
    if not value:
        return set()
    parts = value if isinstance(value, list) else re.split(r"[;,]", str(value))
    return {str(part).strip().lower() for part in parts if str(part).strip()}


def _skills(value: Any, skills: SkillCatalog) -> frozenset[str]:
    resolved = set()
    for name in _items(value):
        try:
            resolved.add(skills.resolve(name))
        except ValueError:
            continue
    return frozenset(resolved)


def _person(user: User, profile: dict[str, Any]) -> str:
    department = str(profile.get("department") or "").strip()
    return f"{user.name}, {department}" if department else f"{user.name}, [department]"


def _format(mentor: dict[str, Any], mentee: dict[str, Any], program_format: str) -> str:
    formats = {mentor.get("format"), mentee.get("format")} - {None, ""}
    if len(formats) == 1:
        return str(formats.pop())
    if formats == {"hybrid", "remote"}:
        return "remote"
    if formats == {"hybrid", "in-person"}:
        return "in-person"
    return program_format


def _cadence(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return f"every {days} days"


def _day(value: date) -> str:
    return value.isoformat()
