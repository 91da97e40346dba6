"""The QA and safety datasets as typed cases (the skill and privacy sets are read by their own modules).

A case's ``input_sha256`` is the hash of what the pipeline is given (question, role); a recording stores
it, so a case edited after recording is reported as stale instead of being compared with the wrong answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
RECORDED_DATASETS = ("qa", "safety")
REPEAT = re.compile(r"<REPEAT:(.*):(\d+)>", re.DOTALL)
REPEAT_TOKEN = re.compile(r"<REPEAT:[^>]*>")


@dataclass(frozen=True)
class Reference:
    source: str
    section: str

    def matches(self, source: str, section: str) -> bool:
        """A chunk answers this reference when its file is the same and its section is it or one of its parts.

        "Part" means a sub-heading ("H2 > H3" starts with "H2 > "), so "Goals" does not match "Goals of ...".
        """
        return source == self.source and (section == self.section or section.startswith(f"{self.section} > "))


@dataclass(frozen=True)
class Case:
    """One message sent through the answering pipeline."""

    dataset: str
    id: str
    text: str
    role: str | None
    in_scope: bool | None = None
    reference_answer: str = ""
    references: tuple[Reference, ...] = ()
    kind: str = ""
    expect: str = ""
    must_not_contain: tuple[str, ...] = ()

    @property
    def input_sha256(self) -> str:
        payload = json.dumps({"text": self.text, "role": self.role}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def expand_repeats(text: str) -> str:
    """Expand each ``<REPEAT:s:N>`` token: ``s`` runs from the first ':' to the last ':' before '>'."""

    def expand(token: re.Match[str]) -> str:
        inner = REPEAT.fullmatch(token.group(0))
        if inner is None:
            raise ValueError(f"malformed REPEAT token {token.group(0)[:40]!r}")
        return inner.group(1) * int(inner.group(2))

    return REPEAT_TOKEN.sub(expand, text)


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def load_qa(datasets_dir: Path = DATASETS_DIR) -> list[Case]:
    cases = []
    for raw in _read(datasets_dir / "qa.yaml")["cases"]:
        references = tuple(Reference(r["source"], r["section"]) for r in raw.get("reference_sections") or [])
        cases.append(
            Case(
                dataset="qa",
                id=raw["id"],
                text=raw["question"],
                role=raw.get("role"),
                in_scope=bool(raw["in_scope"]),
                reference_answer=raw.get("reference_answer") or "",
                references=references,
            )
        )
    return cases


def load_safety(datasets_dir: Path = DATASETS_DIR) -> list[Case]:
    """Safety messages are sent without a role, like ``POST /ask`` from an admin."""
    return [
        Case(
            dataset="safety",
            id=raw["id"],
            text=expand_repeats(raw["text"]),
            role=None,
            kind=raw["kind"],
            expect=raw["expect"],
            must_not_contain=tuple(raw.get("must_not_contain") or ()),
        )
        for raw in _read(datasets_dir / "safety.yaml")["cases"]
    ]


def load_cases(dataset: str, datasets_dir: Path = DATASETS_DIR) -> list[Case]:
    loaders = {"qa": load_qa, "safety": load_safety}
    if dataset not in loaders:
        raise ValueError(f"unknown dataset {dataset!r}; recorded datasets are {', '.join(RECORDED_DATASETS)}")
    return loaders[dataset](datasets_dir)
