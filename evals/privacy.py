"""Measure the anonymizer (evals/datasets/pii.yaml) and the theme classifier (evals/datasets/themes.yaml).

PII: recall is the share of labelled PII strings that no longer appear in the anonymized text
(overall and per type); over-redaction is the share of ``keep`` words that were removed; precision
is the share of detected entities that overlap a labelled PII string. The anonymizer's rules were
written with this whole file in view, so its figures are optimistic for unseen text.

Themes: the classifier was tuned on the odd-numbered cases (dev); the even-numbered cases (test)
are the honest figure and the one reported first.

Usage: ``python -m evals.privacy``.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from assistant.privacy.anonymize import PLACEHOLDERS, Anonymizer
from assistant.themes.classify import ThemeClassifier

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "evals" / "datasets"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(needle)
    while start != -1:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return spans


def _gold_text(text: str, pii: list[dict[str, str]]) -> str:
    """The text with every labelled string masked: what a perfect anonymizer would leave."""
    for entry in sorted(pii, key=lambda item: len(item["text"]), reverse=True):
        text = text.replace(entry["text"], "\0")
    return text


def _ms_per_call(calls: list[float]) -> dict[str, float]:
    ordered = sorted(calls)
    return {
        "p50": round(statistics.median(ordered) * 1000, 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "mean": round(statistics.fmean(ordered) * 1000, 2),
    }


def evaluate_pii(dataset: Path, anonymizer: Anonymizer | None = None) -> dict[str, Any]:
    data = _load(dataset)
    anonymizer = anonymizer or Anonymizer(data.get("roster") or [])
    labelled: dict[str, int] = defaultdict(int)
    removed: dict[str, int] = defaultdict(int)
    missed: dict[str, list[str]] = defaultdict(list)
    keep_total = keep_lost = 0
    lost_words: list[str] = []
    detected = detected_correct = 0
    false_positives: list[str] = []
    timings: list[float] = []
    for case in data["cases"]:
        text, pii = case["text"], case.get("pii") or []
        started = time.perf_counter()
        result = anonymizer.anonymize(text)
        timings.append(time.perf_counter() - started)
        for entry in pii:
            labelled[entry["type"]] += 1
            if entry["text"] in result.text:
                missed[entry["type"]].append(f"{case['id']}: {entry['text']}")
            else:
                removed[entry["type"]] += 1
        gold = _gold_text(text, pii)
        for word in case.get("keep") or []:
            keep_total += 1
            if result.text.count(word) < gold.count(word):
                keep_lost += 1
                lost_words.append(f"{case['id']}: {word}")
        label_spans = [span for entry in pii for span in _occurrences(text, entry["text"])]
        for entity in result.entities:
            detected += 1
            if any(entity.start < end and start < entity.end for start, end in label_spans):
                detected_correct += 1
            else:
                false_positives.append(f"{case['id']}: {entity.type} {text[entity.start : entity.end]!r}")
    total = sum(labelled.values())
    return {
        "cases": len(data["cases"]),
        "labelled": total,
        "recall": sum(removed.values()) / total if total else 1.0,
        "recall_by_type": {kind: removed[kind] / count for kind, count in sorted(labelled.items())},
        "labelled_by_type": dict(sorted(labelled.items())),
        "over_redaction": keep_lost / keep_total if keep_total else 0.0,
        "keep_words": keep_total,
        "keep_lost": lost_words,
        "precision": detected_correct / detected if detected else 1.0,
        "detected": detected,
        "false_positives": false_positives,
        "missed": {kind: items for kind, items in sorted(missed.items())},
        "ms_per_call": _ms_per_call(timings),
    }


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def theme_split(case_id: str) -> str:
    """Odd ids are the dev half (tuning), even ids the test half (reported)."""
    return "dev" if int("".join(char for char in case_id if char.isdigit())) % 2 else "test"


def evaluate_themes(dataset: Path, classifier: ThemeClassifier, split: str = "test") -> dict[str, Any]:
    data = _load(dataset)
    themes = list(data.get("taxonomy") or classifier.theme_ids)
    cases = [case for case in data["cases"] if split == "all" or theme_split(case["id"]) == split]
    counts = {theme: {"tp": 0, "fp": 0, "fn": 0} for theme in themes}
    errors: list[dict[str, Any]] = []
    no_theme_right = no_theme_total = 0
    timings: list[float] = []
    for case in cases:
        started = time.perf_counter()
        predicted = [score.theme for score in classifier.classify(case["text"])]
        timings.append(time.perf_counter() - started)
        gold = set(case.get("themes") or [])
        for theme in set(predicted) | gold:
            bucket = counts.setdefault(theme, {"tp": 0, "fp": 0, "fn": 0})
            if theme in gold and theme in predicted:
                bucket["tp"] += 1
            elif theme in predicted:
                bucket["fp"] += 1
            else:
                bucket["fn"] += 1
        if not gold:
            no_theme_total += 1
            no_theme_right += not predicted
        if gold != set(predicted):
            errors.append({"id": case["id"], "gold": sorted(gold), "predicted": predicted})
    micro = _prf(*(sum(bucket[key] for bucket in counts.values()) for key in ("tp", "fp", "fn")))
    return {
        "split": split,
        "cases": len(cases),
        "micro": micro,
        "per_theme": {theme: _prf(c["tp"], c["fp"], c["fn"]) for theme, c in counts.items()},
        "no_theme_accuracy": no_theme_right / no_theme_total if no_theme_total else 1.0,
        "errors": errors,
        "ms_per_call": _ms_per_call(timings),
    }


def evaluate_privacy(
    datasets_dir: Path = DATASETS,
    *,
    anonymizer: Anonymizer | None = None,
    classifier: ThemeClassifier | None = None,
) -> dict[str, Any]:
    """PII figures on pii.yaml, theme figures on the test half (and dev half) of themes.yaml."""
    datasets_dir = Path(datasets_dir)
    if classifier is None:
        from assistant.retrieval.embeddings import get_embedder

        classifier = ThemeClassifier(None, get_embedder())
    return {
        "pii": evaluate_pii(datasets_dir / "pii.yaml", anonymizer),
        "themes": evaluate_themes(datasets_dir / "themes.yaml", classifier, "test"),
        "themes_dev": evaluate_themes(datasets_dir / "themes.yaml", classifier, "dev"),
    }


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    result = evaluate_privacy()
    pii = result["pii"]
    table = Table(title=f"PII - {pii['cases']} cases, {pii['labelled']} labelled strings (rules written on this set)")
    for column in ("type", "labelled", "recall", "missed"):
        table.add_column(column)
    for kind, recall in pii["recall_by_type"].items():
        missed = "; ".join(pii["missed"].get(kind, []))
        table.add_row(kind, str(pii["labelled_by_type"][kind]), f"{recall:.3f}", missed)
    table.add_row("all", str(pii["labelled"]), f"{pii['recall']:.3f}", "")
    console.print(table)
    summary = Table(title="PII - other figures")
    summary.add_column("figure")
    summary.add_column("value")
    summary.add_row("over-redaction (keep words lost)", f"{pii['over_redaction']:.3f} of {pii['keep_words']}")
    summary.add_row("lost keep words", "; ".join(pii["keep_lost"]) or "-")
    summary.add_row("precision (detected entities on a label)", f"{pii['precision']:.3f} of {pii['detected']}")
    summary.add_row("false positives", "; ".join(pii["false_positives"]) or "-")
    timing = pii["ms_per_call"]
    summary.add_row("ms per anonymize()", f"p50 {timing['p50']}  p95 {timing['p95']}")
    summary.add_row("placeholders", " ".join(PLACEHOLDERS.values()))
    console.print(summary)
    for key in ("themes", "themes_dev"):
        themes = result[key]
        micro = themes["micro"]
        title = (
            f"Themes - {themes['split']} half ({themes['cases']} cases): micro P {micro['precision']:.3f} "
            f"R {micro['recall']:.3f} F1 {micro['f1']:.3f}"
        )
        table = Table(title=title)
        for column in ("theme", "support", "precision", "recall", "F1"):
            table.add_column(column)
        for theme, figures in themes["per_theme"].items():
            table.add_row(
                theme,
                str(figures["support"]),
                f"{figures['precision']:.2f}",
                f"{figures['recall']:.2f}",
                f"{figures['f1']:.2f}",
            )
        console.print(table)
        timing = themes["ms_per_call"]
        console.print(
            f"no-theme accuracy {themes['no_theme_accuracy']:.2f}; ms per classify() p50 {timing['p50']} "
            f"p95 {timing['p95']}",
            highlight=False,
        )
        if key == "themes":
            for error in themes["errors"]:
                console.print(f"  {error['id']}: gold {error['gold']} predicted {error['predicted']}", highlight=False)


if __name__ == "__main__":
    main()
