"""What CI checks of the judgments: the test split meets its floors, and training reproduces the shipped weights."""

from __future__ import annotations

import pytest

from assistant.config import PROJECT_ROOT
from assistant.judgments.evaluate import evaluate_split
from assistant.judgments.report import below_floor


@pytest.mark.slow
def test_the_test_split_meets_its_floors() -> None:
    report = evaluate_split("test", PROJECT_ROOT / "knowledge")

    assert below_floor(report) == []


@pytest.mark.slow
def test_the_shipped_weights_are_what_training_gives() -> None:
    """`tandem eval train` is deterministic: retraining on the committed sets reproduces the weights byte for byte."""
    from assistant.judgments.model import WEIGHTS_FILE
    from assistant.judgments.tasks import task_specs
    from assistant.judgments.training import serialise, train_all
    from assistant.retrieval.embeddings import MiniLMEmbedder

    retrained = serialise(train_all(task_specs(), MiniLMEmbedder(cache_size=0)))

    assert retrained == WEIGHTS_FILE.read_text(encoding="utf-8")
