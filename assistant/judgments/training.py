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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.judgments import datasets
from assistant.judgments.features import Feature, extract, vector
from assistant.judgments.model import WEIGHTS_FILE, WEIGHTS_VERSION
from assistant.retrieval.embeddings import Embedder

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))
FOLDS = 5
FOLD_SEED = 0
NAME_PRECISION = 0.9
WORD_DEFINED_SCALE = 0.5
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
    embedding_scales: tuple[float, ...] = (1.0, 2.0)  # the embedding's weight against the features, chosen by CV
    # Labels the guide defines by words being there (a time frame, an absolute): such a head reads only the
    # features named here and the embedding at WORD_DEFINED_SCALE, so a topic or a count that often came
    # with a deadline in the training rows cannot stand in for the deadline itself.
    word_defined: dict[str, tuple[str, ...]] = field(default_factory=dict)


def design_parts(
    texts: Sequence[str], features: Sequence[Feature], embedder: Embedder
) -> tuple[np.ndarray, np.ndarray]:
    """The embeddings and the feature values of ``texts``, kept apart so the embedding's weight can be chosen."""
    embeddings = np.asarray(embedder.embed(list(texts)), dtype=np.float64)
    values = np.array([vector(features, extract(features, text), text) for text in texts], dtype=np.float64)
    return embeddings, values


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


def train_head(
    embeddings: np.ndarray, values: np.ndarray, y: np.ndarray, spec: TaskSpec, scales: Sequence[float] | None = None
) -> dict[str, Any]:
    """Pick the embedding's scale, C and the threshold by cross-validated score, then fit on all rows.

    The scale sets how much the embedding counts against the features under the same penalty. Ties go
    to the earlier scale and C in the grids and to the threshold nearest 0.5.
    """
    metric = _f1 if spec.objective == "f1" else _accuracy
    folds = _folds(len(y))
    best: tuple[float, float, float, float, float] | None = None  # score, -distance from 0.5, scale, C, threshold
    for scale in scales or spec.embedding_scales:
        x = np.hstack([embeddings * scale, values])
        for c in C_GRID:
            p = np.zeros(len(y))
            for fit_rows, held_rows in folds:
                w, b = _fit(x[fit_rows], y[fit_rows], c, spec.class_weight)
                p[held_rows] = _probabilities(x[held_rows], w, b)
            for threshold in THRESHOLDS:
                key = (metric(y, p, threshold), -abs(threshold - 0.5), scale, c, threshold)
                if best is None or key[:2] > best[:2]:
                    best = key
    assert best is not None
    score, _, scale, c, threshold = best
    w, b = _fit(np.hstack([embeddings * scale, values]), y, c, spec.class_weight)
    w[: embeddings.shape[1]] *= scale  # folded in, so inference reads the plain embedding
    return {
        "embedding_scale": scale,
        "C": c,
        "threshold": threshold,
        f"cv_{spec.objective}": round(score, 4),
        "w": [round(float(v), DECIMALS) for v in w],
        "b": round(b, DECIMALS),
    }


def train_task(spec: TaskSpec, rows: Sequence[dict[str, Any]], embedder: Embedder) -> dict[str, Any]:
    learn = [row for row in rows if row["split"] in ("train", "dev")]
    embeddings, values = design_parts([r["text"] for r in learn], spec.features, embedder)
    y = np.array([spec.targets(r) for r in learn], dtype=bool)
    heads = {}
    for i, label in enumerate(spec.labels):
        # a row written for some heads only (``"only": ["is_feedback"]``) trains just those
        keep = np.array([label in row.get("only", spec.labels) for row in learn], dtype=bool)
        if label in spec.word_defined:
            kept = [feature.name in spec.word_defined[label] for feature in spec.features] + [False]
            masked = values * np.array(kept, dtype=np.float64)
            heads[label] = train_head(embeddings[keep], masked[keep], y[keep, i], spec, (WORD_DEFINED_SCALE,))
        else:
            heads[label] = train_head(embeddings[keep], values[keep], y[keep, i], spec)
    return {
        "features": [feature.name for feature in spec.features],
        "trained_on": {"rows": len(learn), "sha256": datasets.fingerprint(learn)},
        "heads": heads,
    }


