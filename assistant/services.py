"""Builds the expensive collaborators once (engine, vector store, embedding model, chat model)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.coaching.modes import SkillRouter
from assistant.coaching.qa import QAService
from assistant.config import Settings
from assistant.db.engine import make_db_factory, make_engine, prepare_schema
from assistant.knowledge.ingest import IngestSummary, ProgressCallback, ingest_paths
from assistant.llm.providers import make_chat_model, make_gateway
from assistant.privacy.log_filter import install_log_filter
from assistant.retrieval.embeddings import Embedder, get_embedder
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.store import ChromaStore, make_vector_store
from assistant.themes.events import ThemeLogger
from assistant.themes.queue import make_theme_queue
from assistant.turns import TurnPipeline

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.privacy.anonymize import Anonymizer
    from assistant.program.skills import SkillCatalog
    from assistant.themes.classify import ThemeClassifier

log = logging.getLogger(__name__)
_DEFAULT = object()
T = TypeVar("T")


class Lazy(Generic[T]):
    """Builds a value on first use, once, even when threads ask at the same time."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._value is not None

    def get(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value


@dataclass
class Services:
    settings: Settings
    engine: Engine
    db_factory: sessionmaker[Session]
    store: ChromaStore
    embedder: Embedder
    retriever: HybridRetriever
    qa: QAService
    skills: SkillRouter
    themes: ThemeLogger
    anonymizer: Lazy[Anonymizer]
    turns: TurnPipeline

    @cached_property
    def skill_catalog(self) -> SkillCatalog:
        """The skills list profiles are checked against (``SKILLS_PATH``, or the shipped one)."""
        from assistant.program.skills import load_skills

        return load_skills(self.settings.skills_path)

    def ingest(self, paths: list | None = None, on_progress: ProgressCallback | None = None) -> IngestSummary:
        return ingest_paths(paths or [self.settings.knowledge_dir], self.store, self.embedder, on_progress)

    def ensure_knowledge(self) -> IngestSummary:
        """Bring the index up to date with ``knowledge_dir`` (on a warm index this embeds nothing).

        Run at every start: the first start indexes everything, a later one picks up edited
        guidelines or a new chunker/model version.
        """
        summary = self.ingest()
        log.info("knowledge base index: %s", summary.line())
        return summary

    def close(self) -> None:
        self.themes.close()
        self.engine.dispose()


def build_services(
    settings: Settings,
    *,
    chat_model: BaseChatModel | object | None = _DEFAULT,
    embedder: Embedder | None = None,
    run_migrations: bool = True,
) -> Services:
    install_log_filter()
    engine = make_engine(settings.sqlalchemy_url)
    if run_migrations:
        prepare_schema(engine)
    store = make_vector_store(settings.chroma_url, settings.chroma_path, settings.chroma_collection)
    embedder = embedder or get_embedder(settings.embedding_threads)
    retriever = HybridRetriever(store, embedder)
    model = make_chat_model(settings) if chat_model is _DEFAULT else cast("BaseChatModel | None", chat_model)
    db_factory = make_db_factory(engine)
    anonymizer = Lazy(lambda: _build_anonymizer(settings, db_factory))
    scrub = (lambda text: anonymizer.get().scrub(text)) if settings.scrub_before_llm and model is not None else None
    gateway = make_gateway(settings, model, scrub) if model is not None else None
    qa = QAService(
        retriever,
        settings.prompts_dir,
        settings.knowledge_dir,
        gateway=gateway,
        top_k=settings.retrieval_top_k,
    )
    skills = SkillRouter(qa, settings.knowledge_dir, gateway=gateway)
    themes = ThemeLogger(
        db_factory,
        settings.theme_hmac_secret,
        lambda: _build_classifier(settings, embedder),
        in_process=settings.theme_worker == "in-process",
        queue=make_theme_queue(settings.redis_url, settings.theme_stream, settings.theme_claim_idle_seconds),
        stale_after_s=settings.theme_claim_idle_seconds,
    )
    turns = TurnPipeline(db_factory, skills, themes, settings.knowledge_dir, settings.max_message_chars)
    return Services(settings, engine, db_factory, store, embedder, retriever, qa, skills, themes, anonymizer, turns)


def _build_classifier(settings: Settings, embedder: Embedder) -> ThemeClassifier:
    from assistant.themes.classify import ThemeClassifier

    return ThemeClassifier(settings.theme_taxonomy_path, embedder)


def _build_anonymizer(settings: Settings, db_factory: sessionmaker[Session]) -> Anonymizer:
    """The anonymizer, with every participant's name on its roster (Presidio takes seconds to load)."""
    from assistant.db import crud
    from assistant.privacy.anonymize import DEFAULT_ID_PATTERNS, Anonymizer

    with db_factory() as db:
        names = [user.name for user in crud.list_users(db) if user.name not in crud.LOCAL_PARTICIPANTS.values()]
    return Anonymizer(names, id_patterns=[*DEFAULT_ID_PATTERNS, *settings.pii_id_patterns])
