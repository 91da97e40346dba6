"""What CI checks: every committed recording replays without network, is not stale and meets its thresholds.

When one fails as stale, the pipeline, a prompt or a dataset changed: record again
(``tandem eval record ...``, the command is in evals/README.md) and commit the new recording and report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.retrieval.embeddings import MiniLMEmbedder
from evals.run import evaluate_recording

RECORDINGS = PROJECT_ROOT / "evals" / "recordings"


def explain(report: dict) -> str:
    stale = [f"stale {s['dataset']} {s['case_id']}: {s['why']}" for s in report["stale"][:10]]
    missed = [
        f"missed {c['dataset']}.{c['metric']} = {c['value']} ({c['bound']} {c['threshold']})"
        for c in report["checks"]
        if not c["passed"]
    ]
    return "\n".join(stale + missed)


@pytest.mark.slow
def test_the_offline_recording_replays_whole_and_meets_its_thresholds(
    eval_data_dir: Path, embedder: MiniLMEmbedder
) -> None:
    report = evaluate_recording(RECORDINGS / "offline", data_dir=eval_data_dir, embedder=embedder)
    assert report["passed"], explain(report)
    assert report["provenance"]["complete"]
    assert {"qa", "safety", "skills", "privacy"} <= set(report["datasets"])
    assert report["datasets"]["qa"]["cases"] == 92 and report["datasets"]["safety"]["cases"] == 42
    assert len(report["checks"]) >= 20


MODEL_RECORDINGS = sorted(path for path in RECORDINGS.iterdir() if path.is_dir() and path.name != "offline")


@pytest.mark.slow
@pytest.mark.parametrize("directory", MODEL_RECORDINGS, ids=lambda path: path.name)
def test_each_model_recording_replays_and_meets_its_floors(
    directory: Path, eval_data_dir: Path, embedder: MiniLMEmbedder
) -> None:
    """Skills and privacy involve no model; the offline test above measures them once."""
    report = evaluate_recording(directory, data_dir=eval_data_dir, embedder=embedder, live=())
    assert report["passed"], explain(report)
