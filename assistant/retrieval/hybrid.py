"""Hybrid retrieval: dense and lexical (BM25) rankings merged by reciprocal rank fusion."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.knowledge.chunking import Chunk
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.mirror import IndexMirror, Snapshot, tokenize
from assistant.retrieval.store import ChromaStore

__all__ = ["HybridRetriever", "Passage", "Retrieval", "ScoredSentence", "tokenize"]
RRF_K = 60


@dataclass(frozen=True)
class ScoredSentence:
    chunk_id: str
    position: int
    text: str
    similarity: float


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    score: float
    dense_similarity: float
    lexical_score: float

    @property
    def source(self) -> str:
        return self.chunk.source

    @property
    def section(self) -> str:
        return self.chunk.section


@dataclass
class Retrieval:
    passages: list[Passage]
    best_similarity: float
    sentences: dict[str, list[ScoredSentence]] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    vector: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    """The query's embedding (the answer heads read it instead of embedding the query again)."""


def _chroma_where(filters: dict[str, Any]) -> dict[str, Any] | None:
    clauses = [{key: {"$in": sorted(_allowed(value))}} for key, value in filters.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _allowed(value: Any) -> set[str]:
    return set(value) if isinstance(value, list | tuple | set) else {value}


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    candidates = np.argpartition(-scores, k)[:k]
    return candidates[np.argsort(-scores[candidates], kind="stable")]


class HybridRetriever:
    """Dense search runs on the in-memory mirror for an embedded store, on Chroma for a Chroma server
    (the server is the shared record there). Retrievals are cached per question until the index changes.
    """

    def __init__(self, store: ChromaStore, embedder: Embedder, candidates: int = 10, cache_size: int = 1024) -> None:
        self.store = store
        self.embedder = embedder
        self.mirror = IndexMirror(store)
        self.candidates = candidates
        self._cache: OrderedDict[tuple[Any, ...], Retrieval] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def retrieve(self, query: str, k: int = 5, audience: str | None = None, topic: str | None = None) -> Retrieval:
        """Top-k passages; ``audience`` keeps passages for that audience and for everyone."""
        key = (" ".join(query.lower().split()), k, audience, topic, self.store.generation())
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        retrieval = self._retrieve(query, k, audience, topic)
        with self._lock:
            self._cache[key] = retrieval
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return retrieval

    def _retrieve(self, query: str, k: int, audience: str | None, topic: str | None) -> Retrieval:
        filters: dict[str, Any] = {}
        if audience:
            filters["audience"] = [audience, "all"]
        if topic:
            filters["topic"] = topic
        timings: dict[str, float] = {}
        started = time.perf_counter()
        vector = self.embedder.embed([query])[0]
        timings["embed"] = _since(started)
        started = time.perf_counter()
        snapshot = self.mirror.snapshot()
        mask = snapshot.mask(filters)
        pool = max(self.candidates, k)
        dense = self._dense(snapshot, vector, mask, pool, filters)
        timings["vector_search"] = _since(started)
        started = time.perf_counter()
        lexical = self._lexical(snapshot, query, mask, pool)
        timings["lexical_search"] = _since(started)
        started = time.perf_counter()
        chunks: dict[str, Chunk] = {c.id: c for c, _ in [*dense, *lexical]}
        similarity = {c.id: s for c, s in dense}
        bm25 = {c.id: s for c, s in lexical}
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (chunk, _) in enumerate(ranking):
                fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (RRF_K + rank + 1)
        top = sorted(fused, key=lambda cid: -fused[cid])[:k]
        passages = [Passage(chunks[cid], fused[cid], similarity.get(cid, 0.0), bm25.get(cid, 0.0)) for cid in top]
        timings["fusion"] = _since(started)
        started = time.perf_counter()
        sentences = score_sentences(snapshot, top, vector)
        timings["sentence_scoring"] = _since(started)
        best = max((s for _, s in dense), default=0.0)
        return Retrieval(passages, best, sentences, timings, vector)

    def _dense(
        self, snapshot: Snapshot, vector: np.ndarray, mask: np.ndarray, pool: int, filters: dict[str, Any]
    ) -> list[tuple[Chunk, float]]:
        if not self.store.local:
            return self.store.query(vector, pool, _chroma_where(filters))
        if not snapshot.chunks:
            return []
        scores = np.where(mask, snapshot.matrix @ vector, -np.inf)
        return [(snapshot.chunks[i], float(scores[i])) for i in _top(scores, pool) if np.isfinite(scores[i])]

    @staticmethod
    def _lexical(snapshot: Snapshot, query: str, mask: np.ndarray, pool: int) -> list[tuple[Chunk, float]]:
        terms = tokenize(query)
        if not terms or snapshot.bm25 is None:
            return []
        scores = np.where(mask, snapshot.bm25.get_scores(terms), 0.0)
        return [(snapshot.chunks[i], float(scores[i])) for i in _top(scores, pool) if scores[i] > 0]


def score_sentences(snapshot: Snapshot, chunk_ids: list[str], vector: np.ndarray) -> dict[str, list[ScoredSentence]]:
    """Each chunk's sentences in reading order, with their cosine similarity to the query."""
    wanted = [(cid, snapshot.sentence_rows.get(cid, [])) for cid in chunk_ids]
    flat = [r for _, rows in wanted for r in rows]
    similarities = snapshot.sentence_matrix[flat] @ vector if flat else np.zeros(0, dtype=np.float32)
    result: dict[str, list[ScoredSentence]] = {}
    offset = 0
    for cid, rows in wanted:
        result[cid] = []
        for i, row in enumerate(rows):
            sentence = snapshot.sentences[row]
            result[cid].append(ScoredSentence(cid, sentence.position, sentence.text, float(similarities[offset + i])))
        offset += len(rows)
    return result


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
