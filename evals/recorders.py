"""Chat models that record a real model's answers, and answer from a recording without any network.

Both are langchain ``BaseChatModel``s, so the pipeline runs unchanged: ``QAService`` streams from them
exactly as it streams from ``ChatOpenAI``. Each call is keyed by the fingerprint of its request
(``evals.fingerprint``); the harness tells the model which case is running, so a replay looks only at
that case's calls and a miss names the case.

A replay miss raises inside the pipeline, which (by design) falls back to the offline composer; the
miss is therefore also kept in ``ReplayChatModel.misses`` and the harness turns it into a stale case,
so a missing recording never passes silently.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from evals.fingerprint import canonical_json, describe_request, fingerprint

Scrubber = Callable[[str], str]


class RecordedModelError(RuntimeError):
    """Replays a failure the real endpoint had while recording (timeout, HTTP error, cut stream)."""


class MissingRecordingError(LookupError):
    """The pipeline made a model call the recording has no answer for: the recording is stale."""


@dataclass(frozen=True)
class Miss:
    case_id: str
    fingerprint: str
    why: str


def content_sha256(content: Any) -> str:
    text = content if isinstance(content, str) else canonical_json(content)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_request(request: dict[str, Any], scrub: Scrubber | None) -> dict[str, Any]:
    """The request as a recording keeps it: each message's text through the anonymizer, with the hash of
    the original text (the fingerprint is taken before scrubbing, the hash tells which message changed)."""
    messages = [
        {
            "role": m["role"],
            "content": scrub(m["content"]) if scrub is not None and isinstance(m["content"], str) else m["content"],
            "content_sha256": content_sha256(m["content"]),
        }
        for m in request["messages"]
    ]
    return {**request, "messages": messages}


class RecordingChatModel(BaseChatModel):
    """Passes every call to ``inner`` and keeps request, fingerprint and answer (or failure) per call."""

    inner: Any
    scrub: Any = None
    calls: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "tandem-recording"

    def take_calls(self) -> list[dict[str, Any]]:
        """The calls made since the last take (one case's calls)."""
        taken, self.calls = self.calls, []
        return taken

    def _entry(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"fingerprint": fingerprint(request), "request": stored_request(request, self.scrub)}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        entry = self._entry(describe_request(self.inner, messages, stop, **kwargs))
        self.calls.append(entry)
        try:
            message = self.inner.invoke(messages, stop=stop, **kwargs)
        except Exception as exc:
            entry["response"] = {"text": "", "error": {"type": type(exc).__name__, "message": str(exc)[:500]}}
            raise
        text = message.content if isinstance(message.content, str) else canonical_json(message.content)
        entry["response"] = {"text": text}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        entry = self._entry(describe_request(self.inner, messages, stop, **kwargs))
        self.calls.append(entry)
        pieces: list[str] = []
        error: dict[str, str] | None = None
        try:
            async for chunk in self.inner.astream(messages, stop=stop, **kwargs):
                content = chunk.content if isinstance(chunk.content, str) else ""
                pieces.append(content)
                yield ChatGenerationChunk(message=AIMessageChunk(content=content))
        except BaseException as exc:  # a cancelled stream (the pipeline's deadline) is a failure to replay too
            error = {"type": type(exc).__name__, "message": str(exc)[:500]}
            raise
        finally:
            entry["response"] = {"text": "".join(pieces), **({"error": error} if error else {})}


class ReplayChatModel(BaseChatModel):
    """Answers each call from the recording of the running case; never touches the network.

    ``reference`` is the model the recording was made with, rebuilt from the recording's manifest
    (never called): it describes requests exactly as the recorder did, so a changed model setting
    (temperature, max tokens) changes the fingerprint just like a changed prompt does.
    """

    reference: Any
    recorded: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    case_id: str = ""
    misses: list[Miss] = Field(default_factory=list)
    used: dict[str, list[int]] = Field(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "tandem-replay"

    def start_case(self, case_id: str) -> None:
        self.case_id = case_id

    def unused_calls(self, case_id: str) -> int:
        """Recorded calls of a case the pipeline did not make (the pipeline changed: stale)."""
        return len(self.recorded.get(case_id, [])) - len(self.used.get(case_id, []))

    def _answer(self, messages: Sequence[BaseMessage], stop: list[str] | None, **kwargs: Any) -> dict[str, Any]:
        request = describe_request(self.reference, messages, stop, **kwargs)
        key = fingerprint(request)
        calls = self.recorded.get(self.case_id, [])
        used = self.used.setdefault(self.case_id, [])
        for index, call in enumerate(calls):
            if call["fingerprint"] == key and index not in used:
                used.append(index)
                response: dict[str, Any] = call["response"]
                return response
        why = _closest_difference(request, calls)
        self.misses.append(Miss(self.case_id, key, why))
        raise MissingRecordingError(f"case {self.case_id}: no recorded answer for request {key[:12]} ({why})")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        response = self._answer(messages, stop, **kwargs)
        if "error" in response:
            raise RecordedModelError(f"{response['error']['type']}: {response['error']['message']}")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=response["text"]))])

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        response = self._answer(messages, stop, **kwargs)
        if response["text"]:
            yield ChatGenerationChunk(message=AIMessageChunk(content=response["text"]))
        if "error" in response:
            raise RecordedModelError(f"{response['error']['type']}: {response['error']['message']}")


def _closest_difference(request: dict[str, Any], calls: list[dict[str, Any]]) -> str:
    """Say what changed against the nearest recorded request of the same case (for the stale report)."""
    if not calls:
        return "the recording has no model call for this case"
    recorded = calls[0]["request"]
    if recorded.get("model") != request["model"]:
        return f"model {recorded.get('model')!r} was recorded, {request['model']!r} is asked"
    if recorded.get("params") != request["params"]:
        return f"parameters changed: recorded {recorded.get('params')}, now {request['params']}"
    old, new = recorded.get("messages", []), request["messages"]
    if len(old) != len(new):
        return f"{len(old)} messages were recorded, {len(new)} are sent"
    for number, (before, after) in enumerate(zip(old, new, strict=True), 1):
        if before.get("role") != after["role"] or before.get("content_sha256") != content_sha256(after["content"]):
            return f"message {number} ({after['role']}) changed: {_first_change(before, after)}"
    return "the request is the same as the recorded one; it was already answered once in this case"


def _first_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Where the texts first differ (the recorded side may show anonymizer placeholders)."""
    old, new = str(before.get("content", "")), str(after.get("content", ""))
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag != "equal":
            return f"{old[max(a0 - 20, 0) : a1 + 20]!r} -> {new[max(b0 - 20, 0) : b1 + 20]!r}"
    return "whitespace"
