"""From a question (and the turn before it) to an answer plan: sections, sentences, scope, follow-up.

The stages run in order and each is a plain function of the one before, so training
(``evals/answer_training.py``) builds every head's rows with exactly the code that serves them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answers.features import (
    CHUNK_SCALARS,
    Candidate,
    SentenceCandidate,
    Vectors,
    chunk_features,
    followup_features,
    scope_features,
    sentence_candidates,
    sentence_features,
)
from assistant.answers.memory import QuestionMemory, section_key, sentence_key
from assistant.answers.model import AnswerModel
from assistant.retrieval.hybrid import HybridRetriever, Passage, Retrieval

POOL = 20
"""Chunks the reranker sees: the union of the dense and lexical candidates."""
SELECT_FROM = 3
"""Reranked chunks whose sentences the selector reads."""
MAX_SUPPORT = 2
SUPPORT_FLOOR = 0.3
"""A support's probability, at least this share of the lead's."""
HEADING_SIM = CHUNK_SCALARS.index("heading_sim")
OVERLAP_TEXT = CHUNK_SCALARS.index("overlap_text")


@dataclass
class Analysis:
    """One query's candidates and what the heads said of them (probabilities are empty until scored)."""

    query: str
    cue_text: str
    vector: np.ndarray
    retrieval: Retrieval
    candidates: list[Candidate]
    chunk_rows: np.ndarray
    memory: QuestionMemory
    memory_sims: np.ndarray
    chunk_probabilities: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    order: list[int] = field(default_factory=list)
    sentences: list[SentenceCandidate] = field(default_factory=list)
    sentence_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    sentence_probabilities: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    scope_row: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    scope_probability: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def rerank_top(self) -> float:
        return float(self.chunk_probabilities.max()) if len(self.chunk_probabilities) else 0.0

    @property
    def select_top(self) -> float:
        return float(self.sentence_probabilities.max()) if len(self.sentence_probabilities) else 0.0

    @property
    def dense_max(self) -> float:
        return max((c.dense for c in self.candidates), default=0.0)

    def ranked_passages(self, k: int) -> list[Passage]:
        by_id = {p.chunk.id: p for p in self.retrieval.passages}
        return [by_id[self.candidates[i].chunk.id] for i in self.order[:k]]


@dataclass(frozen=True)
class Chosen:
    sentence: SentenceCandidate
    probability: float


@dataclass
class AnswerPlan:
    analysis: Analysis
    passages: list[Passage]
    chosen: list[Chosen]
    in_scope: bool
    followup: bool
    followup_probability: float = 0.0


