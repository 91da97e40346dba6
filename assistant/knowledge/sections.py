"""Cite a known guideline section directly, without a vector search (skills that know what they rely on)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.knowledge.chunking import Chunk, chunk_document
from assistant.knowledge.loading import load_document


class MissingGuidelineError(LookupError):
    """A skill relies on a guideline file or section that the knowledge base does not have."""


@lru_cache(maxsize=64)
def _chunks(path: Path, mtime_ns: int) -> tuple[Chunk, ...]:
    return tuple(chunk_document(load_document(path, path.parent)))


def guideline_chunks(knowledge_dir: Path, filename: str) -> tuple[Chunk, ...]:
    path = (knowledge_dir / filename).resolve()
    if not path.is_file():
        raise MissingGuidelineError(f"{filename} is not in {knowledge_dir}")
    return _chunks(path, path.stat().st_mtime_ns)


def guideline_citation(knowledge_dir: Path, filename: str, section: str) -> dict[str, Any]:
    """The citation dict for the first chunk whose section path starts with ``section`` (case-insensitive)."""
    wanted = section.lower()
    for chunk in guideline_chunks(knowledge_dir, filename):
        if chunk.section.lower().startswith(wanted):
            return {"source": chunk.source, "section": chunk.section, "text": chunk.text, "chunk_id": chunk.id}
    raise MissingGuidelineError(f"{filename} has no section starting with {section!r}")
