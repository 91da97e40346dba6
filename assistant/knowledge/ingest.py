"""Incremental ingest: unchanged files cost nothing, changed files are replaced, deleted ones removed.

The vector store is the only record: each chunk carries its file's hash and chunk count, so a file
whose chunks are all present with the current hash is unchanged, and a file left half-written by
an interrupted ingest is simply replaced on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.knowledge.chunking import CHUNKER_VERSION, chunk_document
from assistant.knowledge.loading import UnreadableFileError, discover_files, display_source, load_document
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.store import VectorStore

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged; {self.chunks_embedded} chunks embedded"
        )
        if self.skipped:
            text += f"; {len(self.skipped)} skipped"
        return text


ProgressCallback = Callable[[str, int, int], None]


def index_fingerprint(file_hash: str, model_id: str) -> str:
    """A file counts as unchanged only if its bytes, the chunker and the embedding model are all the same."""
    return f"{CHUNKER_VERSION}:{model_id}:{file_hash}"


def ingest_paths(
    paths: Sequence[Path],
    store: VectorStore,
    embedder: Embedder,
    on_progress: ProgressCallback | None = None,
) -> IngestSummary:
    summary = IngestSummary()
    stored = store.files()
    files = list(discover_files(paths))
    seen: set[str] = set()
    for number, (path, root) in enumerate(files, start=1):
        source = display_source(path, root)
        if on_progress:
            on_progress(source, number, len(files))
        try:
            document = load_document(path, root)
        except (UnreadableFileError, OSError) as exc:
            log.warning("skipped %s: %s", source, exc)
            summary.skipped.append(f"{source}: {exc}")
            seen.add(source)  # an unreadable file keeps whatever was indexed before
            continue
        seen.add(source)
        previous = stored.get(source)
        fingerprint = index_fingerprint(document.file_hash, embedder.model_id)
        if previous and previous.complete and previous.file_hash == fingerprint:
            summary.unchanged += 1
            continue
        chunks = chunk_document(document, fingerprint)
        sentences = [sentence for chunk in chunks for sentence in chunk.sentences()]
        vectors = embedder.embed([c.embedding_text() for c in chunks])
        sentence_vectors = embedder.embed([s.text for s in sentences])
        if previous:
            store.delete_source(source)
        store.add_sentences(sentences, sentence_vectors)
        store.add(chunks, vectors)
        summary.chunks_embedded += len(chunks)
        summary.sentences_embedded += len(sentences)
        if previous:
            summary.updated += 1
        else:
            summary.added += 1

    roots = [display_source(p, p if p.is_dir() else p.parent) for p in paths if p.is_dir()]
    for source in stored:
        if source in seen:
            continue
        if any(source.startswith(root.rstrip("/") + "/") for root in roots) or source in {
            display_source(p, p.parent) for p in paths if not p.exists()
        }:
            store.delete_source(source)
            summary.removed += 1
    return summary
