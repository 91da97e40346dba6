"""All indexed sentences and their vectors in memory: a few thousand rows of 384 floats at most."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from assistant.knowledge.chunking import Sentence
from assistant.retrieval.store import VectorStore


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    similarity: float


class SentenceIndex:
    """Reloaded from the store whenever its version moves (after an ingest)."""

    def __init__(self, store: VectorStore) -> None:
        self._store = store
        self._version = -1
        self._rows: dict[str, list[int]] = {}
        self._sentences: list[Sentence] = []
        self._matrix = np.zeros((0, 384), dtype=np.float32)
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            if self._version == self._store.version:
                return
            sentences, matrix = self._store.all_sentences()
            rows: dict[str, list[int]] = {}
            for row, sentence in enumerate(sentences):
                rows.setdefault(sentence.chunk_id, []).append(row)
            for indexes in rows.values():
                indexes.sort(key=lambda r: sentences[r].position)
            self._sentences, self._matrix, self._rows = sentences, matrix, rows
            self._version = self._store.version

    def score(self, chunk_ids: list[str], query_vector: np.ndarray) -> dict[str, list[ScoredSentence]]:
        """Each chunk's sentences in reading order, with their cosine similarity to the query."""
        self._refresh()
        wanted = [(cid, self._rows.get(cid, [])) for cid in chunk_ids]
        flat = [r for _, rows in wanted for r in rows]
        similarities = self._matrix[flat] @ query_vector if flat else np.zeros(0, dtype=np.float32)
        result: dict[str, list[ScoredSentence]] = {}
        offset = 0
        for cid, rows in wanted:
            result[cid] = [
                ScoredSentence(self._sentences[r], float(similarities[offset + i])) for i, r in enumerate(rows)
            ]
            offset += len(rows)
        return result
