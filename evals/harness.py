"""Run eval cases through the real answering pipeline, exactly as ``POST /ask`` does.

Every case passes the API's own validation first (``AskIn``): a message the API refuses (for example
one longer than 4,000 characters) gets the outcome the API gives, a clean rejection, and never reaches
the pipeline. Accepted messages are answered by ``QAService.stream`` of services built by
``build_services``; only the chat model is swapped (a recorder or a replayer).

Settings are pinned to the code's defaults, not read from the environment: an eval measures the
shipped configuration, and a replay must not change because someone exported ``RETRIEVAL_TOP_K``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError

from assistant.answers.plan import AnswerPlan
from assistant.api.schemas import AskIn
from assistant.coaching.qa import QAService, Reply, collect
from assistant.config import PROJECT_ROOT, Settings
from assistant.services import Services, build_services
from evals.cases import Case

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.retrieval.embeddings import Embedder

log = logging.getLogger(__name__)
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "evals"
PINNED_DEFAULTS = (
    "retrieval_top_k",
    "llm_max_tokens",
    "llm_timeout_seconds",
    "llm_max_retries",
    "scrub_before_llm",
    "chroma_url",
    "chroma_collection",
    "max_message_chars",
)


def eval_settings(
    data_dir: Path,
    *,
    provider: str = "offline",
    model: str = "",
    base_url: str = "",
    api_key: str = "",
    timeout_seconds: float | None = None,
    knowledge_dir: Path | None = None,
    prompts_dir: Path | None = None,
) -> Settings:
    """Settings on ``data_dir`` with every answer-changing field at its code default."""
    pinned = {name: Settings.model_fields[name].default for name in PINNED_DEFAULTS}
    overrides: dict[str, Any] = {
        "environment": "test",
        "data_dir": data_dir,
        "database_url": f"sqlite:///{data_dir / 'tandem.db'}",
        "llm_provider": provider,
        "openai_model": model or Settings.model_fields["openai_model"].default,
        "openai_base_url": base_url,
        "openai_api_key": SecretStr(api_key),
    }
    if timeout_seconds is not None:  # a slow local model: its first token and whole reply get as long
        overrides["llm_timeout_seconds"] = timeout_seconds
        overrides["llm_first_token_seconds"] = timeout_seconds
        overrides["llm_total_seconds"] = timeout_seconds
    if knowledge_dir is not None:
        overrides["knowledge_dir"] = knowledge_dir
    if prompts_dir is not None:
        overrides["prompts_dir"] = prompts_dir
    return Settings(_env_file=None, **{**pinned, **overrides})  # type: ignore[call-arg]


class RetrievalProbe:
    """Wraps the answer plan to keep the passages the pipeline ranked for the running case (the
    reranker's order, the top ``retrieval_top_k``: what the answer and its citations are drawn from)."""

    def __init__(self, qa: QAService) -> None:
        self.plan = qa.plan
        self.last: AnswerPlan | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> AnswerPlan:
        self.last = self.plan(*args, **kwargs)
        return self.last


def build_eval_services(
    settings: Settings, chat_model: BaseChatModel | None, embedder: Embedder | None = None
) -> tuple[Services, RetrievalProbe]:
    """Services with the knowledge base indexed (incrementally: a warm ``data_dir`` embeds nothing)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = build_services(settings, chat_model=chat_model, embedder=embedder, run_migrations=False)
    services.ensure_knowledge()
    probe = RetrievalProbe(services.qa)
    services.qa.plan = probe  # type: ignore[method-assign]
    return services, probe


@dataclass
class CaseRun:
    """What the pipeline did with one case: the outputs a recording stores and a replay compares."""

    dataset: str
    case_id: str
    input_sha256: str
    status: str  # "answered" or "rejected" (the API's validation refused the message)
    rejection: str = ""
    retrieved: list[str] = field(default_factory=list)
    reply: dict[str, Any] | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def outputs(self) -> dict[str, Any]:
        """The comparable part: no citation text (it is the chunk's), no model calls (compared by fingerprint)."""
        reply = None
        if self.reply is not None:
            reply = {
                **{k: self.reply[k] for k in ("text", "provider", "in_scope", "fallback")},
                "citations": [
                    {k: c.get(k) for k in ("source", "section", "chunk_id")} for c in self.reply["citations"]
                ],
            }
        return {"status": self.status, "rejection": self.rejection, "retrieved": self.retrieved, "reply": reply}

    def to_record(self) -> dict[str, Any]:
        return {"id": self.case_id, "input_sha256": self.input_sha256, **self.outputs(), "calls": self.calls}


def reply_record(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "provider": reply.provider,
        "in_scope": reply.in_scope,
        "fallback": reply.fallback,
        "citations": [dict(c) for c in reply.citations],
    }


def validation_message(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())


async def run_case(qa: QAService, probe: RetrievalProbe, case: Case) -> CaseRun:
    run = CaseRun(case.dataset, case.id, case.input_sha256, status="answered")
    try:
        message = AskIn(content=case.text, role=case.role)  # type: ignore[arg-type]
    except ValidationError as error:
        run.status, run.rejection = "rejected", f"422 {validation_message(error)}"
        return run
    probe.last = None
    reply = await collect(qa.stream(message.content, message.role))
    run.retrieved = [p.chunk.id for p in probe.last.passages] if probe.last is not None else []
    run.reply = reply_record(reply)
    return run


async def run_cases(
    qa: QAService,
    probe: RetrievalProbe,
    cases: Sequence[Case],
    *,
    before: Callable[[Case], None] | None = None,
    after: Callable[[Case, CaseRun], None] | None = None,
) -> list[CaseRun]:
    """Cases one after another in one event loop (an async HTTP client must not outlive its loop)."""
    runs = []
    for case in cases:
        if before is not None:
            before(case)
        run = await run_case(qa, probe, case)
        if after is not None:
            after(case, run)
        runs.append(run)
    return runs


def run_all(qa: QAService, probe: RetrievalProbe, cases: Sequence[Case], **hooks: Any) -> list[CaseRun]:
    return asyncio.run(run_cases(qa, probe, cases, **hooks))
