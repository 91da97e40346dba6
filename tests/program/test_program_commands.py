"""``tandem program`` and ``tandem match --cohort`` as an admin runs them (a subprocess with its own data folder)."""

from __future__ import annotations

import datetime as dt
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


def test_a_pair_works_from_the_command_line_with_their_tokens(env: dict[str, str]) -> None:
    ok(env, "program", "create", "Digital bridge")
    ok(env, "program", "cohort", "Digital bridge", "Spring", "--starts", dt.date.today().isoformat())
    enrolled = json.loads(ok(env, "program", "enrol", "--cohort", "Spring", "--profiles", str(EXAMPLE), "--json"))
    tokens = {row["id"]: row["token"] for row in enrolled["enrolled"]}
    first = json.loads(ok(env, "match", "--cohort", "Spring", "--json"))["pairs"][0]
    ok(env, "program", "confirm", str(first["pair_id"]))
    mentor, mentee = tokens[first["mentor"]], tokens[first["mentee"]]

    drafted = json.loads(ok(env, "pair", "agreement", "--token", mentor, "--draft", "--json"))["agreement"]
    assert drafted["version"] == 1 and drafted["unfilled"]
    sets = [arg for label in drafted["unfilled"] for arg in ("--set", f"{label}=agreed in session one")]
    assert json.loads(ok(env, "pair", "agreement", "--token", mentee, *sets, "--json"))["agreement"]["unfilled"] == []
    ok(env, "pair", "agreement", "--token", mentor, "--accept", "2")
    accepted = json.loads(ok(env, "pair", "agreement", "--token", mentee, "--accept", "2", "--json"))["agreement"]
    assert accepted["accepted"] is True

    today = dt.date.today().isoformat()
    assert "1 actions" in ok(
        env, "pair", "log", "--token", mentee, "--held-on", today, "--rating", "4",
        "--notes", "Built a first dashboard", "--action", "Share the dashboard with the team|mentee|2030-01-31",
    )  # fmt: skip
    shown = json.loads(ok(env, "pair", "show", "--token", mentor, "--json"))
    assert [a["text"] for a in shown["open_actions"]] == ["Share the dashboard with the team"]
    assert shown["agreement"]["accepted"] and shown["sessions"][0]["notes"] == "Built a first dashboard"
    ok(env, "pair", "done", str(shown["open_actions"][0]["id"]), "--token", mentee)
    assert json.loads(ok(env, "pair", "show", "--token", mentee, "--json"))["open_actions"] == []

    scores = ["--score", "useful=4", "--score", "open=5", "--score", "next_steps=3"]
    session_id = str(shown["sessions"][0]["id"])
    assert "thank you" in ok(env, "pulse", "--token", mentee, "--session", session_id, *scores)
    again = tandem(env, "pulse", "--token", mentee, "--session", session_id, *scores)
    assert again.returncode == 2 and "already answered" in again.stderr
    stranger = tandem(env, "pair", "show", "--token", "tdm_not-a-token")
    assert stranger.returncode == 2 and stranger.stderr.strip() == "error: invalid or inactive token"


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
