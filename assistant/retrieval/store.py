"""The vector store behind a small interface: Chroma embedded (default) or a Chroma server by URL."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

from assistant.knowledge.chunking import Chunk, Sentence


class StoreUnavailableError(Exception):
    """The vector store cannot be reached (a stopped Chroma server, say)."""


@dataclass(frozen=True)
class StoredFile:
    file_hash: str
    chunk_count: int
    chunks_present: int

    @property
    def complete(self) -> bool:
        return self.chunks_present == self.chunk_count


class VectorStore(Protocol):
    version: int
    local: bool

    def generation(self) -> tuple[int, int]: ...
    def all_chunks_with_vectors(self) -> tuple[list[Chunk], np.ndarray]: ...
    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None: ...
    def add_sentences(self, sentences: Sequence[Sentence], vectors: np.ndarray) -> None: ...
    def all_sentences(self) -> tuple[list[Sentence], np.ndarray]: ...
    def delete_source(self, source: str) -> None: ...
    def files(self) -> dict[str, StoredFile]: ...
    def all_chunks(self) -> list[Chunk]: ...
    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[Chunk, float]]: ...
    def ping(self) -> None: ...


class ChromaStore:
    """Chroma with cosine distance; embeddings are always passed in, never computed by Chroma.

    Two collections: the chunks, and their sentences (which the offline composer quotes and the
    retriever uses to rerank). A file counts as indexed once all its chunks are present, and its
    sentences are written first, so an interrupted ingest never leaves a file looking complete.
    """

    def __init__(
        self, client: Any, collection_name: str, marker: Path | None = None, recheck_seconds: float = 5.0
    ) -> None:
        self._client = client
        self._name = collection_name
        self._collection: Any = None
        self._sentences: Any = None
        self._marker = marker
        self._recheck_seconds = recheck_seconds
        self._remote = (0.0, -1)
        self.version = 0
        self.local = marker is not None

    def _changed(self) -> None:
        self.version += 1
        if self._marker is not None:
            self._marker.write_text(str(time.time_ns()))

    def generation(self) -> tuple[int, int]:
        """Changes whenever the index may have changed, in this process or another.

        Embedded: a marker file that every write touches (another process may run ``tandem ingest``).
        Server: the collection size, re-read every few seconds.
        """
        if self._marker is not None:
            try:
                return self.version, self._marker.stat().st_mtime_ns
            except FileNotFoundError:
                return self.version, 0
        checked, count = self._remote
        if time.monotonic() - checked > self._recheck_seconds:
            count = self.count() + self.sentence_collection.count()
            self._remote = (time.monotonic(), count)
        return self.version, count

    def _open(self, name: str) -> Any:
        return self._call(
            self._client.get_or_create_collection,
            name=name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine"},
        )

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self._open(self._name)
        return self._collection

    @property
    def sentence_collection(self) -> Any:
        if self._sentences is None:
            self._sentences = self._open(f"{self._name}-sentences")
        return self._sentences

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ConnectionError, OSError) as exc:
            raise StoreUnavailableError(str(exc)) from exc
        except Exception as exc:
            if type(exc).__module__.startswith(("httpx", "httpcore")) or "connect" in str(exc).lower():
                self._collection = self._sentences = None
                raise StoreUnavailableError(str(exc)) from exc
            raise

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        if not chunks:
            return
        self._call(
            self.collection.upsert,
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            metadatas=[c.metadata() for c in chunks],
            embeddings=vectors.tolist(),
        )
        self._changed()

    def add_sentences(self, sentences: Sequence[Sentence], vectors: np.ndarray) -> None:
        for start in range(0, len(sentences), 1000):
            batch = sentences[start : start + 1000]
            self._call(
                self.sentence_collection.upsert,
                ids=[s.id for s in batch],
                documents=[s.text for s in batch],
                metadatas=[{"chunk_id": s.chunk_id, "source": s.source, "position": s.position} for s in batch],
                embeddings=vectors[start : start + 1000].tolist(),
            )
        self._changed()

    def all_sentences(self) -> tuple[list[Sentence], np.ndarray]:
        rows = self._call(self.sentence_collection.get, include=["metadatas", "documents", "embeddings"])
        sentences = [
            Sentence(str(m["chunk_id"]), str(m["source"]), int(m["position"]), d)
            for d, m in zip(rows["documents"], rows["metadatas"], strict=True)
        ]
        embeddings = rows["embeddings"]
        matrix = np.asarray(embeddings, dtype=np.float32) if len(sentences) else np.zeros((0, 384), np.float32)
        return sentences, matrix

    def delete_source(self, source: str) -> None:
        self._call(self.collection.delete, where={"source": source})
        self._call(self.sentence_collection.delete, where={"source": source})
        self._changed()

    def files(self) -> dict[str, StoredFile]:
        rows = self._call(self.collection.get, include=["metadatas"])
        counts: dict[tuple[str, str], int] = {}
        expected: dict[tuple[str, str], int] = {}
        for meta in rows["metadatas"] or []:
            key = (str(meta["source"]), str(meta["file_hash"]))
            counts[key] = counts.get(key, 0) + 1
            expected[key] = int(meta["chunk_count"])
        result: dict[str, StoredFile] = {}
        for (source, file_hash), present in counts.items():
            if source in result:  # two versions of one file: an interrupted ingest; never complete
                result[source] = StoredFile("", -1, present + result[source].chunks_present)
            else:
                result[source] = StoredFile(file_hash, expected[(source, file_hash)], present)
        return result

    def all_chunks_with_vectors(self) -> tuple[list[Chunk], np.ndarray]:
        rows = self._call(self.collection.get, include=["metadatas", "documents", "embeddings"])
        chunks = [
            Chunk.from_metadata(i, d, m)
            for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)
        ]
        matrix = np.asarray(rows["embeddings"], dtype=np.float32) if chunks else np.zeros((0, 384), np.float32)
        return chunks, matrix

    def all_chunks(self) -> list[Chunk]:
        rows = self._call(self.collection.get, include=["metadatas", "documents"])
        return [
            Chunk.from_metadata(i, d, m)
            for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)
        ]

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[Chunk, float]]:
        rows = self._call(
            self.collection.query,
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=where or None,
            include=["metadatas", "documents", "distances"],
        )
        return [
            (Chunk.from_metadata(i, d, m), 1.0 - float(dist))
            for i, d, m, dist in zip(
                rows["ids"][0], rows["documents"][0], rows["metadatas"][0], rows["distances"][0], strict=True
            )
        ]

    def count(self) -> int:
        return int(self._call(self.collection.count))

    def ping(self) -> None:
        self._call(self._client.heartbeat)


def make_vector_store(chroma_url: str, path: Path, collection: str) -> ChromaStore:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        client = chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    else:
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        return ChromaStore(client, collection, marker=path / f".{collection}.generation")
    return ChromaStore(client, collection)
