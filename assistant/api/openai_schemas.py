"""Request and response bodies of the OpenAI-compatible endpoint (``/v1``), as OpenAI's API spells them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _text_of(value: Any) -> Any:
    """OpenAI's content is a string or a list of parts; Tandem reads text parts only. No content (an
    assistant message that only called tools) is empty text."""
    if value is None:
        return ""
    if isinstance(value, list):
        texts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise ValueError("only text content is supported (a string, or parts of the type text)")
            texts.append(part["text"])
        return "\n".join(texts)
    return value


class ChatMessageIn(BaseModel):
    role: Literal["system", "user", "assistant"] = Field(
        description="System messages are accepted and ignored: Tandem's own instructions apply."
    )
    content: Annotated[str, BeforeValidator(_text_of)] = Field(
        default="", description="Text, or a list of parts of the type text (joined by new lines)."
    )
    name: str | None = None


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionIn(BaseModel):
    """Other OpenAI parameters (temperature, max_tokens, tools, ...) are accepted and ignored."""

    model: str = Field(max_length=200, description="A Tandem mode as a model: tandem-ask, tandem-goal, ...")
    messages: list[ChatMessageIn] = Field(
        max_length=1000, description="The whole chat; the last message is the participant's new one."
    )
    stream: bool | None = False
    stream_options: StreamOptions | None = None


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    name: str


class ModelsOut(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


class AssistantMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChoiceOut(BaseModel):
    index: int
    message: AssistantMessageOut
    finish_reason: Literal["stop"]
    logprobs: None = None


class UsageOut(BaseModel):
    """Estimated at 4 characters a token, not counted."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionOut(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChoiceOut]
    usage: UsageOut


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str
    type: str
    code: str | None
    param: str | None


class ErrorOut(BaseModel):
    error: ErrorDetail
