"""The ``tandem`` command as a user runs it (a subprocess with its own data folder)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def tandem_env(tmp_path: Path, indexed_chroma: Path) -> dict[str, str]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(indexed_chroma, data / "chroma")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL"))}
    env.update(DATA_DIR=str(data), LLM_PROVIDER="offline")
    return env


def tandem(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_ask_json_contract(tandem_env: dict[str, str]) -> None:
    result = tandem(tandem_env, "ask", "How should I give feedback to my senior mentee?", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"answer", "citations", "provider", "in_scope"}
    assert payload["provider"] == "offline" and payload["in_scope"] is True
    assert "offline assistant" in payload["answer"]
    assert any(c["source"] == "knowledge/feedback-across-generations.md" for c in payload["citations"])
    assert all(set(c) == {"source", "section", "text"} for c in payload["citations"])


def test_ask_declines_out_of_scope(tandem_env: dict[str, str]) -> None:
    payload = json.loads(tandem(tandem_env, "ask", "Can you fix my Python TypeError?", "--json").stdout)
    assert payload["in_scope"] is False and payload["citations"] == []


@pytest.mark.parametrize(
    "args", [["ask", "  "], ["ask", "hi", "--role", "ceo"], ["users", "add", "X", "--role", "boss"]]
)
def test_bad_input_is_one_line_and_exit_2(tandem_env: dict[str, str], args: list[str]) -> None:
    result = tandem(tandem_env, *args)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error:") and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_users_add_prints_token_once_and_list_never_shows_it(tandem_env: dict[str, str]) -> None:
    added = tandem(tandem_env, "users", "add", "Robin Mentor", "--role", "mentor")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("tdm_")
    listing = tandem(tandem_env, "users", "list")
    assert "Robin Mentor" in listing.stdout and "mentor" in listing.stdout
    assert token not in listing.stdout


def test_ingest_reports_a_one_line_summary(tandem_env: dict[str, str]) -> None:
    result = tandem(tandem_env, "ingest")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("0 chunks embedded")
    assert "unchanged" in result.stdout


def test_goals_commands_show_and_change_only_your_own(tandem_env: dict[str, str]) -> None:
    from assistant.config import Settings
    from assistant.db import crud
    from assistant.db.engine import make_db_factory, make_engine, migrate, transaction

    settings = Settings(_env_file=None, data_dir=Path(tandem_env["DATA_DIR"]))  # type: ignore[call-arg]
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    with transaction(make_db_factory(engine)) as db:
        owner, owner_token = crud.create_user(db, name="Goal Owner", role="mentee")
        _, other_token = crud.create_user(db, name="Other Person", role="mentee")
        goal_id = crud.create_goal(db, user=owner, text="Learn Excel pivot tables", criteria={}).id
    engine.dispose()

    listed = json.loads(tandem(tandem_env, "goals", "list", "--token", owner_token, "--json").stdout)
    assert [g["id"] for g in listed["goals"]] == [goal_id]
    assert json.loads(tandem(tandem_env, "goals", "list", "--token", other_token, "--json").stdout) == {"goals": []}

    refused = tandem(tandem_env, "goals", "update", str(goal_id), "--token", other_token, "--status", "done")
    assert refused.returncode == 2 and "not found" in refused.stderr
    updated = tandem(
        tandem_env,
        "goals",
        "update",
        str(goal_id),
        "--token",
        owner_token,
        "--status",
        "active",
        "--text",
        "By 30 June I will build one pivot table report for my team's monthly review.",
    )
    assert updated.returncode == 0, updated.stderr
    goal = json.loads(tandem(tandem_env, "goals", "list", "--token", owner_token, "--json").stdout)["goals"][0]
    assert goal["status"] == "active" and len(goal["smart_met"]) >= 4
    assert goal["target_date"] and goal["target_date"].endswith("-06-30"), "the date its own words set"
    assert tandem(tandem_env, "goals", "list", "--token", "wrong").returncode == 2

    added = tandem(tandem_env, "goals", "add", "Get better at Teams", "--token", other_token, "--json")
    assert added.returncode == 0, added.stderr
    saved = json.loads(added.stdout)
    assert saved["text"] == "Get better at Teams" and "time_bound" not in saved["smart_met"]
    listed = json.loads(tandem(tandem_env, "goals", "list", "--token", other_token, "--json").stdout)["goals"]
    assert [g["id"] for g in listed] == [saved["id"]], "saved for its owner only"
    for bad in (["Learn [which tool or task] by June"], ["Learn Excel", "--target-date", "2020-01-01"]):
        refused = tandem(tandem_env, "goals", "add", *bad, "--token", other_token)
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr


def test_chat_rehearse_mode_in_the_terminal(tandem_env: dict[str, str]) -> None:
    lines = (
        "You're a dinosaur with this stuff.\n"
        "In Tuesday's call you shared your screen with notifications on, and the client saw our pricing thread.\n\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "chat", "--mode", "rehearse", "--attitude", "busy"],
        input=lines,
        env=tandem_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "judgmental: 'dinosaur'" in result.stdout
    assert "critique: S+ B+ I+; no flags" in result.stdout
    assert "Rehearsal summary** (2 lines)" in result.stdout and "SBI parts missed" in result.stdout


def chat(env: dict[str, str], *args: str, lines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "chat", *args],
        input=lines,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_chat_turns_are_stored_and_can_be_resumed(tandem_env: dict[str, str]) -> None:
    first = chat(tandem_env, "--mode", "ask", lines="How often should pairs meet?\n\n")
    assert first.returncode == 0, first.stderr
    conversation = re.search(r"conversation ([0-9a-f-]{8,})", first.stdout)
    assert conversation and "[1] knowledge/" in first.stdout

    resumed = chat(tandem_env, "--resume", conversation.group(1), lines="And who sets the agenda?\n\n")
    assert resumed.returncode == 0, resumed.stderr
    assert "you> How often should pairs meet?" in resumed.stdout

    stranger = chat(tandem_env, "--role", "mentor", "--resume", conversation.group(1), lines="\n")
    assert stranger.returncode == 2 and stranger.stderr.strip().startswith("error: no conversation")
    assert "Traceback" not in stranger.stderr
    assert chat(tandem_env, "--role", "hr", lines="\n").returncode == 2


def test_chat_ends_on_exit_words_and_refuses_what_the_api_refuses(tandem_env: dict[str, str]) -> None:
    long_line = "word " * 4000  # 20,000 characters: the API answers 422, the chat says why and goes on
    result = chat(tandem_env, lines=f"{long_line}\nHow often should pairs meet?\n/exit\nWhat is SBI?\n")
    assert result.returncode == 0, result.stderr
    assert "error: message is longer than 4000 characters" in result.stderr
    assert "[1] knowledge/" in result.stdout  # the line after the refused one was answered
    conversation = re.search(r"conversation ([0-9a-f-]{8,})", result.stdout)
    assert conversation
    resumed = chat(tandem_env, "--resume", conversation.group(1), lines="quit\n")
    assert resumed.returncode == 0, resumed.stderr
    shown = [line for line in resumed.stdout.splitlines() if line.startswith("you> ") and line[5:].strip()]
    assert shown == ["you> How often should pairs meet?"]  # not the refused line, /exit or what followed


def test_ingest_of_a_path_that_does_not_exist_is_an_error(tandem_env: dict[str, str]) -> None:
    result = tandem(tandem_env, "ingest", "/nope/guide.md")
    assert result.returncode == 2 and result.stderr.strip() == "error: no such file or folder: /nope/guide.md"


def test_ask_takes_the_chat_input_rule(tandem_env: dict[str, str]) -> None:
    for text, why in (("\u200b \u200b", "must not be empty"), ("x" * 4001, "longer than 4000 characters")):
        result = tandem(tandem_env, "ask", "--json", "--", text)
        assert result.returncode == 2 and why in result.stderr and "Traceback" not in result.stderr


def test_a_local_mentor_resumes_without_naming_the_role_again(tandem_env: dict[str, str]) -> None:
    first = chat(tandem_env, "--role", "mentor", lines="What is SBI?\n\n")
    conversation = re.search(r"conversation ([0-9a-f-]{8,})", first.stdout)
    assert first.returncode == 0 and conversation, first.stderr
    resumed = chat(tandem_env, "--resume", conversation.group(1), lines="\n")
    assert resumed.returncode == 0, resumed.stderr
    assert "you> What is SBI?" in resumed.stdout


def test_the_terminal_participant_is_not_a_name_to_scrub(tandem_env: dict[str, str]) -> None:
    assert chat(tandem_env, lines="What is SBI?\n\n").returncode == 0
    text = "The mentee and I met at Terminal 2 after the session."
    assert json.loads(tandem(tandem_env, "anonymize", "--json", "--", text).stdout)["text"] == text


def test_anonymize_reads_the_organisations_id_patterns(tandem_env: dict[str, str]) -> None:
    text = "Please move QX/88/1234 to the spring cohort."
    plain = tandem(tandem_env, "anonymize", "--json", "--", text)
    configured = tandem(
        {**tandem_env, "PII_ID_PATTERNS": '["QX/\\\\d{2}/\\\\d{4}"]'}, "anonymize", "--json", "--", text
    )

    assert json.loads(plain.stdout)["text"] == text
    payload = json.loads(configured.stdout)
    assert payload["text"] == "Please move [ID] to the spring cohort."
    assert payload["entities"] == [{"type": "ID", "start": 12, "end": 22}]
