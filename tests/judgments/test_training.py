"""Training is deterministic and never reads the test split; splits are assigned once and never move."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.judgments import datasets
from assistant.judgments.features import GOAL_FEATURES
from assistant.judgments.tasks import GOAL_CRITERIA
from assistant.judgments.training import TaskSpec, serialise, train_head, train_task

GOOD = "By 30 June I will build one Power BI dashboard for my team's sales review."
VAGUE = "get better at tech"


def rows(count: int) -> list[dict]:
    out = []
    for i in range(count):
        good = i % 2 == 0
        text = f"{GOOD} Variant {i}." if good else f"{VAGUE} {i}"
        out.append(
            {
                "id": f"r{i:03d}",
                "text": text,
                "split": "train" if i % 5 else "dev",
                **dict.fromkeys(GOAL_CRITERIA, good),
            }
        )
    return out


def test_training_twice_gives_the_same_bytes(embedder) -> None:
    spec = TaskSpec("goals", GOAL_CRITERIA, GOAL_FEATURES, lambda row: [row[c] for c in GOAL_CRITERIA])
    first = serialise(train_task(spec, rows(40), embedder))
    second = serialise(train_task(spec, rows(40), embedder))

    assert first == second
    heads = json.loads(first)["heads"]
    assert set(heads) == set(GOAL_CRITERIA)
    assert all(head["cv_accuracy"] == 1.0 for head in heads.values())


def test_test_rows_are_never_trained_on(embedder) -> None:
    spec = TaskSpec("goals", GOAL_CRITERIA, GOAL_FEATURES, lambda row: [row[c] for c in GOAL_CRITERIA])
    data = rows(40)
    poisoned = [*data, {"id": "t1", "text": "x", "split": "test", **dict.fromkeys(GOAL_CRITERIA, True)}]

    assert serialise(train_task(spec, data, embedder)) == serialise(train_task(spec, poisoned, embedder))


def test_a_separable_head_learns_the_separation() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 3))
    y = x[:, 0] > 0
    spec = TaskSpec("toy", ("a",), (), lambda row: [])

    head = train_head(np.zeros((80, 2)), x, y, spec)

    assert head["cv_accuracy"] >= 0.9
    w = np.array(head["w"])[2:]
    assert abs(w[0]) > abs(w[1]) and abs(w[0]) > abs(w[2])


def test_splits_are_assigned_once_and_never_move() -> None:
    first = datasets.assign_splits([{"id": f"a{i}", "text": str(i)} for i in range(50)])
    grown = datasets.assign_splits([*first, *({"id": f"b{i}", "text": f"b{i}"} for i in range(20))])

    assert {row["id"]: row["split"] for row in grown if row["id"].startswith("a")} == {
        row["id"]: row["split"] for row in first
    }
    counts = {name: sum(row["split"] == name for row in first) for name in datasets.SPLITS}
    assert counts == {"train": 30, "dev": 10, "test": 10}


def test_the_shipped_sets_are_large_enough_and_split() -> None:
    minimum = {"goals": 600, "feedback": 600, "themes": 500}
    for name, size in minimum.items():
        data = datasets.load(name)
        assert len(data) >= size, name
        assert {row["split"] for row in data} == set(datasets.SPLITS)
    pii = datasets.load("pii")
    assert sum(bool(row["entities"]) for row in pii) >= 400
    assert sum(not row["entities"] for row in pii) >= 100


def test_a_malformed_set_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "goals.jsonl").write_text('{"id": "x", "text": "y", "split": "train"}\n{"id": "z", "split": "nope"}\n')

    try:
        datasets.load("goals", tmp_path)
    except datasets.DatasetError as exc:
        assert "goals.jsonl:2" in str(exc)
    else:
        raise AssertionError("a row with an unknown split was accepted")
