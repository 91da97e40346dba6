"""Chat-model factory: ``offline`` needs none; ``openai`` is any OpenAI-compatible endpoint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import SecretStr

from assistant.config import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.llm.gateway import ModelGateway


CLIENT_LOGGERS = ("openai", "httpx", "httpcore", "httpx2", "httpcore2")


def keep_request_bodies_out_of_logs() -> None:
    """The OpenAI client logs whole request bodies (participants' text) at DEBUG: never let it."""
    for name in CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None for the offline composer."""
    if settings.llm_provider == "offline":
        return None
    from langchain_openai import ChatOpenAI

    keep_request_bodies_out_of_logs()
    # langchain sends the cap as max_completion_tokens, which llama-cpp-python's server and Ollama ignore
    # (a looping model then fills thousands of tokens): an OpenAI-compatible URL gets max_tokens as well.
    legacy_cap = {"max_tokens": settings.llm_max_tokens} if settings.openai_base_url else None
    return ChatOpenAI(
        model=settings.openai_model,
        api_key=settings.openai_api_key if settings.openai_api_key.get_secret_value() else SecretStr("none"),
        base_url=settings.openai_base_url or None,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
        streaming=True,
        temperature=0,
        max_completion_tokens=settings.llm_max_tokens,
        extra_body=legacy_cap,
    )


def provider_label(settings: Settings) -> str:
    return "offline" if settings.llm_provider == "offline" else f"openai:{settings.openai_model}"


def make_gateway(
    settings: Settings, chat_model: BaseChatModel, scrub: Callable[[str], str] | None = None
) -> ModelGateway:
    """The gateway every model call goes through, with the first-token and whole-reply deadlines."""
    from assistant.llm.gateway import ModelGateway

    return ModelGateway(
        chat_model,
        provider_label(settings),
        settings.prompts_dir,
        settings.llm_total_seconds,
        scrub,
        first_token_seconds=min(settings.llm_first_token_seconds, settings.llm_total_seconds),
    )
