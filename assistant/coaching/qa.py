"""Grounded question answering: retrieve, decide scope, compose (offline) or ask the chat model."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.coaching.guard import GuardDecision, guard_reply_text, screen_request
from assistant.knowledge.sections import MissingGuidelineError, guideline_citation
from assistant.llm.composer import (
    OFFLINE_PROVIDER,
    ComposedAnswer,
    citation_for,
    compose_answer,
    decline_text,
)
from assistant.llm.gateway import ModelGateway, PromptCall
from assistant.llm.leaks import InstructionsLeakError
from assistant.retrieval.hybrid import HybridRetriever, Passage, Retrieval

log = logging.getLogger(__name__)

CITATION_MARK = re.compile(r"\[(\d{1,2})\]")
FALLBACK_NOTICE = "The language model did not answer in time, so Tandem's offline assistant answered instead."
LEAK_NOTICE = (
    "The language model's reply repeated Tandem's instructions, so Tandem's offline assistant answered instead."
)
AUDIENCE_FOR_ROLE = {"mentee": "mentee", "mentor": "mentor", "hr": "hr", "admin": None}


@dataclass
class Reply:
    text: str
    citations: list[dict[str, Any]]
    provider: str
    in_scope: bool
    fallback: bool = False
    chunk_ids: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] | None = None

    def as_contract(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "citations": [{k: c[k] for k in ("source", "section", "text")} for c in self.citations],
            "provider": self.provider,
            "in_scope": self.in_scope,
        }


@dataclass
class ReplyEvent:
    """A streamed piece of a reply: ``token`` text, ``reset`` (drop what was shown), or ``done``."""

    kind: str
    text: str = ""
    reply: Reply | None = None


def word_tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


class QAService:
    def __init__(
        self,
        retriever: HybridRetriever,
        prompts_dir: Path,
        knowledge_dir: Path,
        gateway: ModelGateway | None = None,
        top_k: int = 5,
        min_relevance: float = 0.3,
    ) -> None:
        """With a ``gateway`` the chat model writes in-scope answers (the question and earlier turns are
        scrubbed there when configured; retrieval still uses the question as typed); without, offline."""
        self.retriever = retriever
        self.prompts_dir = prompts_dir
        self.knowledge_dir = knowledge_dir
        self.gateway = gateway
        self.provider = gateway.provider if gateway is not None else OFFLINE_PROVIDER
        self.top_k = top_k
        self.min_relevance = min_relevance

    def retrieve(self, question: str, role: str | None = None) -> Retrieval:
        audience = AUDIENCE_FOR_ROLE.get(role or "admin")
        return self.retriever.retrieve(question, k=self.top_k, audience=audience)

    def in_scope(self, retrieval: Retrieval) -> bool:
        return bool(retrieval.passages) and retrieval.best_similarity >= self.min_relevance

    def answer_offline(self, question: str, retrieval: Retrieval) -> ComposedAnswer:
        if not self.in_scope(retrieval):
            return ComposedAnswer(decline_text(offline=True), [], in_scope=False)
        return compose_answer(retrieval)

    def answer(self, question: str, role: str | None = None) -> Reply:
        """The whole reply at once (CLI, evals)."""
        return asyncio.run(collect(self.stream(question, role)))

    async def stream(
        self, question: str, role: str | None = None, history: Sequence[tuple[str, str]] = ()
    ) -> AsyncIterator[ReplyEvent]:
        decision = screen_request(question)
        if decision is not None:
            reply = self.guarded_reply(decision)
            for token in word_tokens(reply.text):
                yield ReplyEvent("token", token)
            yield ReplyEvent("done", reply=reply)
            return
        retrieval = await asyncio.to_thread(self.retrieve, question, role)
        if self.gateway is None or not self.in_scope(retrieval):
            composed = self.answer_offline(question, retrieval)
            reply = Reply(
                composed.text, composed.citations, OFFLINE_PROVIDER, composed.in_scope, chunk_ids=composed.chunk_ids
            )
            for token in word_tokens(reply.text):
                yield ReplyEvent("token", token)
            yield ReplyEvent("done", reply=reply)
            return

        shown: list[str] = []
        try:
            call = self._prompt(question, role, retrieval.passages, history)
            async with aclosing(self.gateway.stream(call)) as pieces:
                async for visible in pieces:
                    shown.append(visible)
                    yield ReplyEvent("token", visible)
            text = "".join(shown).strip()
            if not text:
                raise ValueError("empty completion")
        except Exception as exc:  # any failure of the endpoint (timeout, HTTP error, malformed body) or a leak
            log.warning("chat model failed (%s); offline composer answers", type(exc).__name__)
            if shown:
                yield ReplyEvent("reset")
            composed = self.answer_offline(question, retrieval)
            notice = LEAK_NOTICE if isinstance(exc, InstructionsLeakError) else FALLBACK_NOTICE
            text = f"{notice}\n\n{composed.text}"
            reply = Reply(
                text,
                composed.citations,
                OFFLINE_PROVIDER,
                composed.in_scope,
                fallback=True,
                chunk_ids=composed.chunk_ids,
            )
            for token in word_tokens(text):
                yield ReplyEvent("token", token)
            yield ReplyEvent("done", reply=reply)
            return
        cited = cited_passages(text, retrieval.passages)
        reply = Reply(
            renumber_markers(text, retrieval.passages, cited),
            [citation_for(p) for p in cited],
            self.provider,
            True,
            chunk_ids=[p.chunk.id for p in cited],
        )
        yield ReplyEvent("done", reply=reply)

    def guarded_reply(self, decision: GuardDecision) -> Reply:
        """A decline that never reaches retrieval or the model; it cites the confidentiality rules."""
        text = guard_reply_text(decision)
        citations: list[dict[str, Any]] = []
        if decision.kind == "other_participant_data":
            try:
                citations = [
                    guideline_citation(self.knowledge_dir, "confidentiality-and-escalation.md", "What stays"),
                    guideline_citation(self.knowledge_dir, "confidentiality-and-escalation.md", "How to escalate"),
                ]
            except MissingGuidelineError:
                text = CITATION_MARK.sub("", text).replace(" .", ".")
        return Reply(
            text, citations, OFFLINE_PROVIDER, in_scope=False, chunk_ids=[str(c["chunk_id"]) for c in citations]
        )

    @staticmethod
    def _prompt(
        question: str, role: str | None, passages: list[Passage], history: Sequence[tuple[str, str]]
    ) -> PromptCall:
        """The only prompt of the answer path: the system prompt, this conversation's own last turns (from
        the caller, who read them from the participant's own conversation), the retrieved guideline
        passages and the question. Nothing else reaches the model, and it is given no tools."""
        context = "\n\n".join(
            f"[{n}] ({p.chunk.source} - {p.chunk.section})\n{p.chunk.text}" for n, p in enumerate(passages, 1)
        )
        return PromptCall(
            "qa_user",
            {"context": context, "question": question},
            participant=("question",),
            system="qa_system",
            system_values={"role": role or "participant"},
            history=history,
        )


def cited_passages(text: str, passages: list[Passage]) -> list[Passage]:
    """Passages the model cited by number; all of them if it cited none (they were its only context)."""
    numbers = sorted({int(n) for n in CITATION_MARK.findall(text) if 1 <= int(n) <= len(passages)})
    return [passages[n - 1] for n in numbers] or list(passages)


def renumber_markers(text: str, passages: list[Passage], cited: list[Passage]) -> str:
    """The model numbers the passages it was given; the reader numbers the reply's citations.

    ``[4]`` (the fourth retrieved passage) becomes ``[2]`` when that passage is the reply's second
    citation. A number with no passage behind it is left as written (the eval suite counts it invalid).
    The streamed tokens carry the model's numbers; the stored reply, which replaces them, carries these.
    """
    position = {passages.index(p) + 1: n for n, p in enumerate(cited, 1)}
    return CITATION_MARK.sub(lambda m: f"[{position.get(int(m.group(1)), int(m.group(1)))}]", text)


async def collect(events: AsyncIterator[ReplyEvent]) -> Reply:
    reply: Reply | None = None
    async for event in events:
        if event.kind == "done":
            reply = event.reply
    assert reply is not None
    return reply
