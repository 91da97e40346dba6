"""Ingest speed on the shipped guidelines and on a synthetic corpus of about 1,000 chunks."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.knowledge.ingest import ingest_paths
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.store import make_vector_store


class CountingEmbedder:
    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.computed = 0

    def embed(self, texts: list[str]) -> np.ndarray:  # type: ignore[override]
        self.computed += len(texts)
        return self.inner.embed(texts)


@dataclass
class IngestFigures:
    name: str
    chunks: int
    sentences: int
    seconds: float
    reingest_seconds: float
    reingest_embeddings: int

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds


def synthetic_corpus(folder: Path, knowledge_dir: Path, files: int = 100, sections: int = 10, seed: int = 3) -> Path:
    """Markdown files whose sections (20-150 words) are sentences drawn from the real guidelines."""
    rng = random.Random(seed)
    sentences = [
        s.strip() + "."
        for path in sorted(knowledge_dir.glob("*.md"))
        for s in path.read_text().replace("\n", " ").split(". ")
        if 5 <= len(s.split()) <= 40
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        parts = [
            f"---\ntitle: Synthetic guideline {number}\naudience: all\ntopic: synthetic\n---\n# Synthetic {number}\n"
        ]
        for section in range(sections):
            words = 0
            body = []
            target = rng.randint(20, 150)
            while words < target:
                sentence = rng.choice(sentences)
                body.append(sentence)
                words += len(sentence.split())
            parts.append(f"## Section {number}-{section}\n\n{' '.join(body)}\n")
        (folder / f"synthetic-{number:03}.md").write_text("\n".join(parts))
    return folder


def measure_ingest(name: str, corpus: Path, store_dir: Path, embedder: Embedder) -> IngestFigures:
    store = make_vector_store("", store_dir, "bench")
    counting = CountingEmbedder(embedder)
    clear = getattr(embedder, "clear_cache", None)
    if clear:
        clear()
    started = time.perf_counter()
    summary = ingest_paths([corpus], store, counting)
    seconds = time.perf_counter() - started
    counting.computed = 0
    started = time.perf_counter()
    ingest_paths([corpus], store, counting)
    reingest = time.perf_counter() - started
    return IngestFigures(
        name, summary.chunks_embedded, summary.sentences_embedded, seconds, reingest, counting.computed
    )
