"""Which answering provider an eval records: the offline composer or a model behind an OpenAI-compatible URL.

The model is built by ``assistant.llm.providers.make_chat_model``, the same code path users configure with
``LLM_PROVIDER=openai``; an eval only adds a cap on answer length (``max_tokens``) for slow local models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.llm.providers import make_chat_model

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

PROVIDERS = ("offline", "openai")


@dataclass(frozen=True)
class ProviderSpec:
    provider: str
    model: str = ""
    base_url: str = ""
    api_key_env: str = ""  # the name of the variable holding the key; the key itself is never kept
    max_tokens: int | None = None
    timeout_seconds: float | None = None  # per request; a slow local model needs more than the default

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(f"unknown provider {self.provider!r}; choose one of {', '.join(PROVIDERS)}")
        if self.provider == "openai" and not self.model:
            raise ValueError("--model is required for the openai provider")

    @property
    def default_name(self) -> str:
        """The recording's folder name: ``offline`` or ``openai-<model>``."""
        if self.provider == "offline":
            return "offline"
        return f"openai-{slug(self.model)}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-") or "model"


def make_eval_model(settings: Settings, max_tokens: int | None) -> BaseChatModel | None:
    """The configured chat model (None for offline) with the eval's answer-length cap applied.

    langchain-openai sends the cap as ``max_completion_tokens``, which OpenAI wants and which some
    compatible servers ignore (llama-cpp-python 0.3's server does, and then writes until its context is
    full). For an endpoint other than OpenAI's own, the cap is also sent under its classic name
    ``max_tokens``.
    """
    model = make_chat_model(settings)
    if model is None or max_tokens is None:
        return model
    update: dict[str, Any] = {"max_tokens": max_tokens}
    if settings.openai_base_url:
        update["extra_body"] = {**(getattr(model, "extra_body", None) or {}), "max_tokens": max_tokens}
    return model.model_copy(update=update)
