"""An in-memory copy of the index: chunk vectors, BM25 and sentence vectors, reloaded when it changes.

The store (Chroma) stays the record; the mirror makes dense search a matrix product instead of a
round trip, and gives the lexical and sentence-level scorers something to work on. At the sizes a
program's guidelines reach (thousands of chunks), all of it fits in a few megabytes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

from assistant.knowledge.chunking import Chunk, Sentence
from assistant.retrieval.store import VectorStore

TOKEN = re.compile(r"[a-z0-9]+")
_STOPWORDS_TEXT = (
    "a an the and or of to in on for with at by from is are was were be been am do does did i me my we our "
    "you your he she it they them their this that these those how what when where who why which can could "
    "should would will shall may might must not no as if so than then there here about into up out over "
    "under again more most some any all each other such only own same very just have has had having get got"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def tokenize(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]


@dataclass
class Snapshot:
    chunks: list[Chunk] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))
    bm25: BM25Okapi | None = None
    sentences: list[Sentence] = field(default_factory=list)
    sentence_matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))
    sentence_rows: dict[str, list[int]] = field(default_factory=dict)

    def mask(self, filters: dict[str, Any]) -> np.ndarray:
        keep = np.ones(len(self.chunks), dtype=bool)
        for key, value in filters.items():
            allowed = set(value) if isinstance(value, list | tuple | set) else {value}
            keep &= np.array([getattr(c, key) in allowed for c in self.chunks], dtype=bool)
        return keep


class IndexMirror:
    def __init__(self, store: VectorStore) -> None:
        self.store = store
        self._generation: tuple[int, int] | None = None
        self._snapshot = Snapshot()
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        generation = self.store.generation()
        if generation == self._generation:
            return self._snapshot
        with self._lock:
            if generation != self._generation:
                self._snapshot = self._load()
                self._generation = generation
        return self._snapshot

    def _load(self) -> Snapshot:
        chunks, matrix = self.store.all_chunks_with_vectors()
        sentences, sentence_matrix = self.store.all_sentences()
        rows: dict[str, list[int]] = {}
        for row, sentence in enumerate(sentences):
            rows.setdefault(sentence.chunk_id, []).append(row)
        for indexes in rows.values():
            indexes.sort(key=lambda r: sentences[r].position)
        bm25 = BM25Okapi([tokenize(c.embedding_text()) or [""] for c in chunks]) if chunks else None
        return Snapshot(chunks, matrix, bm25, sentences, sentence_matrix, rows)
