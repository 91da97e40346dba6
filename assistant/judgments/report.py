"""The judgments report as text, and the CI gate: floors per figure read from ``evals/judgments-gate.yaml``.

The issue's targets (0.92 accuracy per criterion, theme macro-F1 0.85, personal-data recall 0.99 per
type, no clean message altered) are printed beside each figure; the gate's floors are the figures
measured when the weights were last trained, minus a margin, so CI catches a regression without
pretending a missed target was met.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.config import PROJECT_ROOT

GATE_FILE = PROJECT_ROOT / "evals" / "judgments-gate.yaml"
TARGETS = {"accuracy": 0.92, "theme_macro_f1": 0.85, "pii_recall": 0.99, "clean_altered": 0}


def _mark(value: float, target: float) -> str:
    return "meets target" if value >= target else f"below target {target:.2f}"


def _boolean_table(title: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{title} (n={rows[0]['n'] if rows else 0})",
        "  criterion     accuracy  95% CI          precision  recall",
    ]
    for row in rows:
        low, high = row["accuracy_ci95"]
        lines.append(
            f"  {row['label']:<13} {row['accuracy']:.3f}     [{low:.3f}, {high:.3f}]  {row['precision']:.3f}      "
            f"{row['recall']:.3f}   {_mark(row['accuracy'], TARGETS['accuracy'])}"
        )
    if rows:
        worst = min(rows, key=lambda row: row["accuracy"])
        c = worst["confusion"]
        lines += [
            f"  confusion of the worst, {worst['label']}:   predicted yes   predicted no",
            f"    labelled yes                     {c['tp']:>5}          {c['fn']:>5}",
            f"    labelled no                      {c['fp']:>5}          {c['tn']:>5}",
        ]
    return lines


def render(report: dict[str, Any]) -> str:
    lines = [f"split: {report['split']}"]
    for task in ("goals", "feedback"):
        if task in report:
            lines += [*_boolean_table(task, report[task]), ""]
    if "themes" in report:
        themes = report["themes"]
        lines.append(
            f"themes (n={themes['n']}): macro-F1 {themes['macro_f1']:.3f} "
            f"({_mark(themes['macro_f1'], TARGETS['theme_macro_f1'])}); micro P {themes['micro_precision']:.3f} "
            f"R {themes['micro_recall']:.3f} F1 {themes['micro_f1']:.3f}; exact set {themes['exact_match']:.3f}"
        )
        for row in themes["per_theme"]:
            lines.append(
                f"  {row['label']:<36} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  "
                f"(labelled {row['confusion']['tp'] + row['confusion']['fn']})"
            )
        lines.append("")
    if "pii" in report:
        pii = report["pii"]
        lines.append(
            f"personal data (n={pii['n']} messages, {pii['items']} items): recall {pii['recall']:.3f}; "
            f"clean messages altered {pii['clean_altered']} of {pii['clean_messages']}"
        )
        for kind, row in pii["per_type"].items():
            low, high = row["recall_ci95"]
            lines.append(
                f"  {kind:<14} n={row['n']:<4} recall {row['recall']:.3f} [{low:.3f}, {high:.3f}]  "
                f"{_mark(row['recall'], TARGETS['pii_recall'])}"
            )
        for leak in pii["leaks"][:20]:
            lines.append(f"  leak {leak['id']} {leak['type']}: {leak['text']!r}")
    return "\n".join(lines).rstrip()


def load_gate(path: Path = GATE_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data)


def below_floor(report: dict[str, Any], gate: dict[str, Any] | None = None) -> list[str]:
    """Every figure of the report under its floor in the gate file, as one line each."""
    gate = gate if gate is not None else load_gate()
    failures = []
    for task in ("goals", "feedback"):
        for row in report.get(task, []):
            floor = gate.get(task, {}).get(row["label"])
            if floor is not None and row["accuracy"] < floor:
                failures.append(f"{task} {row['label']} accuracy {row['accuracy']:.3f} < {floor}")
    if "themes" in report and report["themes"]["macro_f1"] < gate.get("themes", {}).get("macro_f1", 0):
        failures.append(f"themes macro-F1 {report['themes']['macro_f1']:.3f} < {gate['themes']['macro_f1']}")
    if "pii" in report:
        pii_gate = gate.get("pii", {})
        for kind, row in report["pii"]["per_type"].items():
            floor = pii_gate.get("recall", {}).get(kind)
            if floor is not None and row["recall"] < floor:
                failures.append(f"pii {kind} recall {row['recall']:.3f} < {floor}")
        if report["pii"]["clean_altered"] > pii_gate.get("clean_altered", 0):
            failures.append(f"pii: {report['pii']['clean_altered']} clean messages altered")
    return failures
