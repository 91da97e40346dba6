"""The shipped answer heads are what the labelled question sets train (slow: a fresh index and five fits)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.config import PROJECT_ROOT
from evals.answer_training import SPLIT_SHARES, fold_of, split_of
from evals.question_sets import load_rows


def test_splits_are_fixed_by_id_and_cover_every_kind() -> None:
    rows = load_rows()
    shares = {name: 0 for name, _ in SPLIT_SHARES}
    for row in rows:
        assert split_of(row["id"]) == split_of(row["id"]) and 0 <= fold_of(row["id"]) < 5
        shares[split_of(row["id"])] += 1
    for name, share in SPLIT_SHARES:
        assert abs(shares[name] / len(rows) - share) < 0.03
    for kind in ("single", "followup", "out_of_scope", "risk"):
        assert {split_of(r["id"]) for r in rows if r["kind"] == kind} == {"train", "dev", "test"}


@pytest.mark.slow
def test_a_retrain_gives_the_shipped_answer_weights() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "eval", "train-answers", "--check"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout + done.stderr
