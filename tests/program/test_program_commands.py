"""``tandem program`` and ``tandem match --cohort`` as an admin runs them (a subprocess with its own data folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "evals" / "datasets" / "profiles-example.yaml"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL"))}
    clean.update(DATA_DIR=str(tmp_path / "data"), LLM_PROVIDER="offline")
    return clean


def tandem(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )


def ok(env: dict[str, str], *args: str) -> str:
    result = tandem(env, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_an_admin_runs_a_cohort_from_the_command_line(env: dict[str, str]) -> None:
    assert "program 1" in ok(env, "program", "create", "Digital bridge", "--cadence-days", "14", "--metric", "sessions")
    assert "to 2027-07-12" in ok(env, "program", "cohort", "Digital bridge", "Spring", "--starts", "2027-01-11")
    enrolled = json.loads(ok(env, "program", "enrol", "--cohort", "Spring", "--profiles", str(EXAMPLE), "--json"))
    assert len(enrolled["enrolled"]) >= 4 and all(row["token"].startswith("tdm_") for row in enrolled["enrolled"])

    proposal = json.loads(ok(env, "match", "--cohort", "Spring", "--json"))
    file_proposal = json.loads(ok(env, "match", "--profiles", str(EXAMPLE), "--json"))
    assert [(p["mentor"], p["mentee"], p["score"]) for p in proposal["pairs"]] == [
        (p["mentor"], p["mentee"], p["score"]) for p in file_proposal["pairs"]
    ], "a cohort in the database is matched exactly like the same profiles in a file"
    assert all(isinstance(p["pair_id"], int) for p in proposal["pairs"])

    listed = json.loads(ok(env, "program", "pairs", "--cohort", "Spring", "--json"))["pairs"]
    assert {row["status"] for row in listed} == {"proposed"}
    assert f"{len(listed)} pairs confirmed" in ok(env, "program", "confirm", "--cohort", "Spring")
    again = tandem(env, "program", "confirm", str(listed[0]["pair_id"]))
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "only a proposed pair" in again.stderr

    report = json.loads(ok(env, "program", "report", "--cohort", "Spring", "--json"))
    assert report["k"] == 5 and report["participation"]["confirmed_pairs"]["suppressed"] is (2 * len(listed) < 5)
    stalled = json.loads(ok(env, "program", "stalled", "--json"))
    assert stalled == {"stalled_pairs": []}, "pairs confirmed today are not stalled"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["match"], "either --profiles FILE or --cohort NAME"),
        (["match", "--cohort", "Nowhere", "--json"], "no cohort called 'Nowhere'"),
        (["program", "cohort", "Missing", "C", "--starts", "2027-01-11"], "no program called 'Missing'"),
        (["program", "cohort", "Missing", "C", "--starts", "soon"], "--starts must be a date"),
        (["program", "create", "P", "--format", "holographic"], "format must be one of"),
        (["program", "report", "--cohort", "Nowhere"], "no cohort called"),
        (["program", "stalled", "--days", "0"], "--days must be at least 1"),
    ],
)
def test_bad_input_is_one_line_without_a_traceback(env: dict[str, str], args: list[str], message: str) -> None:
    result = tandem(env, *args)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
