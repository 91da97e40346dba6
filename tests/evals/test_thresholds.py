"""Thresholds: a recording's own entries override the defaults; an unmeasured metric never passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals.thresholds import check_thresholds, thresholds_for, thresholds_note

THRESHOLDS = """
defaults:
  qa:
    hit_at_5: {min: 0.9}
    rouge_l: {min: 0.2}
  safety:
    leak_count: {max: 0}
recordings:
  small-model:
    note: floors, not claims
    qa:
      rouge_l: {min: 0.1}
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "thresholds.yaml"
    file.write_text(THRESHOLDS)
    return file


def test_a_recording_overrides_only_what_it_names(path: Path) -> None:
    assert thresholds_for("offline", path)["qa"] == {"hit_at_5": {"min": 0.9}, "rouge_l": {"min": 0.2}}
    assert thresholds_for("small-model", path)["qa"] == {"hit_at_5": {"min": 0.9}, "rouge_l": {"min": 0.1}}
    assert thresholds_note("small-model", path) == "floors, not claims" and thresholds_note("offline", path) == ""


def test_checks_pass_fail_and_never_pass_unmeasured(path: Path) -> None:
    datasets: dict[str, dict[str, Any]] = {
        "qa": {"metrics": {"hit_at_5": 0.95}, "skipped": {"rouge_l": "rouge_score is required"}},
        "safety": {"metrics": {"leak_count": 1.0}, "skipped": {}},
    }
    checks = {(c.dataset, c.metric): c for c in check_thresholds(datasets, thresholds_for("offline", path))}
    assert checks["qa", "hit_at_5"].passed
    assert not checks["safety", "leak_count"].passed
    assert not checks["qa", "rouge_l"].passed and "rouge_score is required" in checks["qa", "rouge_l"].note


def test_a_malformed_threshold_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("defaults:\n  qa:\n    hit_at_5: 0.9\n")
    with pytest.raises(ValueError, match="hit_at_5"):
        thresholds_for("offline", file)
