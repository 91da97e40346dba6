"""Learned judgments: one logistic head per criterion over [sentence embedding, explainable features].

The weights are trained by ``tandem eval train`` (see :mod:`assistant.judgments.training`) from the
labelled sets in ``evals/datasets/judgments/`` and shipped as a small JSON file in this package.
Inference is numpy only: one embedding (a few milliseconds) and a dot product per head.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.judgments.features import Feature, Match, extract, vector
from assistant.retrieval.embeddings import Embedder

WEIGHTS_VERSION = 1
WEIGHTS_FILE = Path(__file__).with_name("weights") / f"judgments-v{WEIGHTS_VERSION}.json"


class WeightsError(RuntimeError):
    """The weights file is missing, of another version, or built for other features."""


@dataclass(frozen=True)
class Head:
    """One criterion: weights over [embedding, features, bias] and the decision threshold chosen on dev."""

    weights: np.ndarray
    bias: float
    threshold: float

    def probability(self, x: np.ndarray) -> float:
        return float(1.0 / (1.0 + np.exp(-(float(self.weights @ x) + self.bias))))


@dataclass(frozen=True)
class Verdict:
    label: str
    probability: float
    met: bool


@dataclass(frozen=True)
class Judgment:
    """The verdict per head, with every feature match (the words a "why" can quote)."""

    text: str
    verdicts: dict[str, Verdict]
    matches: list[Match]

    def fired(self, feature: str) -> list[Match]:
        return [match for match in self.matches if match.feature == feature]

    def first(self, features: Sequence[str]) -> Match | None:
        """The first match of the first of ``features`` that fired (the strongest evidence first)."""
        for feature in features:
            found = self.fired(feature)
            if found:
                return found[0]
        return None


class TaskModel:
    """The heads of one task (goals, feedback or themes) and the features they were trained with."""

    def __init__(self, task: str, spec: dict[str, Any], features: Sequence[Feature]) -> None:
        names = [feature.name for feature in features]
        if spec.get("features") != names:
            raise WeightsError(f"the {task} weights were trained with other features; retrain with `tandem eval train`")
        self.task = task
        self.features = tuple(features)
        self.heads = {
            label: Head(np.asarray(head["w"], dtype=np.float32), float(head["b"]), float(head["threshold"]))
            for label, head in spec["heads"].items()
        }

    def judge(self, text: str, embedding: np.ndarray) -> Judgment:
        matches = extract(self.features, text)
        x = design_row(embedding, vector(self.features, matches, text))
        verdicts = {}
        for label, head in self.heads.items():
            probability = head.probability(x)
            verdicts[label] = Verdict(label, round(probability, 3), probability >= head.threshold)
        return Judgment(text, verdicts, matches)


def design_row(embedding: np.ndarray, feature_values: Sequence[float]) -> np.ndarray:
    """What every head reads: the normalised embedding followed by the feature values."""
    return np.concatenate([np.asarray(embedding, dtype=np.float32), np.asarray(feature_values, dtype=np.float32)])


class Judge:
    """Embeds a text once and applies one task's heads; build once per process (it holds the embedder)."""

    def __init__(self, model: TaskModel, embedder: Embedder) -> None:
        self.model = model
        self.embedder = embedder

    def judge(self, text: str) -> Judgment:
        (embedding,) = np.asarray(self.embedder.embed([text]), dtype=np.float32)
        return self.model.judge(text, embedding)


_judges: dict[tuple[str, int], Judge] = {}
_judges_lock = threading.Lock()


def shared_judge(task: str, features: Sequence[Feature], embedder: Embedder) -> Judge:
    """One judge per task and embedding model per process (loading the weights takes a moment)."""
    with _judges_lock:
        key = (task, id(embedder))
        if key not in _judges:
            _judges[key] = Judge(task_model(task, features), embedder)
        return _judges[key]


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WeightsError(f"cannot read the judgment weights {path}: {exc}") from exc
    if data.get("version") != WEIGHTS_VERSION:
        raise WeightsError(f"{path}: weights version {data.get('version')}, expected {WEIGHTS_VERSION}")
    return data


def task_model(task: str, features: Sequence[Feature], path: Path = WEIGHTS_FILE) -> TaskModel:
    data = load_weights(path)
    if task not in data.get("tasks", {}):
        raise WeightsError(f"{path} has no {task} model; retrain with `tandem eval train`")
    return TaskModel(task, data["tasks"][task], features)