class Answerer:
    """Runs the heads over a retrieval; one per process (it keeps the section headings' vectors)."""

    def __init__(self, retriever: HybridRetriever, model: AnswerModel, memory: QuestionMemory) -> None:
        self.retriever = retriever
        self.model = model
        self.memory = memory
        self._headings: dict[str, np.ndarray] = {}
        self._vectors: Vectors | None = None
        self._lock = threading.Lock()

    # --- stages -------------------------------------------------------------------------------------
    def candidates(self, query: str, cue_text: str, audience: str | None) -> Analysis:
        retrieval = self.retriever.retrieve(query, k=POOL, audience=audience)
        vector = np.asarray(retrieval.vector, np.float32)
        vectors = self.vectors()
        candidates = [
            Candidate(p.chunk, vectors.row_of[p.chunk.id], p.dense_similarity, p.lexical_score)
            for p in retrieval.passages
            if p.chunk.id in vectors.row_of
        ]
        if candidates and not any(c.dense for c in candidates):  # a Chroma server gave no similarities
            for candidate in candidates:
                candidate.dense = float(vectors.snapshot.matrix[candidate.row] @ vector)
        memory = self.memory
        sims = memory.similarities(vector)
        remembered = memory.section_features(
            sims, [section_key(c.chunk.source, c.chunk.section) for c in candidates], vector
        )
        rows = chunk_features(vector, cue_text, candidates, vectors, remembered)
        return Analysis(query, cue_text, vector, retrieval, candidates, rows, memory, sims)

    def rerank(self, analysis: Analysis) -> Analysis:
        analysis.chunk_probabilities = self.model["rerank"].probabilities(analysis.chunk_rows)
        analysis.order = sorted(range(len(analysis.candidates)), key=lambda i: -analysis.chunk_probabilities[i])
        return analysis

    def sentence_rows(self, analysis: Analysis) -> Analysis:
        top = [analysis.candidates[i].chunk for i in analysis.order[:SELECT_FROM]]
        probabilities = [float(analysis.chunk_probabilities[i]) for i in analysis.order[:SELECT_FROM]]
        snapshot = self.vectors().snapshot
        analysis.sentences = sentence_candidates(top, snapshot)
        remembered = analysis.memory.sentence_features(
            analysis.memory_sims, [sentence_key(s.text) for s in analysis.sentences]
        )
        analysis.sentence_rows = sentence_features(
            analysis.vector, analysis.cue_text, analysis.sentences, probabilities, snapshot, remembered
        )
        return analysis

    def select(self, analysis: Analysis) -> Analysis:
        analysis.sentence_probabilities = self.model["select"].probabilities(analysis.sentence_rows)
        return analysis

    def scope_row(self, analysis: Analysis, text: str) -> Analysis:
        """The scope head reads the best of the candidates' heading similarity and word overlap, which the
        reranker's rows already hold."""
        rows = analysis.chunk_rows
        analysis.scope_row = scope_features(
            analysis.vector,
            text,
            analysis.dense_max,
            float(rows[:, HEADING_SIM].max()) if len(rows) else 0.0,
            analysis.rerank_top,
            analysis.select_top,
            max((c.lexical for c in analysis.candidates), default=0.0),
            float(rows[:, OVERLAP_TEXT].max()) if len(rows) else 0.0,
            analysis.memory.scope_features(analysis.memory_sims),
        )
        return analysis

    def scope(self, analysis: Analysis) -> Analysis:
        analysis.scope_probability = self.model["scope"].probability(analysis.scope_row)
        return analysis

    def analyse(self, query: str, cue_text: str, audience: str | None) -> Analysis:
        started = time.perf_counter()
        analysis = self.candidates(query, cue_text, audience)
        heads_started = time.perf_counter()
        self.rerank(analysis)
        self.sentence_rows(analysis)
        self.select(analysis)
        self.scope_row(analysis, query)
        self.scope(analysis)
        done = time.perf_counter()
        analysis.timings_ms = {
            **analysis.retrieval.timings_ms,
            "candidate features": (heads_started - started) * 1000 - sum(analysis.retrieval.timings_ms.values()),
            "rerank, select and scope": (done - heads_started) * 1000,
        }
        return analysis

    # --- the whole plan -----------------------------------------------------------------------------
    def plan(self, question: str, audience: str | None, previous: str = "", top_k: int = 5) -> AnswerPlan:
        """``previous`` is the participant's message before this one in the same conversation, if any."""
        alone = self.analyse(question, question, audience)
        analysis, followup, probability = alone, False, 0.0
        if previous.strip():
            joined = self.analyse(join_turns(previous, question), question, audience)
            row = followup_row(question, previous, alone, joined)
            probability = self.model["followup"].probability(row)
            if probability >= self.model["followup"].threshold:
                analysis, followup = joined, True
        in_scope = bool(analysis.candidates) and analysis.scope_probability >= self.model["scope"].threshold
        return AnswerPlan(
            analysis,
            analysis.ranked_passages(top_k),
            choose(analysis) if in_scope else [],
            in_scope,
            followup,
            probability,
        )

    def vectors(self) -> Vectors:
        """The snapshot's vectors, rebuilt only when the index changed (headings embedded once each)."""
        snapshot = self.retriever.mirror.snapshot()
        cached = self._vectors
        if cached is not None and cached.snapshot is snapshot:
            return cached
        with self._lock:
            missing = sorted({c.section for c in snapshot.chunks} - set(self._headings))
            if missing:
                embedded = self.retriever.embedder.embed(missing)
                self._headings.update(
                    {name: np.asarray(v, np.float32) for name, v in zip(missing, embedded, strict=True)}
                )
            self._vectors = Vectors(snapshot, self._headings)
            return self._vectors


def join_turns(previous: str, question: str) -> str:
    return f"{previous.strip()} {question.strip()}"


def followup_row(question: str, previous: str, alone: Analysis, joined: Analysis) -> np.ndarray:
    return followup_features(
        question,
        previous,
        alone.scope_probability,
        alone.dense_max,
        joined.dense_max,
        alone.rerank_top,
        joined.rerank_top,
    )


def choose(analysis: Analysis) -> list[Chosen]:
    """The sentence that answers first, then the two next most likely to answer (the composer puts
    them in reading order). A support must reach ``SUPPORT_FLOOR`` of the lead's probability.

    Supports are not held to the selector's own threshold nor to the lead's section: both kept the
    answering sentence out more often than they kept noise out (on the dev split, states the fact
    0.352 with them, 0.430 without)."""
    if not analysis.sentences:
        return []
    probabilities = analysis.sentence_probabilities
    ranked = sorted(range(len(analysis.sentences)), key=lambda i: -probabilities[i])
    floor = SUPPORT_FLOOR * float(probabilities[ranked[0]])
    picked = [ranked[0], *[i for i in ranked[1:] if probabilities[i] >= floor][:MAX_SUPPORT]]
    return [Chosen(analysis.sentences[i], float(probabilities[i])) for i in picked]


def previous_question(history: Sequence[tuple[str, str]]) -> str:
    """The participant's last message before this one (``history`` is oldest first, as (role, text))."""
    return next((text for role, text in reversed(history) if role == "user"), "")
