"""``tandem eval``: exit codes follow the thresholds; ``compare`` lays reports side by side."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import PROJECT_ROOT

OFFLINE = PROJECT_ROOT / "evals" / "recordings" / "offline"
runner = CliRunner()


def thresholds(tmp_path: Path, hit_at_5: float) -> Path:
    path = tmp_path / f"thresholds-{hit_at_5}.yaml"
    path.write_text(f"defaults:\n  safety:\n    leak_count: {{max: 0}}\n  qa:\n    hit_at_5: {{min: {hit_at_5}}}\n")
    return path


def run_eval(eval_data_dir: Path, tmp_path: Path, hit_at_5: float) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "eval", "run", "--replay", str(OFFLINE), "--no-live", "--data-dir", str(eval_data_dir),
            "--thresholds", str(thresholds(tmp_path, hit_at_5)), "--report-dir", str(tmp_path / "reports"),
        ],
    )  # fmt: skip
    return result.exit_code, result.output


def test_run_passes_then_fails_when_a_threshold_is_out_of_reach(eval_data_dir: Path, tmp_path: Path) -> None:
    code, output = run_eval(eval_data_dir, tmp_path, 0.5)
    assert code == 0, output
    assert "PASSED offline" in output
    code, output = run_eval(eval_data_dir, tmp_path, 1.01)
    assert code == 1
    assert "missed qa.hit_at_5" in output and "needs >= 1.01" in output


def test_compare_puts_reports_side_by_side(eval_data_dir: Path, tmp_path: Path) -> None:
    run_eval(eval_data_dir, tmp_path, 0.5)
    (report,) = (tmp_path / "reports").glob("offline-*.json")
    other = json.loads(report.read_text())
    other["recording"] = "other-model"
    other["datasets"]["qa"]["metrics"]["hit_at_5"] = 0.25
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other))
    result = runner.invoke(app, ["eval", "compare", str(report), str(other_path)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("| hit_at_5 |"))
    assert "| offline | other-model |" in result.output
    assert row.split("|")[3].strip().startswith("0.250")
