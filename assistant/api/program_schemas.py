"""Request and response bodies of the program API (programs, cohorts, pairs, agreements, sessions, pulses)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistant.api.schemas import UTCDateTime
from assistant.text import clean_text

Format = Literal["in-person", "remote", "hybrid"]
Side = Literal["mentor", "mentee"]


def _clean(value: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise ValueError("must not be empty")
    return cleaned


CleanText = Annotated[str, AfterValidator(_clean)]


class ProgramIn(BaseModel):
    name: Annotated[CleanText, Field(min_length=1, max_length=200)]
    goals: str = Field(default="", max_length=4000)
    duration_weeks: int = Field(default=26, ge=1, le=156)
    format: Format = "hybrid"
    cadence_days: int = Field(default=14, ge=1, le=90)
    success_metrics: list[str] = Field(default_factory=list, max_length=20)
    stalled_after_days: int = Field(default=28, ge=2, le=365)


class ProgramOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    goals: str
    duration_weeks: int
    format: str
    cadence_days: int
    success_metrics: list[str]
    stalled_after_days: int


class ProgramsOut(BaseModel):
    data: list[ProgramOut]
    count: int


class CohortIn(BaseModel):
    name: Annotated[CleanText, Field(min_length=1, max_length=100)]
    starts_on: date


class CohortOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    program_id: int
    name: str
    starts_on: date
    ends_on: date


class MemberIn(BaseModel):
    user_id: int = Field(ge=1, le=2**31 - 1)
    role: Side
    external_id: str | None = Field(default=None, max_length=100)


class MemberOut(BaseModel):
    user_id: int
    name: str
    role: str
    external_id: str
    profile_filled: bool


class MembersOut(BaseModel):
    data: list[MemberOut]
    count: int


class MembershipOut(BaseModel):
    cohort_id: int
    cohort: str
    program: str
    role: str
    profile_filled: bool
    starts_on: date
    ends_on: date
    cadence_days: int


class ProfileIn(BaseModel):
    """The matching form: skills by id or label from ``GET /skills``; slots like ``tue-am``."""

    department: str = Field(min_length=1, max_length=100)
    teaches: list[str] = Field(default_factory=list, max_length=30)
    wants: list[str] = Field(default_factory=list, max_length=30)
    priorities: list[str] = Field(default_factory=list, max_length=2)
    work_style: Literal["structured", "mixed", "open"] = "mixed"
    availability: list[str] = Field(min_length=1, max_length=21)
    format: Format
    manager_id: str | None = Field(default=None, max_length=100)
    motivation: str = Field(default="", max_length=2000)


class ProfileOut(ProfileIn):
    cohort: str
    role: str


class SkillOut(BaseModel):
    id: str
    label: str
    group: str


class SkillsOut(BaseModel):
    data: list[SkillOut]
    count: int


class ProposalPairOut(BaseModel):
    pair_id: int
    mentor: str
    mentee: str
    score: float
    explanation: str


class UnmatchedOut(BaseModel):
    id: str
    role: str
    reason: str


class ProposalOut(BaseModel):
    pairs: list[ProposalPairOut]
    unmatched: list[UnmatchedOut]
    mean_score: float


class PairOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cohort_id: int
    mentor_id: int
    mentee_id: int
    mentor_name: str
    mentee_name: str
    status: str
    score: float
    explanation: str
    origin: str
    confirmed_at: UTCDateTime | None


class PairsOut(BaseModel):
    data: list[PairOut]
    count: int


class PairSetIn(BaseModel):
    mentor_id: int = Field(ge=1, le=2**31 - 1)
    mentee_id: int = Field(ge=1, le=2**31 - 1)
    allow_weak: bool = False


class SwapIn(BaseModel):
    first_pair_id: int = Field(ge=1, le=2**31 - 1)
    second_pair_id: int = Field(ge=1, le=2**31 - 1)


class AgreementField(BaseModel):
    label: str
    value: str


class AgreementOut(BaseModel):
    pair_id: int
    version: int
    fields: list[AgreementField]
    drafted_by: str
    created_at: UTCDateTime
    mentor_accepted_at: UTCDateTime | None
    mentee_accepted_at: UTCDateTime | None
    accepted: bool
    unfilled: list[str]


class AgreementVersionsOut(BaseModel):
    data: list[AgreementOut]
    count: int


class AgreementChangeIn(BaseModel):
    changes: dict[str, str] = Field(min_length=1, max_length=40)


class AcceptIn(BaseModel):
    version: int = Field(ge=1, le=10_000)


class ActionIn(BaseModel):
    text: Annotated[CleanText, Field(min_length=1, max_length=300)]
    owner: Side
    due_on: date | None = None


class ActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pair_id: int
    session_id: int | None
    text: str
    owner_id: int
    due_on: date | None
    done: bool


class ActionPatch(BaseModel):
    done: bool


class SessionLogIn(BaseModel):
    held_on: date
    notes: str = Field(default="", max_length=8000)
    rating: int | None = Field(default=None, ge=1, le=5)
    actions: list[ActionIn] = Field(default_factory=list, max_length=20)


class SessionLogOut(BaseModel):
    id: int
    pair_id: int
    held_on: date
    logged_by: int | None
    notes: str
    rating: int | None
    actions: list[ActionOut]


class SessionLogsOut(BaseModel):
    data: list[SessionLogOut]
    count: int
    open_actions: list[ActionOut]


class PulseIn(BaseModel):
    kind: Literal["session", "midpoint", "end"]
    session_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    scores: dict[str, int] = Field(min_length=1, max_length=10)
    comment: str = Field(default="", max_length=2000)


class PulseOut(BaseModel):
    id: int
    kind: str
    session_id: int | None
    scores: dict[str, int]
    comment: str
    themes: list[str]
    created_at: UTCDateTime


class PulseQuestionsOut(BaseModel):
    questions: dict[str, dict[str, str]]
    open_question: str


class StalledPairOut(BaseModel):
    pair_id: int
    cohort: str
    mentor: str
    mentee: str
    last_session_on: date | None
    days_without_session: int


class StalledPairsOut(BaseModel):
    data: list[StalledPairOut]
    count: int


class CohortReportOut(BaseModel):
    """Figures with ``value``, ``people`` and ``suppressed`` (under k people: value and people are null)."""

    cohort: dict[str, Any]
    k: int
    participation: dict[str, Any]
    session_frequency: dict[str, Any]
    sessions_by_month: list[dict[str, Any]]
    goal_progress: dict[str, Any]
    pulses: dict[str, Any]
    stalled_pairs: dict[str, Any]
    theme_labels: dict[str, str] = {}
    """The taxonomy's label for each theme the pulses' comments list ("Time and workload", not its id)."""
