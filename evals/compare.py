"""Side-by-side comparison of providers: one Markdown table per dataset, one column per report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals.report import DATASET_ORDER, number


def compare_markdown(reports: Sequence[dict[str, Any]]) -> str:
    names = [r["recording"] for r in reports]
    lines = ["# Provider comparison", ""]
    lines += [
        f"- `{r['recording']}`: {r['provenance']['provider']} {r['provenance']['model']} "
        f"(recorded {r['provenance']['recorded_at'][:10]}, replayed {r['run_at'][:10]}): "
        f"{'PASSED' if r['passed'] else 'FAILED'}, {len(r['stale'])} stale"
        for r in reports
    ]
    datasets = [d for d in DATASET_ORDER if any(d in r["datasets"] for r in reports)]
    for dataset in datasets:
        metrics: list[str] = []
        for report in reports:
            for metric in report["datasets"].get(dataset, {}).get("metrics", {}):
                if metric not in metrics:
                    metrics.append(metric)
        lines += ["", f"## {dataset}", "", "| metric | " + " | ".join(names) + " |"]
        lines.append("|---|" + "---:|" * len(names))
        for metric in metrics:
            values = [_value(report, dataset, metric) for report in reports]
            lines.append(f"| {metric} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def _value(report: dict[str, Any], dataset: str, metric: str) -> str:
    value = report["datasets"].get(dataset, {}).get("metrics", {}).get(metric)
    text = number(value, metric)
    check = next((c for c in report["checks"] if c["dataset"] == dataset and c["metric"] == metric), None)
    if check is not None and not check["passed"]:
        text += " (below threshold)" if check["bound"] == "min" else " (above threshold)"
    return text
