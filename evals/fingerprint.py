"""What a model request means, as canonical JSON, and its fingerprint (the key a replay looks answers up by).

Only what changes the model's answer goes in: the model name, each message's role and content, and the
sampling parameters in ``SEMANTIC_PARAMS``. Everything else is left out on purpose: message ids, run ids,
timestamps, timeouts, retries, the endpoint's URL and any credential (a request described here is what a
recording stores, so an API key can never reach one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

SEMANTIC_PARAMS = frozenset(
    {
        "temperature",
        "max_tokens",
        "top_p",
        "stop",
        "n",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "response_format",
        "reasoning_effort",
        "reasoning",
        "verbosity",
        "tools",
        "tool_choice",
    }
)
ALIASES = {"max_completion_tokens": "max_tokens", "model_name": "model"}
ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool", "function": "function"}


def message_record(message: BaseMessage) -> dict[str, Any]:
    """Role and content only: ids, names of runs and response metadata are volatile."""
    return {"role": ROLES.get(message.type, message.type), "content": message.content}


def model_params(model: BaseChatModel, stop: Sequence[str] | None = None, **kwargs: Any) -> dict[str, Any]:
    """The model name and semantic parameters a call of ``model`` sends.

    ``_get_ls_params`` is langchain's provider-neutral view (model name, temperature, max tokens, stop);
    ``_default_params`` (OpenAI-style models) adds the other sampling parameters. Call-time ``kwargs``
    win, as they do in the request itself.
    """
    params: dict[str, Any] = {}
    defaults = getattr(model, "_default_params", None)
    if isinstance(defaults, Mapping):
        params.update(defaults)
    standard = model._get_ls_params(stop=list(stop) if stop else None, **kwargs)
    for key, standard_key in (
        ("model", "ls_model_name"),
        ("temperature", "ls_temperature"),
        ("max_tokens", "ls_max_tokens"),
        ("stop", "ls_stop"),
    ):
        value = standard.get(standard_key)
        if value is not None:
            params.setdefault(key, value)
    params.update(kwargs)
    if stop:
        params["stop"] = list(stop)
    return semantic(params)


def semantic(params: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the parameters that change an answer; drop empty ones so ``None`` and absent are one thing."""
    kept: dict[str, Any] = {}
    for key, value in params.items():
        name = ALIASES.get(key, key)
        if (name == "model" or name in SEMANTIC_PARAMS) and value not in (None, [], {}):
            kept[name] = value
    return kept


def describe_request(
    model: BaseChatModel, messages: Sequence[BaseMessage], stop: Sequence[str] | None = None, **kwargs: Any
) -> dict[str, Any]:
    params = model_params(model, stop, **kwargs)
    return {"model": params.pop("model", ""), "messages": [message_record(m) for m in messages], "params": params}


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def fingerprint(request: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a described request."""
    return hashlib.sha256(canonical_json(request).encode()).hexdigest()
