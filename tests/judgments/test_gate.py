"""The test-split gate CI runs: the judgments must not fall below the floors in evals/judgments-gate.yaml."""

from __future__ import annotations

import pytest

from assistant.config import PROJECT_ROOT
from assistant.judgments.evaluate import evaluate_split
from assistant.judgments.report import below_floor


@pytest.mark.slow
def test_the_test_split_meets_its_floors() -> None:
    report = evaluate_split("test", PROJECT_ROOT / "knowledge")

    assert below_floor(report) == []
