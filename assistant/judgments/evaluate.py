"""Measure the judgments on one split of the labelled sets: accuracy, precision, recall with intervals.

Goals and feedback go through ``check_goal`` / ``check_feedback`` and themes through the theme
classifier, i.e. the same code as the ``--json`` contracts; personal data goes through the
anonymizer and counts, per entity type, the labelled substrings that survive.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.judgments import datasets
from assistant.judgments.tasks import FEEDBACK_LABELS, GOAL_CRITERIA

Z95 = 1.96


def wilson(successes: int, total: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    centre = (p + Z95**2 / (2 * total)) / (1 + Z95**2 / total)
    half = Z95 * math.sqrt(p * (1 - p) / total + Z95**2 / (4 * total**2)) / (1 + Z95**2 / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class BinaryScore:
    """A confusion table of one label."""

    label: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, expected: bool, predicted: bool, row_id: str) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1
        if expected != predicted:
            self.misses.append(row_id)

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        low, high = wilson(self.tp + self.tn, self.total)
        return {
            "label": self.label,
            "n": self.total,
            "accuracy": round(self.accuracy, 4),
            "accuracy_ci95": [round(low, 4), round(high, 4)],
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "confusion": {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn},
        }


def score_booleans(
    rows: Sequence[dict[str, Any]], labels: Sequence[str], predict: Callable[[str], dict[str, bool]]
) -> list[BinaryScore]:
    scores = [BinaryScore(label) for label in labels]
    for row in rows:
        predicted = predict(row["text"])
        for score in scores:
            score.add(bool(row[score.label]), predicted[score.label], row["id"])
    return scores


def evaluate_goals(rows: Sequence[dict[str, Any]], knowledge_dir: Path) -> list[BinaryScore]:
    from assistant.coaching.goals import check_goal

    def predict(text: str) -> dict[str, bool]:
        return {name: c.met for name, c in check_goal(text, knowledge_dir).criteria.items()}

    return score_booleans(rows, GOAL_CRITERIA, predict)


def evaluate_feedback(rows: Sequence[dict[str, Any]], knowledge_dir: Path) -> list[BinaryScore]:
    from assistant.coaching.feedback import check_feedback

    def predict(text: str) -> dict[str, bool]:
        check = check_feedback(text, knowledge_dir)
        kinds = {flag.kind for flag in check.flags}
        return {
            "situation": check.situation.met,
            "behavior": check.behavior.met,
            "impact": check.impact.met,
            "judgmental": "judgmental" in kinds,
            "absolute": "absolute" in kinds,
            "is_feedback": check.is_feedback,
        }

    return score_booleans(rows, FEEDBACK_LABELS, predict)


def evaluate_themes(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from assistant.retrieval.embeddings import get_embedder
    from assistant.themes.classify import ThemeClassifier

    classifier = ThemeClassifier(None, get_embedder())
    scores = {theme: BinaryScore(theme) for theme in classifier.theme_ids}
    exact = 0
    for row in rows:
        got = {score.theme for score in classifier.classify(row["text"])}
        want = set(row["themes"])
        exact += got == want
        for theme, score in scores.items():
            score.add(theme in want, theme in got, row["id"])
    tp, fp, fn = (sum(getattr(s, k) for s in scores.values()) for k in ("tp", "fp", "fn"))
    micro_p = tp / (tp + fp) if tp + fp else 0.0
    micro_r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "n": len(rows),
        "macro_f1": round(sum(s.f1 for s in scores.values()) / len(scores), 4),
        "micro_precision": round(micro_p, 4),
        "micro_recall": round(micro_r, 4),
        "micro_f1": round(2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0, 4),
        "exact_match": round(exact / len(rows), 4) if rows else 0.0,
        "per_theme": [score.as_dict() for score in scores.values()],
    }


def survives(item: str, text: str) -> bool:
    """The calibration check's rule: the item still appears as a whole word sequence."""
    return re.search(r"(?<!\w)" + re.escape(item) + r"(?!\w)", text) is not None


def evaluate_pii(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from assistant.privacy.anonymize import Anonymizer

    anonymizer = Anonymizer()
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    leaks: list[dict[str, str]] = []
    altered: list[str] = []
    for row in rows:
        text = anonymizer.anonymize(row["text"], extra_names=row.get("known_names", [])).text
        for entity in row["entities"]:
            total[entity["type"]] += 1
            if survives(entity["text"], text):
                leaks.append({"id": row["id"], "type": entity["type"], "text": entity["text"]})
            else:
                found[entity["type"]] += 1
        if not row["entities"] and text != row["text"]:
            altered.append(row["id"])
    clean = sum(1 for row in rows if not row["entities"])
    per_type = {}
    for kind in sorted(total):
        low, high = wilson(found[kind], total[kind])
        per_type[kind] = {
            "n": total[kind],
            "recall": round(found[kind] / total[kind], 4),
            "recall_ci95": [round(low, 4), round(high, 4)],
        }
    all_found, all_total = sum(found.values()), sum(total.values())
    return {
        "n": len(rows),
        "items": all_total,
        "recall": round(all_found / all_total, 4) if all_total else 1.0,
        "per_type": per_type,
        "clean_messages": clean,
        "clean_altered": len(altered),
        "altered_ids": altered,
        "leaks": leaks,
    }


def evaluate_split(split: str, knowledge_dir: Path, sets: Sequence[str] | None = None) -> dict[str, Any]:
    """Every judgment on one split of the labelled sets."""
    wanted = sets or ("goals", "feedback", "themes", "pii")
    report: dict[str, Any] = {"split": split}
    if "goals" in wanted:
        scores = evaluate_goals(datasets.load("goals", split=split), knowledge_dir)
        report["goals"] = [score.as_dict() for score in scores]
    if "feedback" in wanted:
        scores = evaluate_feedback(datasets.load("feedback", split=split), knowledge_dir)
        report["feedback"] = [score.as_dict() for score in scores]
    if "themes" in wanted:
        report["themes"] = evaluate_themes(datasets.load("themes", split=split))
    if "pii" in wanted:
        report["pii"] = evaluate_pii(datasets.load("pii", split=split))
    return report
