"""Request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.text import clean_text

MAX_MESSAGE_CHARS = 4000


class MessageIn(BaseModel):
    content: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("content")
    @classmethod
    def _clean(cls, value: str) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise ValueError("message must not be empty, whitespace or invisible characters only")
        return cleaned


class AskIn(MessageIn):
    role: Literal["mentee", "mentor", "hr"] | None = None


class ConversationIn(BaseModel):
    title: str = Field(default="", max_length=200)
    mode: Literal["ask"] = "ask"


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
    created_at: datetime


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    mode: str
    created_at: datetime
    updated_at: datetime


class ConversationsOut(BaseModel):
    data: list[ConversationOut]
    count: int


class ConversationDetail(ConversationOut):
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
