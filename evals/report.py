"""Write an eval report as JSON (for machines and ``compare``) and Markdown (for people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.scoring import METRICS

REPORTS_DIR = Path(__file__).resolve().parent / "reports"
DATASET_ORDER = ("qa", "safety", "skills", "privacy")
MAX_FAILURES_SHOWN = 60


def report_stem(report: dict[str, Any]) -> str:
    return f"{report['recording']}-{report['run_at'][:10]}"


def write_report(report: dict[str, Any], directory: Path = REPORTS_DIR) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report)
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(to_markdown(report), encoding="utf-8")
    return json_path, md_path


def cell(value: Any, limit: int = 300) -> str:
    """A Markdown table cell: one line, pipes escaped, long text shortened."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def number(value: float | None, metric: str = "") -> str:
    """Rates with three decimals, counts (metrics named ``*_count``) as integers."""
    if value is None:
        return "not measured"
    return f"{value:.0f}" if metric.endswith("_count") else f"{value:.3f}"


def to_markdown(report: dict[str, Any]) -> str:
    p = report["provenance"]
    missed = [c for c in report["checks"] if not c["passed"]]
    verdict = "PASSED" if report["passed"] else "FAILED"
    lines = [
        f"# Eval report: {report['recording']}",
        "",
        f"**{verdict}**: {len(report['checks']) - len(missed)} of {len(report['checks'])} thresholds met, "
        f"{len(report['stale'])} stale cases.",
        "",
        f"- provider `{p['provider']}`" + (f", model `{p['model']}` at `{p['base_url_host']}`" if p["model"] else ""),
        f"- recorded {p['recorded_at']} (Tandem {p['tandem_version']}, chunker {p['chunker_version']}, "
        f"max_tokens {p['max_tokens']}); replayed {report['run_at']} from `{report['recording_dir']}`",
        "- prompts: " + ", ".join(f"`{name}` {digest[:12]}" for name, digest in sorted(p["prompts"].items())),
        "- settings: " + ", ".join(f"{k}={v}" for k, v in sorted(p["settings"].items())),
        "",
    ]
    if report.get("thresholds_note"):
        lines += [f"> thresholds: {report['thresholds_note']}", ""]
    lines += [f"> note: {note}" for note in report["notes"]]
    if report["stale"]:
        lines += ["", "## Stale cases", "", "The pipeline no longer does what was recorded: record again.", ""]
        lines += ["| dataset | id | why |", "|---|---|---|"]
        lines += [f"| {s['dataset']} | {s['case_id']} | {cell(s['why'])} |" for s in report["stale"]]
    checks = {(c["dataset"], c["metric"]): c for c in report["checks"]}
    for dataset in [d for d in DATASET_ORDER if d in report["datasets"]]:
        lines += _dataset_section(dataset, report["datasets"][dataset], checks)
    return "\n".join(lines) + "\n"


def _dataset_section(dataset: str, score: dict[str, Any], checks: dict[tuple[str, str], Any]) -> list[str]:
    lines = ["", f"## {dataset} ({score['cases']} cases)", ""]
    lines += ["| metric | value | threshold | met | what it measures |", "|---|---:|---:|---|---|"]
    names = list(score["metrics"]) + [m for m in score["skipped"] if m not in score["metrics"]]
    for metric in names:
        check = checks.get((dataset, metric))
        threshold = f"{'>=' if check['bound'] == 'min' else '<='} {check['threshold']:g}" if check else ""
        met = ("yes" if check["passed"] else "**NO**") if check else ""
        value = number(score["metrics"].get(metric), metric)
        lines.append(f"| {metric} | {value} | {threshold} | {met} | {cell(METRICS.get(metric, ''))} |")
    for metric, why in score["skipped"].items():
        lines.append(f"\nSkipped `{metric}`: {why}.")
    failures = score["failures"]
    if failures:
        lines += ["", f"### Failing cases ({len(failures)})", ""]
        lines += ["| id | question | answer | why |", "|---|---|---|---|"]
        for failure in failures[:MAX_FAILURES_SHOWN]:
            lines.append(
                f"| {failure['id']} | {cell(failure['question'], 160)} | {cell(failure['answer'])} | "
                f"{cell(failure['why'])} |"
            )
        if len(failures) > MAX_FAILURES_SHOWN:
            lines.append(f"\n... and {len(failures) - MAX_FAILURES_SHOWN} more in the JSON report.")
    return lines
