"""Thresholds from ``evals/thresholds.yaml``: ``defaults`` for every recording, ``recordings.<name>`` on top.

Each entry is ``metric: {min: x}`` or ``metric: {max: x}``; a recording's block may carry a ``note``
that its report prints. A threshold on a metric that could not be
measured (its package is missing, say) is not met: a check never passes by being skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.yaml"


@dataclass(frozen=True)
class Check:
    dataset: str
    metric: str
    value: float | None
    bound: str  # "min" or "max"
    threshold: float
    note: str = ""

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.threshold if self.bound == "min" else self.value <= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "passed": self.passed}


def thresholds_for(recording: str, path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, dict[str, float]]]:
    """Dataset -> metric -> {"min"|"max": value}, the recording's own entries overriding the defaults."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    merged: dict[str, dict[str, dict[str, float]]] = {}
    for layer in (data.get("defaults") or {}, (data.get("recordings") or {}).get(recording) or {}):
        for dataset, metrics in layer.items():
            if dataset == "note":
                continue
            for metric, bound in (metrics or {}).items():
                if not isinstance(bound, dict) or set(bound) - {"min", "max"} or len(bound) != 1:
                    raise ValueError(f"{path}: {dataset}.{metric} must be {{min: x}} or {{max: x}}, not {bound!r}")
                merged.setdefault(dataset, {})[metric] = {k: float(v) for k, v in bound.items()}
    return merged


def thresholds_note(recording: str, path: Path = THRESHOLDS_FILE) -> str:
    """What a recording's own thresholds mean (its ``note:``), for the report."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return str(((data.get("recordings") or {}).get(recording) or {}).get("note", ""))


def check_thresholds(
    datasets: dict[str, dict[str, Any]], thresholds: dict[str, dict[str, dict[str, float]]]
) -> list[Check]:
    """One check per threshold; ``datasets`` maps a dataset to its ``DatasetScore.as_dict()``."""
    checks = []
    for dataset, metrics in thresholds.items():
        score = datasets.get(dataset)
        for metric, bound_value in metrics.items():
            ((bound, threshold),) = bound_value.items()
            if score is None:
                checks.append(Check(dataset, metric, None, bound, threshold, "dataset not evaluated"))
                continue
            value = score["metrics"].get(metric)
            note = "" if value is not None else f"not measured: {score['skipped'].get(metric, 'unknown metric')}"
            checks.append(Check(dataset, metric, value, bound, threshold, note))
    return checks
