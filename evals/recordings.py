"""A recording on disk: ``manifest.json`` (provenance) and one ``<dataset>.json`` per recorded dataset.

Per case a dataset file keeps the hash of the input, the API's outcome, the retrieved chunk ids in rank
order, the reply (text, provider, scope, citations by chunk id) and every model call: its fingerprint,
the request as sent (message text anonymized, each with the hash of its original text) and the model's
answer as received. Replies and model answers are stored verbatim, never anonymized: the safety eval
must see exactly what the model said, and a scrubbed leak would pass it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant import __version__
from assistant.knowledge.chunking import CHUNKER_VERSION
from assistant.knowledge.loading import discover_files
from evals.cases import DATASETS_DIR

FORMAT = 1
MANIFEST = "manifest.json"
PROMPTS = ("qa_system", "qa_user")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def base_url_host(base_url: str) -> str:
    """Host and port only: a URL may carry credentials or tokens in its user part or query."""
    if not base_url:
        return "api.openai.com (default)"
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


def prompt_hashes(prompts_dir: Path) -> dict[str, str]:
    return {f"{name}.md": file_sha256(prompts_dir / f"{name}.md") for name in PROMPTS}


def knowledge_hashes(knowledge_dir: Path) -> dict[str, str]:
    return {
        path.relative_to(knowledge_dir).as_posix(): file_sha256(path) for path, _ in discover_files([knowledge_dir])
    }


@dataclass
class Manifest:
    name: str
    provider: str
    model: str
    base_url_host: str
    recorded_at: str
    max_tokens: int | None
    datasets: dict[str, str]
    prompts: dict[str, str]
    knowledge: dict[str, str]
    settings: dict[str, Any]
    scrubbed: bool
    complete: bool = False  # every case of every dataset recorded (set when a recording finishes whole)
    # Outputs refreshed from the recorded model responses after Tandem's handling changed (evals/rederive.py)
    rederived: list[dict[str, Any]] = field(default_factory=list)
    tandem_version: str = __version__
    chunker_version: str = CHUNKER_VERSION
    format: int = FORMAT

    @classmethod
    def describe(
        cls,
        *,
        name: str,
        provider: str,
        model: str,
        base_url: str,
        max_tokens: int | None,
        datasets: list[str],
        prompts_dir: Path,
        knowledge_dir: Path,
        settings: dict[str, Any],
        scrubbed: bool,
        datasets_dir: Path = DATASETS_DIR,
    ) -> Manifest:
        return cls(
            name=name,
            provider=provider,
            model=model,
            base_url_host=base_url_host(base_url) if provider != "offline" else "",
            recorded_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            max_tokens=max_tokens,
            datasets={name: file_sha256(datasets_dir / f"{name}.yaml") for name in datasets},
            prompts=prompt_hashes(prompts_dir),
            knowledge=knowledge_hashes(knowledge_dir),
            settings=settings,
            scrubbed=scrubbed,
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def write_recording(directory: Path, manifest: Manifest, runs: dict[str, list[dict[str, Any]]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    _write_json(directory / MANIFEST, manifest.as_dict())
    for dataset, cases in runs.items():
        _write_json(directory / f"{dataset}.json", {"dataset": dataset, "cases": sorted(cases, key=lambda c: c["id"])})


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


@dataclass
class Recording:
    directory: Path
    manifest: Manifest
    cases: dict[str, dict[str, dict[str, Any]]]  # dataset -> case id -> recorded case

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def makes_model_calls(self) -> bool:
        return self.manifest.provider != "offline"


class RecordingError(ValueError):
    """Not a recording, or one in a format this code does not read."""


def read_recording(directory: Path) -> Recording:
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise RecordingError(f"{directory} is not a recording (no {MANIFEST})")
    raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    if raw.get("format") != FORMAT:
        raise RecordingError(f"{directory}: recording format {raw.get('format')} is not {FORMAT}; record it again")
    manifest = Manifest(**raw)
    cases: dict[str, dict[str, dict[str, Any]]] = {}
    for dataset in manifest.datasets:
        payload = json.loads((directory / f"{dataset}.json").read_text(encoding="utf-8"))
        cases[dataset] = {case["id"]: case for case in payload["cases"]}
    return Recording(directory, manifest, cases)
