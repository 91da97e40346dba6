"""Grounded question answering: retrieve, decide scope, compose (offline) or ask the chat model."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.coaching.guard import GuardDecision, guard_reply_text, screen_request
from assistant.knowledge.sections import MissingGuidelineError, guideline_citation
from assistant.llm.composer import (
    OFFLINE_PROVIDER,
    ComposedAnswer,
    citation_for,
    compose_answer,
    decline_text,
)
from assistant.llm.leaks import InstructionsLeakError, VerbatimGuard
from assistant.llm.prompts import load_prompt
from assistant.retrieval.hybrid import HybridRetriever, Passage, Retrieval

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

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
        chat_model: BaseChatModel | None = None,
        provider: str = OFFLINE_PROVIDER,
        top_k: int = 5,
        min_relevance: float = 0.3,
        llm_deadline_seconds: float = 90.0,
        scrub: Callable[[str], str] | None = None,
    ) -> None:
        """``scrub`` (``SCRUB_BEFORE_LLM``) rewrites the participant's words before they leave for the model:
        the question and the conversation's earlier turns; retrieval still uses the question as typed."""
        self.scrub = scrub
        self.retriever = retriever
        self.prompts_dir = prompts_dir
        self.knowledge_dir = knowledge_dir
        self.chat_model = chat_model
        self.provider = provider if chat_model is not None else OFFLINE_PROVIDER
        self.top_k = top_k
        self.min_relevance = min_relevance
        self.llm_deadline_seconds = llm_deadline_seconds

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
        if self.chat_model is None or not self.in_scope(retrieval):
            composed = self.answer_offline(question, retrieval)
            reply = Reply(
                composed.text, composed.citations, OFFLINE_PROVIDER, composed.in_scope, chunk_ids=composed.chunk_ids
            )
            for token in word_tokens(reply.text):
                yield ReplyEvent("token", token)
            yield ReplyEvent("done", reply=reply)
            return

        shown: list[str] = []
        system = load_prompt(self.prompts_dir, "qa_system").render(role=role or "participant")
        leak_check = VerbatimGuard(system)  # holds back a few words so a quoted prompt is never shown
        try:
            async with asyncio.timeout(self.llm_deadline_seconds):
                async with aclosing(self._ask_model(system, question, retrieval.passages, history)) as pieces:
                    async for piece in pieces:
                        if visible := leak_check.feed(piece):
                            shown.append(visible)
                            yield ReplyEvent("token", visible)
                        if leak_check.leaked:
                            raise InstructionsLeakError("the reply repeats the system prompt")
                if visible := leak_check.finish():
                    shown.append(visible)
                    yield ReplyEvent("token", visible)
                if leak_check.leaked:
                    raise InstructionsLeakError("the reply repeats the system prompt")
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

    async def _ask_model(
        self, system: str, question: str, passages: list[Passage], history: Sequence[tuple[str, str]]
    ) -> AsyncGenerator[str]:
        """The only place a prompt is built: the system prompt, this conversation's own last turns (from
        the caller, who read them from the participant's own conversation), the retrieved guideline
        passages and the question. Nothing else reaches the model, and it is given no tools."""
        from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

        assert self.chat_model is not None
        context = "\n\n".join(
            f"[{n}] ({p.chunk.source} - {p.chunk.section})\n{p.chunk.text}" for n, p in enumerate(passages, 1)
        )
        clean = self.scrub or str
        user = load_prompt(self.prompts_dir, "qa_user").render(context=context, question=clean(question))
        messages: list[BaseMessage] = [SystemMessage(system)]
        for speaker, text in history[-6:]:
            messages.append(HumanMessage(clean(text)) if speaker == "user" else AIMessage(clean(text)))
        messages.append(HumanMessage(user))
        async for chunk in self.chat_model.astream(messages):
            content = chunk.content
            if isinstance(content, str) and content:
                yield content


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