def train_name_model(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The per-token name model (:mod:`assistant.privacy.name_model`) from the PERSON entities of the pii set.

    Folds group whole messages, so no message is on both sides. Privacy first: C and the threshold give
    the highest cross-validated token recall at which at least NAME_PRECISION of the flagged words are names.
    """
    from assistant.privacy.anonymize import is_uncased, truecase
    from assistant.privacy.name_model import DENSE_FEATURES, HASH_BUCKETS, labelled_tokens, token_rows, tokens_of
    from assistant.privacy.patterns import load_spacy

    nlp = load_spacy()
    learn = [row for row in rows if row["split"] in ("train", "dev")]
    blocks, labels, owners = [], [], []
    for number, row in enumerate(learn):
        text = row["text"]
        tokens = tokens_of(nlp(truecase(text) if is_uncased(text) else text))
        roster = {fold_part for name in row.get("known_names", []) for fold_part in name.casefold().split()}
        x, kept = token_rows(text, tokens, roster)
        names = [e["text"] for e in row["entities"] if e["type"] == "PERSON"]
        flags = labelled_tokens(text, tokens, names)
        blocks.append(x)
        labels += [flags[i] for i in kept]
        owners += [number] * len(kept)
    x_all = np.vstack(blocks).astype(np.float64)
    y_all = np.array(labels, dtype=bool)
    message_folds = _folds(len(learn))
    owner = np.array(owners)
    folds = [(np.flatnonzero(np.isin(owner, a)), np.flatnonzero(np.isin(owner, b))) for a, b in message_folds]
    best: tuple[float, float, float, float] | None = None
    for c in C_GRID:
        p = np.zeros(len(y_all))
        for fit_rows, held_rows in folds:
            w, b = _fit(x_all[fit_rows], y_all[fit_rows], c, None)
            p[held_rows] = _probabilities(x_all[held_rows], w, b)
        for threshold in (0.1, 0.15, *THRESHOLDS):
            predicted = p >= threshold
            tp = float((predicted & y_all).sum())
            precision = tp / max(float(predicted.sum()), 1.0)
            key = (tp / max(float(y_all.sum()), 1.0), precision, c, threshold)
            if precision >= NAME_PRECISION and (best is None or key[:2] > best[:2]):
                best = key
    assert best is not None, f"no setting reaches token precision {NAME_PRECISION}"
    recall, precision, c, threshold = best
    w, b = _fit(x_all, y_all, c, None)
    return {
        "dense_features": list(DENSE_FEATURES),
        "hash_buckets": HASH_BUCKETS,
        "trained_on": {"messages": len(learn), "tokens": len(y_all), "sha256": datasets.fingerprint(learn)},
        "C": c,
        "threshold": threshold,
        "cv_token_recall": round(recall, 4),
        "cv_token_precision": round(precision, 4),
        "w": [round(float(v), DECIMALS) for v in w],
        "b": round(b, DECIMALS),
    }


def train_all(specs: Sequence[TaskSpec], embedder: Embedder, data_dir: Path | None = None) -> dict[str, Any]:
    tasks: dict[str, Any] = {}
    for spec in specs:
        rows = datasets.load(spec.name, data_dir)
        tasks[spec.name] = train_task(spec, rows, embedder)
    tasks["names"] = train_name_model(datasets.load("pii", data_dir))
    return {
        "version": WEIGHTS_VERSION,
        "embedding_model": getattr(embedder, "model_id", "unknown"),
        "method": "logistic regression per head on [MiniLM embedding x scale, explainable features]; scale, C and "
        "threshold by 5-fold cross-validation over train+dev; fitted on train+dev",
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
