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

from assistant.answers.cues import stems
from assistant.answers.memory import load_memory
from assistant.answers.model import load_answer_model
from assistant.answers.plan import Answerer, AnswerPlan, previous_question
from assistant.answers.risk import RiskScreen, RiskVerdict, escalation_preface, escalation_reply
from assistant.coaching.guard import GuardDecision, guard_reply_text, screen_request
from assistant.knowledge.sections import MissingGuidelineError, guideline_citation
from assistant.llm.composer import (
    OFFLINE_PROVIDER,
    ComposedAnswer,
    citation_for,
    compose_from_plan,
)
from assistant.llm.gateway import ModelGateway, PromptCall
from assistant.llm.leaks import InstructionsLeakError
from assistant.retrieval.hybrid import HybridRetriever, Passage

log = logging.getLogger(__name__)

CITATION_MARK = re.compile(r"\[(\d{1,2})\]")
TIMEOUT_NOTICE = "The language model did not answer in time, so Tandem's offline assistant answered instead."
ERROR_NOTICE = "The language model's endpoint answered with an error, so Tandem's offline assistant answered instead."
MALFORMED_NOTICE = (
    "The language model's reply could not be read (empty or malformed), so Tandem's offline assistant answered instead."
)
LEAK_NOTICE = (
    "The language model's reply repeated Tandem's instructions, so Tandem's offline assistant answered instead."
)


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
        answerer: Answerer | None = None,
        risk: RiskScreen | None = None,
    ) -> None:
        """With a ``gateway`` the chat model writes in-scope answers (the question and earlier turns are
        scrubbed there when configured); without, the offline composer quotes the selected sentences.
        Scope, the section and the sentences are the answerer's heads in both cases."""
        self.retriever = retriever
        self.answerer = answerer or Answerer(retriever, load_answer_model(), load_memory())
        self.risk = risk or RiskScreen(self.answerer.model, retriever.embedder, self.answerer.memory)
        self.prompts_dir = prompts_dir
        self.knowledge_dir = knowledge_dir
        self.gateway = gateway
        self.provider = gateway.provider if gateway is not None else OFFLINE_PROVIDER
        self.top_k = top_k

    def plan(self, question: str, role: str | None = None, history: Sequence[tuple[str, str]] = ()) -> AnswerPlan:
        """Which sections and sentences answer ``question``, read with the participant's previous turn.

        Every guideline may answer every role: a document's ``audience`` says who it was written for, not
        who may read it. Filtered by it, a mentee's "What is SBI?" got the program's goals, and on the
        dev split of the labelled questions the filter cost 3.7 points of answers that state the fact
        (0.389 without, 0.352 with) and 5.7 of section@1 (measured 2026-12-07, `tandem eval answers`)."""
        return self.answerer.plan(question, None, previous_question(history), self.top_k)

    async def _plan_with_history(
        self, question: str, role: str | None, history: Sequence[tuple[str, str]]
    ) -> AnswerPlan:
        """With a model and earlier turns, the question is first rewritten to stand alone (LangChain's
        history-aware retrieval pattern, through the gateway); offline, or when the rewrite fails, the
        follow-up head joins it to the previous question instead."""
        if self.gateway is not None and previous_question(history):
            try:
                call = PromptCall(
                    "standalone_question", {"question": question}, participant=("question",), history=history
                )
                rewritten = (await self.gateway.complete(call)).strip().splitlines()[0][:500]
                if stems(question) & stems(rewritten):  # a rewrite that dropped every word asked is not one
                    return await asyncio.to_thread(self.plan, rewritten, role, ())
            except Exception as exc:  # the model failed or leaked: read the follow-up offline
                log.warning("question rewrite by the chat model failed (%s)", type(exc).__name__)
        return await asyncio.to_thread(self.plan, question, role, history)

    def screen_risk(self, text: str, mode: str = "ask") -> RiskVerdict | None:
        return self.risk.screen(text, mode)

    def escalation(self, verdict: RiskVerdict) -> Reply:
        """The guidelines' escalation steps, first and cited; never a decline (``in_scope`` is true)."""
        escalation = escalation_reply(self.knowledge_dir)
        return Reply(
            escalation.text,
            escalation.citations,
            OFFLINE_PROVIDER,
            in_scope=True,
            chunk_ids=[str(c["chunk_id"]) for c in escalation.citations],
            data={"escalation": {"kind": verdict.kind, "certain": True}},
        )

    def preface(self, verdict: RiskVerdict, reply: Reply) -> Reply:
        """``reply`` led by the escalation steps (a possible disclosure): never declined, citations renumbered."""
        escalation = escalation_preface(self.knowledge_dir)
        shift = len(escalation.citations)
        body = CITATION_MARK.sub(lambda m: f"[{int(m.group(1)) + shift}]", reply.text)
        if not reply.in_scope:  # a decline after the escalation steps would read as "I won't help with this"
            body = ""
        return Reply(
            f"{escalation.text}\n\n{body}".strip(),
            [*escalation.citations, *(reply.citations if body else [])],
            reply.provider,
            True,
            fallback=reply.fallback,
            chunk_ids=[*(str(c["chunk_id"]) for c in escalation.citations), *(reply.chunk_ids if body else [])],
            data={**reply.data, "escalation": {"kind": verdict.kind, "certain": False}},
            state=reply.state,
        )

    def answer(self, question: str, role: str | None = None, history: Sequence[tuple[str, str]] = ()) -> Reply:
        """The whole reply at once (CLI, evals)."""
        return asyncio.run(collect(self.stream(question, role, history)))

    async def stream(
        self, question: str, role: str | None = None, history: Sequence[tuple[str, str]] = ()
    ) -> AsyncIterator[ReplyEvent]:
        verdict = await asyncio.to_thread(self.screen_risk, question)
        decision = screen_request(question)
        if decision is not None and (verdict is None or not verdict.rule):
            # a request for others' data or for the instructions is declined unless a rule saw a plain
            # disclosure in it (the learned head alone is no match for text written to confuse it)
            async for event in whole(self.guarded_reply(decision)):
                yield event
            return
        if verdict is not None and verdict.certain:
            async for event in whole(self.escalation(verdict)):
                yield event
            return
        if verdict is not None:
            answered = await collect(self._answer(question, role, history))
            async for event in whole(self.preface(verdict, answered)):
                yield event
            return
        async for event in self._answer(question, role, history):
            yield event

    async def _answer(
        self, question: str, role: str | None, history: Sequence[tuple[str, str]]
    ) -> AsyncIterator[ReplyEvent]:
        plan = await self._plan_with_history(question, role, history)
        if self.gateway is None or not plan.in_scope:
            async for event in whole(offline_reply(plan)):
                yield event
            return

        shown: list[str] = []
        try:
            call = self._prompt(question, role, plan.passages, history)
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
            notice = fallback_notice(exc)
            reply = offline_reply(plan, notice)
            async for event in whole(reply):
                yield event
            return
        cited = cited_passages(text, plan.passages)
        reply = Reply(
            renumber_markers(text, plan.passages, cited),
            [citation_for(p) for p in cited],
            self.provider,
            True,
            chunk_ids=[p.chunk.id for p in cited],
            data={"written_by": self.gateway.provenance()},
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
    """The passages the model marked by number, in the order of their numbers; none if it marked none."""
    numbers = sorted({int(n) for n in CITATION_MARK.findall(text) if 1 <= int(n) <= len(passages)})
    return [passages[n - 1] for n in numbers]


def renumber_markers(text: str, passages: list[Passage], cited: list[Passage]) -> str:
    """The model numbers the passages it was given; the reader numbers the reply's citations.

    ``[4]`` (the fourth retrieved passage) becomes ``[2]`` when that passage is the reply's second
    citation. A number with no passage behind it is left as written (the eval suite counts it invalid).
    The streamed tokens carry the model's numbers; the stored reply, which replaces them, carries these.
    """
    position = {passages.index(p) + 1: n for n, p in enumerate(cited, 1)}
    return CITATION_MARK.sub(lambda m: f"[{position.get(int(m.group(1)), int(m.group(1)))}]", text)


def fallback_notice(exc: BaseException) -> str:
    """Why the offline assistant answered: the model leaked its prompt, timed out, sent something
    unreadable (an empty reply, a body that is not JSON), or its endpoint answered with an error."""
    if isinstance(exc, InstructionsLeakError):
        return LEAK_NOTICE
    seen: BaseException | None = exc
    while seen is not None:  # the client's own errors arrive as openai.* exceptions, maybe wrapped
        names = [kind.__name__ for kind in type(seen).__mro__]
        if isinstance(seen, TimeoutError) or any("Timeout" in name for name in names):
            return TIMEOUT_NOTICE
        if isinstance(seen, ValueError) or "APIResponseValidationError" in names:  # JSONDecodeError is one
            return MALFORMED_NOTICE
        seen = seen.__cause__ or seen.__context__
    return ERROR_NOTICE


def offline_reply(plan: AnswerPlan, notice: str = "") -> Reply:
    composed: ComposedAnswer = compose_from_plan(plan)
    text = f"{notice}\n\n{composed.text}" if notice else composed.text
    return Reply(
        text,
        composed.citations,
        OFFLINE_PROVIDER,
        composed.in_scope,
        fallback=bool(notice),
        chunk_ids=composed.chunk_ids,
        data={"followup": True} if plan.followup else {},
    )


async def whole(reply: Reply) -> AsyncIterator[ReplyEvent]:
    """A finished reply as events: its words as tokens, then ``done``."""
    for token in word_tokens(reply.text):
        yield ReplyEvent("token", token)
    yield ReplyEvent("done", reply=reply)


async def collect(events: AsyncIterator[ReplyEvent]) -> Reply:
    reply: Reply | None = None
    async for event in events:
        if event.kind == "done":
            reply = event.reply
    assert reply is not None
    return reply
