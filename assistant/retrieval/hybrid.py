"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings merged by reciprocal rank fusion."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from rank_bm25 import BM25Okapi

from assistant.knowledge.chunking import Chunk
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.sentences import ScoredSentence, SentenceIndex
from assistant.retrieval.store import ChromaStore

TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "it",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "how",
        "what",
        "when",
        "where",
        "who",
        "why",
        "which",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "not",
        "no",
        "as",
        "if",
        "so",
        "than",
        "then",
        "there",
        "here",
        "about",
        "into",
        "up",
        "out",
        "over",
        "under",
        "again",
        "more",
        "most",
        "some",
        "any",
        "all",
        "each",
        "other",
        "such",
        "only",
        "own",
        "same",
        "very",
        "just",
        "have",
        "has",
        "had",
        "having",
        "get",
        "got",
    ]
)
RRF_K = 60


def tokenize(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]


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


class LexicalIndex:
    """BM25 over every chunk, rebuilt lazily whenever the store's version moves."""

    def __init__(self, store: ChromaStore) -> None:
        self._store = store
        self._version = -1
        self._chunks: list[Chunk] = []
        self._bm25: BM25Okapi | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            if self._version == self._store.version and self._bm25 is not None:
                return
            chunks = self._store.all_chunks()
            self._chunks = chunks
            corpus = [tokenize(c.embedding_text()) for c in chunks] or [[""]]
            self._bm25 = BM25Okapi(corpus)
            self._version = self._store.version

    def search(self, query: str, k: int, where: dict[str, str] | None) -> list[tuple[Chunk, float]]:
        self._refresh()
        terms = tokenize(query)
        if not terms or self._bm25 is None or not self._chunks:
            return []
        scores = self._bm25.get_scores(terms)
        ranked = sorted(range(len(self._chunks)), key=lambda i: -scores[i])
        hits = []
        for i in ranked:
            if scores[i] <= 0:
                break
            chunk = self._chunks[i]
            if where and any(getattr(chunk, key) not in _allowed(value) for key, value in where.items()):
                continue
            hits.append((chunk, float(scores[i])))
            if len(hits) == k:
                break
        return hits


def _allowed(value: Any) -> set[str]:
    return set(value) if isinstance(value, list | tuple | set) else {value}


def _chroma_where(filters: dict[str, Any]) -> dict[str, Any] | None:
    clauses = [{key: {"$in": sorted(_allowed(value))}} for key, value in filters.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class HybridRetriever:
    def __init__(self, store: ChromaStore, embedder: Embedder, candidates: int = 10) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = LexicalIndex(store)
        self.sentence_index = SentenceIndex(store)
        self.candidates = candidates

    def retrieve(self, query: str, k: int = 5, audience: str | None = None, topic: str | None = None) -> Retrieval:
        """Top-k passages; ``audience`` keeps passages for that audience and for everyone."""
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
        pool = max(self.candidates, k)
        dense = self.store.query(vector, pool, _chroma_where(filters))
        timings["vector_search"] = _since(started)
        started = time.perf_counter()
        lexical = self.lexical.search(query, pool, filters)
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
        sentences = self.sentence_index.score(top, vector)
        timings["sentence_scoring"] = _since(started)
        best = max((s for _, s in dense), default=0.0)
        return Retrieval(passages, best, sentences, timings)


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
