"""Measure the offline coaching skills (SMART goal check, SBI feedback check) against labelled cases.

Each dataset case has ``split: dev|test``; the rules were tuned on ``dev`` only, so ``test`` (the default)
is the honest figure. Usage: ``python -m evals.skills [--split dev|test|all]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from assistant.coaching.feedback import check_feedback
from assistant.coaching.goals import CRITERIA as GOAL_CRITERIA
from assistant.coaching.goals import check_goal

ROOT = Path(__file__).resolve().parent.parent
FEEDBACK_CRITERIA = ("situation", "behavior", "impact", "judgmental", "absolute")
SPLITS = ("dev", "test", "all")


def load_cases(path: Path, split: str) -> list[dict[str, Any]]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [case for case in cases if split == "all" or case["split"] == split]


def goal_predictions(text: str, knowledge_dir: Path) -> dict[str, bool]:
    result = check_goal(text, knowledge_dir)
    return {name: result.criteria[name].met for name in GOAL_CRITERIA}


def feedback_predictions(text: str, knowledge_dir: Path) -> dict[str, bool]:
    result = check_feedback(text, knowledge_dir)
    kinds = {flag.kind for flag in result.flags}
    return {
        "situation": result.situation.met,
        "behavior": result.behavior.met,
        "impact": result.impact.met,
        "judgmental": "judgmental" in kinds,
        "absolute": "absolute" in kinds,
    }


def score(
    cases: Iterable[dict[str, Any]],
    criteria: tuple[str, ...],
    predict: Callable[[str], dict[str, bool]],
) -> dict[str, Any]:
    """Per-criterion precision, recall and accuracy (positive class: criterion met / flag present)."""
    counts = {name: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for name in criteria}
    misclassified: list[dict[str, Any]] = []
    total = 0
    for case in cases:
        total += 1
        predicted = predict(case["text"])
        for name in criteria:
            expected, got = bool(case["labels"][name]), predicted[name]
            key = ("tp" if got else "fn") if expected else ("fp" if got else "tn")
            counts[name][key] += 1
            if expected != got:
                misclassified.append({"id": case["id"], "criterion": name, "expected": expected, "predicted": got})
    metrics = {}
    for name, c in counts.items():
        predicted_pos, actual_pos = c["tp"] + c["fp"], c["tp"] + c["fn"]
        metrics[name] = {
            "precision": round(c["tp"] / predicted_pos, 3) if predicted_pos else 1.0,
            "recall": round(c["tp"] / actual_pos, 3) if actual_pos else 1.0,
            "accuracy": round((c["tp"] + c["tn"]) / total, 3) if total else 0.0,
            "support": actual_pos,
        }
    return {"cases": total, "criteria": metrics, "misclassified": misclassified}


def evaluate_skills(datasets_dir: Path, knowledge_dir: Path, split: str = "test") -> dict[str, Any]:
    """Scores for both skills on one split; ``support`` counts the positive cases of each criterion."""
    goals = score(
        load_cases(datasets_dir / "goals.yaml", split),
        GOAL_CRITERIA,
        lambda text: goal_predictions(text, knowledge_dir),
    )
    feedback = score(
        load_cases(datasets_dir / "feedback.yaml", split),
        FEEDBACK_CRITERIA,
        lambda text: feedback_predictions(text, knowledge_dir),
    )
    return {"split": split, "goals": goals, "feedback": feedback}


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--datasets", type=Path, default=ROOT / "evals" / "datasets")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args(argv)

    report = evaluate_skills(args.datasets, args.knowledge, args.split)
    console = Console()
    for skill in ("goals", "feedback"):
        result = report[skill]
        table = Table(title=f"{skill} - split {args.split} ({result['cases']} cases)")
        for column in ("criterion", "accuracy", "precision", "recall", "support"):
            table.add_column(column, justify="left" if column == "criterion" else "right")
        for name, m in result["criteria"].items():
            table.add_row(
                name, f"{m['accuracy']:.3f}", f"{m['precision']:.3f}", f"{m['recall']:.3f}", str(m["support"])
            )
        console.print(table)
        wrong = ", ".join(f"{w['id']}:{w['criterion']}" for w in result["misclassified"]) or "none"
        console.print(f"misclassified: {wrong}", highlight=False)


if __name__ == "__main__":
    main()
