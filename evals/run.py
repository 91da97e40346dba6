"""Evaluate one recording: replay it, score every dataset, check the thresholds; the result is the report.

QA and safety come from the replay. The skill checks (goals, feedback) and the privacy figures (PII,
themes) call no model, so they are measured live on every run and are the same for every recording.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import PROJECT_ROOT
from evals.cases import DATASETS_DIR
from evals.harness import DEFAULT_DATA_DIR
from evals.replay import replay
from evals.scoring import score_privacy, score_qa, score_safety, score_skills
from evals.thresholds import THRESHOLDS_FILE, check_thresholds, thresholds_for, thresholds_note

if TYPE_CHECKING:
    from assistant.retrieval.embeddings import Embedder

LIVE_DATASETS = ("skills", "privacy")


def evaluate_recording(
    directory: Path,
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    embedder: Embedder | None = None,
    datasets_dir: Path = DATASETS_DIR,
    knowledge_dir: Path | None = None,
    prompts_dir: Path | None = None,
    thresholds_path: Path = THRESHOLDS_FILE,
    live: Sequence[str] = LIVE_DATASETS,
    only: Collection[str] | None = None,
) -> dict[str, Any]:
    """The report of one recording as a JSON-ready dict; ``report["passed"]`` is the verdict.

    ``only`` (case ids) evaluates a subset; thresholds are still checked, so use it for speed in
    tests of the machinery, not for a verdict.
    """
    result = replay(
        directory,
        data_dir=data_dir,
        embedder=embedder,
        knowledge_dir=knowledge_dir,
        prompts_dir=prompts_dir,
        datasets_dir=datasets_dir,
        only=only,
    )
    datasets: dict[str, dict[str, Any]] = {}
    if "qa" in result.runs:
        datasets["qa"] = score_qa(result.cases["qa"], result.runs["qa"], result.chunks).as_dict()
    if "safety" in result.runs:
        datasets["safety"] = score_safety(result.cases["safety"], result.runs["safety"]).as_dict()
    if "skills" in live:
        datasets["skills"] = score_skills(knowledge_dir or PROJECT_ROOT / "knowledge").as_dict()
    if "privacy" in live:
        datasets["privacy"] = score_privacy().as_dict()
    thresholds = {k: v for k, v in thresholds_for(result.recording.name, thresholds_path).items() if k in datasets}
    checks = check_thresholds(datasets, thresholds)
    stale = [s.__dict__ for s in result.stale]
    return {
        "recording": result.recording.name,
        "recording_dir": _display(directory),
        "provenance": result.recording.manifest.as_dict(),
        "run_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "stale": stale,
        "notes": result.notes,
        "datasets": datasets,
        "checks": [c.as_dict() for c in checks],
        "thresholds_note": thresholds_note(result.recording.name, thresholds_path),
        "passed": not stale and all(c.passed for c in checks),
    }


def _display(path: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(PROJECT_ROOT).as_posix() if resolved.is_relative_to(PROJECT_ROOT) else str(path)
