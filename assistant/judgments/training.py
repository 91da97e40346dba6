"""Train the judgment heads from the labelled sets, deterministically, and write the weights file.

For every head: logistic regression (scikit-learn, lbfgs) over [embedding x scale, features]. The
regularisation strength and the decision threshold are chosen by 5-fold cross-validation over the
train and dev splits together (one dev split of ~130 rows is too noisy to choose twelve theme
thresholds); the chosen setting is then fitted on train + dev. The test split is never read here.
The same data gives byte-identical weights, which CI checks.

scikit-learn is needed only here (the ``train`` extra); inference reads the JSON with numpy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.judgments import datasets
from assistant.judgments.features import Feature, extract, vector
from assistant.judgments.model import WEIGHTS_FILE, WEIGHTS_VERSION, design_row
from assistant.retrieval.embeddings import Embedder

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))
FOLDS = 5
FOLD_SEED = 0
DECIMALS = 6


@dataclass(frozen=True)
class TaskSpec:
    """What one task learns: its dataset, labels, features and how a dev score is computed."""

    name: str
    labels: Sequence[str]
    features: Sequence[Feature]
    targets: Callable[[dict[str, Any]], list[bool]]
    objective: str = "accuracy"  # or "f1", for rare labels such as one theme among twelve
    class_weight: str | None = None  # "balanced" for rare labels
    embedding_scale: float = 1.0  # how strongly the embedding counts against the features under the same penalty


def design_matrix(
    texts: Sequence[str], features: Sequence[Feature], embedder: Embedder, embedding_scale: float = 1.0
) -> np.ndarray:
    embeddings = np.asarray(embedder.embed(list(texts)), dtype=np.float32) * embedding_scale
    rows = [
        design_row(embedding, vector(features, extract(features, text), text))
        for text, embedding in zip(texts, embeddings, strict=True)
    ]
    return np.vstack(rows).astype(np.float64)


def _fit(x: np.ndarray, y: np.ndarray, c: float, class_weight: str | None) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        # A label that never varies here: a constant head (a large bias towards the only class).
        return np.zeros(x.shape[1]), 6.0 if y[0] else -6.0
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=5000, tol=1e-8, class_weight=class_weight)
    model.fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def _probabilities(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-(x @ w + b))))


def _accuracy(y: np.ndarray, p: np.ndarray, threshold: float) -> float:
    return float(((p >= threshold) == y).mean())


def _f1(y: np.ndarray, p: np.ndarray, threshold: float) -> float:
    predicted = p >= threshold
    tp = float((predicted & y).sum())
    return 2 * tp / max(float(predicted.sum() + y.sum()), 1.0)


def _folds(count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import KFold

    return list(KFold(FOLDS, shuffle=True, random_state=FOLD_SEED).split(np.arange(count)))


def train_head(x: np.ndarray, y: np.ndarray, spec: TaskSpec) -> dict[str, Any]:
    """Pick C and the threshold by cross-validated score (ties: smaller C, threshold nearest 0.5), then fit on all."""
    metric = _f1 if spec.objective == "f1" else _accuracy
    folds = _folds(len(y))
    best: tuple[float, float, float, float] | None = None  # score, -distance from 0.5, C, threshold
    for c in C_GRID:
        p = np.zeros(len(y))
        for fit_rows, held_rows in folds:
            w, b = _fit(x[fit_rows], y[fit_rows], c, spec.class_weight)
            p[held_rows] = _probabilities(x[held_rows], w, b)
        for threshold in THRESHOLDS:
            key = (metric(y, p, threshold), -abs(threshold - 0.5), c, threshold)
            if best is None or key[:2] > best[:2]:
                best = key
    assert best is not None
    score, _, c, threshold = best
    w, b = _fit(x, y, c, spec.class_weight)
    dims = len(w) - len(spec.features) - 1
    w[:dims] *= spec.embedding_scale  # folded in, so inference reads the plain embedding
    return {
        "C": c,
        "threshold": threshold,
        f"cv_{spec.objective}": round(score, 4),
        "w": [round(float(v), DECIMALS) for v in w],
        "b": round(b, DECIMALS),
    }


def train_task(spec: TaskSpec, rows: Sequence[dict[str, Any]], embedder: Embedder) -> dict[str, Any]:
    learn = [row for row in rows if row["split"] in ("train", "dev")]
    x = design_matrix([r["text"] for r in learn], spec.features, embedder, spec.embedding_scale)
    y = np.array([spec.targets(r) for r in learn], dtype=bool)
    heads = {label: train_head(x, y[:, i], spec) for i, label in enumerate(spec.labels)}
    return {
        "features": [feature.name for feature in spec.features],
        "trained_on": {"rows": len(learn), "sha256": datasets.fingerprint(learn)},
        "heads": heads,
    }


def train_all(specs: Sequence[TaskSpec], embedder: Embedder, data_dir: Path | None = None) -> dict[str, Any]:
    tasks = {}
    for spec in specs:
        rows = datasets.load(spec.name, data_dir)
        tasks[spec.name] = train_task(spec, rows, embedder)
    return {
        "version": WEIGHTS_VERSION,
        "embedding_model": getattr(embedder, "model_id", "unknown"),
        "method": "logistic regression per head on [MiniLM embedding, explainable features]; C and threshold by "
        "5-fold cross-validation over train+dev; fitted on train+dev",
        "tasks": tasks,
    }


def serialise(weights: dict[str, Any]) -> str:
    return json.dumps(weights, sort_keys=True, separators=(",", ":")) + "\n"


def write_weights(weights: dict[str, Any], path: Path = WEIGHTS_FILE) -> str:
    """Write the weights; returns their sha256 (the same data must always give the same digest)."""
    text = serialise(weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()
