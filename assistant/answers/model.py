"""The answer heads' weights: one logistic head each, shipped as JSON, numpy at run time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answers.features import (
    CHUNK_SCALARS,
    FOLLOWUP_SCALARS,
    RISK_SCALARS,
    SCOPE_SCALARS,
    SENTENCE_SCALARS,
)

WEIGHTS_VERSION = 1
WEIGHTS_FILE = Path(__file__).with_name("weights") / f"answers-v{WEIGHTS_VERSION}.json"
HEADS = ("rerank", "select", "scope", "followup", "risk")
SCALARS = {
    "rerank": CHUNK_SCALARS,
    "select": SENTENCE_SCALARS,
    "scope": SCOPE_SCALARS,
    "followup": FOLLOWUP_SCALARS,
    "risk": RISK_SCALARS,
}


class AnswerWeightsError(RuntimeError):
    """The weights are missing, of another version, or were trained with other features."""


@dataclass(frozen=True)
class LogisticHead:
    weights: np.ndarray
    bias: float
    threshold: float
    mean: np.ndarray
    scale: np.ndarray

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return np.zeros(0, np.float32)
        z = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def probability(self, row: np.ndarray) -> float:
        return float(self.probabilities(row[None, :])[0])

    def as_dict(self) -> dict[str, Any]:
        return {
            "w": [round(float(v), 6) for v in self.weights],
            "b": round(self.bias, 6),
            "threshold": round(self.threshold, 4),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogisticHead:
        return cls(
            np.asarray(data["w"], np.float32),
            float(data["b"]),
            float(data["threshold"]),
            np.asarray(data["mean"], np.float32),
            np.asarray(data["scale"], np.float32),
        )


@dataclass(frozen=True)
class AnswerModel:
    heads: dict[str, LogisticHead]
    meta: dict[str, Any]

    def __getitem__(self, name: str) -> LogisticHead:
        return self.heads[name]


def describe(heads: dict[str, LogisticHead], meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": WEIGHTS_VERSION,
        "scalars": {name: list(SCALARS[name]) for name in HEADS},
        "meta": meta,
        "heads": {name: head.as_dict() for name, head in heads.items()},
    }


@lru_cache(maxsize=2)
def load_answer_model(path: Path = WEIGHTS_FILE) -> AnswerModel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnswerWeightsError(f"cannot read the answer weights {path}: {exc}") from exc
    if data.get("version") != WEIGHTS_VERSION:
        raise AnswerWeightsError(f"{path}: version {data.get('version')}, expected {WEIGHTS_VERSION}")
    if data.get("scalars") != {name: list(SCALARS[name]) for name in HEADS}:
        raise AnswerWeightsError(f"{path} was trained with other features; retrain with `tandem eval train-answers`")
    return AnswerModel({name: LogisticHead.from_dict(data["heads"][name]) for name in HEADS}, data.get("meta", {}))
