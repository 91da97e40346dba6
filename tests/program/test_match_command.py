"""``tandem match`` as a user runs it, and the comparison script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.commands import match
from assistant.config import PROJECT_ROOT
from tools import compare_matching as compare

EXAMPLE = PROJECT_ROOT / "evals" / "datasets" / "profiles-example.yaml"
# The command on a Typer app of its own, so these tests do not depend on assistant/cli.py.
RUN_MATCH = (
    "import typer; from assistant.commands import match; app = typer.Typer(); "
    "app.callback()(lambda: None); match.register(app); app()"
)


def tandem_match(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_MATCH, "match", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def invoke(*args: str) -> tuple[int, str, str]:
    """The command in this process (fast); the contract tests above run it as a user would."""
    app = typer.Typer()
    app.callback()(lambda: None)
    match.register(app)
    result = CliRunner().invoke(app, ["match", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_json_contract() -> None:
    result = tandem_match("--profiles", str(EXAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"pairs", "unmatched", "mean_score"}
    assert payload["pairs"] and payload["unmatched"]
    for pair in payload["pairs"]:
        assert set(pair) == {"mentor", "mentee", "score", "explanation"}
        assert isinstance(pair["mentor"], str) and isinstance(pair["mentee"], str)
        assert isinstance(pair["score"], float) and 0 < pair["score"] <= 1
        assert isinstance(pair["explanation"], str) and "\n" not in pair["explanation"]
    for person in payload["unmatched"]:
        assert set(person) == {"id", "role", "reason"} and person["role"] in {"mentor", "mentee"}
        assert person["reason"]
    assert isinstance(payload["mean_score"], float)
    pairs = {p["mentee"]: p["mentor"] for p in payload["pairs"]}
    assert pairs.get("me-01") != "mr-01"  # mr-01 reports to me-01
    reasons = {u["id"]: u["reason"] for u in payload["unmatched"]}
    assert reasons["me-06"] == "no mentor shares an availability slot"
    assert reasons["me-07"] == "no mentor teaches what they want to learn"


def test_bad_input_in_a_real_process_is_one_line_without_a_traceback() -> None:
    result = tandem_match("--profiles", "absent.yaml", "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == ["error: cannot read absent.yaml: No such file or directory"]


def test_the_text_output_names_people_and_reasons() -> None:
    code, out, err = invoke("--profiles", str(EXAMPLE))
    assert code == 0, err
    assert "Karin Albrecht (me-01)" in out
    assert "Hans Becker (me-06, mentee): no mentor shares an availability slot" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profiles", "absent.yaml"], "cannot read absent.yaml"),
        (["--profiles", str(EXAMPLE), "--min-score", "1.5"], "--min-score must be above 0 and at most 1"),
        (["--profiles", str(EXAMPLE), "--min-score", "0"], "--min-score must be above 0"),
        (["--profiles", str(EXAMPLE), "--skills", "absent-skills.yaml"], "cannot read the skills list"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert err.strip().startswith("error:") and message in err
    assert len(err.strip().splitlines()) == 1 and out == ""


def test_an_unknown_skill_in_the_file_is_reported_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    path.write_text(
        "- {id: a, role: mentor, department: IT, teaches: [Excell], availability: [tue-am], format: remote}\n"
    )
    code, _, err = invoke("--profiles", str(path), "--json")
    assert code == 2
    assert err.strip() == f"error: {path} row 1: profile a: teaches: unknown skill 'Excell' (not on the skills list)"


def test_the_comparison_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert compare.main(["--mentors", "12", "--mentees", "10", "--runs", "3", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    optimal, fair, naive = table.values()
    assert optimal["mean_score"] > fair["mean_score"]
    assert optimal["constraint_violations"] == fair["constraint_violations"] == 0
    assert naive["pairs"] == 10
