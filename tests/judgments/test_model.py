"""The shipped weights: every task and head present, feature names as trained, inference without scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.judgments.features import GOAL_FEATURES
from assistant.judgments.model import WEIGHTS_FILE, Head, TaskModel, WeightsError, load_weights, task_model
from assistant.judgments.tasks import FEEDBACK_LABELS, GOAL_CRITERIA, theme_ids


def test_the_weights_file_has_every_task_and_head() -> None:
    weights = load_weights()

    assert set(weights["tasks"]["goals"]["heads"]) == set(GOAL_CRITERIA)
    assert set(weights["tasks"]["feedback"]["heads"]) == set(FEEDBACK_LABELS)
    assert set(weights["tasks"]["themes"]["heads"]) == set(theme_ids())
    assert weights["tasks"]["names"]["threshold"] > 0
    assert WEIGHTS_FILE.stat().st_size < 2_000_000, "the weights stay a small file in the package"


def test_a_head_is_a_logistic_function_of_its_inputs() -> None:
    head = Head(np.array([2.0, -1.0], dtype=np.float32), bias=0.5, threshold=0.5)

    assert head.probability(np.array([0.0, 0.0], dtype=np.float32)) == pytest.approx(1 / (1 + np.exp(-0.5)))
    assert head.probability(np.array([10.0, 0.0], dtype=np.float32)) > 0.99


def test_weights_trained_with_other_features_are_refused() -> None:
    spec = json.loads(WEIGHTS_FILE.read_text())["tasks"]["goals"]
    spec = {**spec, "features": [*spec["features"][:-1], "something_else"]}

    with pytest.raises(WeightsError, match="other features"):
        TaskModel("goals", spec, GOAL_FEATURES)


def test_a_missing_or_foreign_weights_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="cannot read"):
        task_model("goals", GOAL_FEATURES, tmp_path / "missing.json")
    foreign = tmp_path / "v0.json"
    foreign.write_text(json.dumps({"version": 0, "tasks": {}}))
    with pytest.raises(WeightsError, match="version"):
        task_model("goals", GOAL_FEATURES, foreign)


def test_judging_needs_numpy_only_not_scikit_learn() -> None:
    code = (
        "import sys; from assistant.coaching.goals import check_goal; from assistant.config import PROJECT_ROOT;"
        "check_goal('Build one Power BI dashboard by June.', PROJECT_ROOT / 'knowledge');"
        "print('sklearn' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "False"
