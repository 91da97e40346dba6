"""Request and response bodies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, computed_field, field_validator

from assistant.coaching.calendar import check_session_start
from assistant.coaching.dates import parse_target_date
from assistant.coaching.goals import MAX_SAVED_GOAL_CHARS, saved_goal_text
from assistant.coaching.modes import Mode
from assistant.text import MAX_MESSAGE_CHARS, clean_text, participant_message
from assistant.web.markdown import render_plain, render_reply

UTCDateTime = Annotated[datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))]
"""SQLite hands back naive datetimes; every time Tandem stores is UTC, so say so (RFC 3339)."""


class MessageIn(BaseModel):
    content: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("content")
    @classmethod
    def _clean(cls, value: str) -> str:
        return participant_message(value)


class RetryIn(BaseModel):
    """Answer the last message again; with ``content``, edit it first (edit and resend)."""

    content: str | None = Field(default=None, min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("content")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None else MessageIn._clean(value)


class ConversationPatch(BaseModel):
    title: str = Field(min_length=1, max_length=200)

    @field_validator("title")
    @classmethod
    def _clean(cls, value: str) -> str:
        cleaned = " ".join(clean_text(value).split())
        if not cleaned:
            raise ValueError("title must not be empty")
        return cleaned


class AskIn(MessageIn):
    role: Literal["mentee", "mentor", "hr"] | None = None


SessionFormat = Literal["in-person", "remote", "hybrid"]
SessionKind = Literal["first", "regular", "closing"]


class PlanOptions(BaseModel):
    minutes: int = Field(default=45, ge=15, le=120)
    format: SessionFormat = "remote"
    session: SessionKind = "regular"


class PersonaIn(BaseModel):
    """The senior colleague to rehearse with: a name, a role, years at the company, a temperament."""

    name: str = Field(default="Margaret", min_length=1, max_length=40)
    role: str = Field(default="Head of Finance", min_length=1, max_length=80)
    tenure_years: int = Field(default=25, ge=0, le=60)
    attitude: Literal["skeptical", "busy", "curious", "defensive"] = "skeptical"


class ConversationIn(BaseModel):
    title: str = Field(default="", max_length=200)
    mode: Mode = Mode.ASK
    plan: PlanOptions | None = None
    persona: PersonaIn | None = None


class Citation(BaseModel):
    source: str
    section: str
    text: str
    chunk_id: str | None = None


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    content: str
    citations: list[Citation] = []
    provider: str | None = None
    fallback: bool = False
    data: dict[str, Any] = {}
    created_at: UTCDateTime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def html(self) -> str:
        """The content as safe HTML: a reply's Markdown rendered with its ``[n]`` markers linked to the
        cited guideline sections; a participant's words as escaped paragraphs."""
        if self.role == "user":
            return render_plain(self.content)
        return render_reply(self.content, [citation.model_dump() for citation in self.citations])


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    mode: str
    created_at: UTCDateTime
    updated_at: UTCDateTime


class ConversationsOut(BaseModel):
    data: list[ConversationOut]
    count: int


class ConversationDetail(ConversationOut):
    state: dict[str, Any] = {}
    messages: list[MessageOut]


class ExchangeOut(BaseModel):
    """The stored question and the stored reply of one turn."""

    message: MessageOut
    reply: MessageOut
    in_scope: bool


class AnswerOut(BaseModel):
    answer: str
    citations: list[Citation]
    provider: str
    in_scope: bool
    fallback: bool = False


class HealthOut(BaseModel):
    status: str
    checks: dict[str, Any] = {}


GoalStatus = Literal["draft", "active", "done"]


class Milestone(BaseModel):
    text: str = Field(min_length=1, max_length=300)
    done: bool = False


class GoalDraftIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


def _no_placeholders(text: str | None) -> str | None:
    return None if text is None else saved_goal_text(text)


def _target_date(value: object) -> object:
    """A date, or words for one ("end of March", "in 6 weeks"), read relative to today (UTC)."""
    if value is None or isinstance(value, date):
        return value
    return parse_target_date(str(value), datetime.now(UTC).date())


SavedGoalText = Annotated[str, Field(min_length=1, max_length=MAX_SAVED_GOAL_CHARS), AfterValidator(_no_placeholders)]
TargetDate = Annotated[
    date | None,
    BeforeValidator(_target_date),
    Field(description="YYYY-MM-DD or words: '31 March', 'end of June', 'in 6 weeks'; not in the past."),
]


class GoalIn(BaseModel):
    text: SavedGoalText
    status: GoalStatus = "draft"
    milestones: list[Milestone] = Field(default=[], max_length=20)
    target_date: TargetDate = None


class GoalUpdate(BaseModel):
    text: SavedGoalText | None = None
    status: GoalStatus | None = None
    milestones: list[Milestone] | None = Field(default=None, max_length=20)
    target_date: TargetDate = None


class GoalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    criteria: dict[str, Any]
    status: str
    milestones: list[Milestone]
    target_date: date | None
    created_at: UTCDateTime
    updated_at: UTCDateTime


class GoalsOut(BaseModel):
    data: list[GoalOut]
    count: int


class PlanIn(PlanOptions):
    goal_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(default=[], max_length=10)
    open_actions: list[str] = Field(default=[], max_length=20)
    notes: str = Field(default="", max_length=2000)
    pair_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Add the pair's open actions and latest session notes."
    )


class PlanCalendarIn(PlanIn):
    start: datetime = Field(description="When the session starts: from now to two years ahead (ISO 8601).")
    title: str = Field(default="Reverse-mentoring session", max_length=200)

    @field_validator("start")
    @classmethod
    def _upcoming(cls, value: datetime) -> datetime:
        check_session_start(value)
        return value


class AgendaItemOut(BaseModel):
    title: str
    minutes: int
    purpose: str
    citations: list[Citation]


class AgendaOut(BaseModel):
    items: list[AgendaItemOut]
    total_minutes: int
    markdown: str
