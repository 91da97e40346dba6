"""Prompt templates are files in ``prompts/``; each carries its name and content hash for provenance."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class PromptFile:
    name: str
    template: str
    sha256: str

    def render(self, **values: str) -> str:
        return self.template.format(**values)


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int) -> PromptFile:
    text = path.read_text(encoding="utf-8")
    return PromptFile(path.stem, text, hashlib.sha256(text.encode()).hexdigest())


def load_prompt(prompts_dir: Path, name: str) -> PromptFile:
    path = prompts_dir / f"{name}.md"
    return _read(path, path.stat().st_mtime_ns)
