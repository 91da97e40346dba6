from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from icalendar import Calendar
from typer.testing import CliRunner, Result

from assistant.coaching.calendar import agenda_to_ics
from assistant.coaching.sessions import (
    FORMATS,
    MAX_MINUTES,
    MIN_MINUTES,
    SESSION_TYPES,
    GoalBrief,
    apportion,
    plan_session,
)
from assistant.commands import plan
from assistant.config import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"
GOALS = [
    GoalBrief(1, "Build one Power BI dashboard for the weekly sales review", date(2026, 3, 31)),
    GoalBrief(2, "Run the weekly team call with a shared agenda and polls"),
]
ACTIONS = ["Try a poll in Thursday's call", "Send the agenda a day ahead"]


@pytest.mark.parametrize("session", SESSION_TYPES)
@pytest.mark.parametrize("format", FORMATS)
def test_every_length_adds_up_exactly_with_no_empty_item(format: str, session: str) -> None:
    for minutes in range(MIN_MINUTES, MAX_MINUTES + 1):
        agenda = plan_session(
            minutes=minutes, format=format, session=session, goals=GOALS, open_actions=ACTIONS, knowledge_dir=KNOWLEDGE
        )
        shares = [item.minutes for item in agenda.items]
        assert sum(shares) == minutes == agenda.as_contract()["total_minutes"], (minutes, shares)
        assert all(share >= 1 for share in shares), (minutes, shares)
        for item in agenda.items:
            assert item.purpose.strip() and "\n" not in item.purpose
            assert item.citations and all(c["source"].startswith("knowledge/") for c in item.citations)


def test_apportion_keeps_minimums_and_total() -> None:
    assert apportion(10, [1, 1, 1], [1, 1, 1]) == [4, 3, 3]
    assert apportion(20, [1, 50, 1], [3, 3, 3]) == [3, 14, 3]
    with pytest.raises(ValueError):
        apportion(5, [1, 1], [3, 3])


def test_first_session_includes_the_mentoring_agreement() -> None:
    agenda = plan_session(minutes=60, format="in-person", session="first", knowledge_dir=KNOWLEDGE)
    agreement = [item for item in agenda.items if "agreement" in item.title.lower()]
    assert agreement
    assert any(c["source"] == "knowledge/mentoring-agreement.md" for c in agreement[0].citations)
    titles = [item.title for item in agenda.items]
    assert titles[0].startswith("Introductions") and titles[-1] == "Next steps"


def test_short_first_session_folds_goals_into_next_steps() -> None:
    agenda = plan_session(minutes=15, format="hybrid", session="first", goals=GOALS, knowledge_dir=KNOWLEDGE)
    assert "First development goals" not in [item.title for item in agenda.items]
    next_steps = agenda.items[-1]
    assert "Power BI dashboard" in next_steps.purpose
    assert any(c["source"] == "knowledge/development-goals.md" for c in next_steps.citations)


def test_closing_session_reviews_goals_and_looks_ahead() -> None:
    agenda = plan_session(minutes=60, format="remote", session="closing", goals=GOALS, knowledge_dir=KNOWLEDGE)
    titles = " | ".join(item.title.lower() for item in agenda.items)
    assert "review" in titles and "next steps" in titles and "celebrate" in titles
    assert "Power BI dashboard" in agenda.items[1].purpose


def test_regular_session_names_goals_and_open_actions() -> None:
    agenda = plan_session(
        minutes=45,
        format="remote",
        session="regular",
        goals=GOALS,
        open_actions=ACTIONS,
        last_notes="Polls worked;\nbreakout rooms did not.",
        knowledge_dir=KNOWLEDGE,
    )
    by_title = {item.title: item for item in agenda.items}
    grow = by_title["GROW on the active goals"]
    assert all(word in grow.purpose for word in ("Goal", "Reality", "Options", "Way forward"))
    assert "Power BI dashboard" in grow.purpose and "(by 2026-03-31)" in grow.purpose
    assert "shared agenda and polls" in grow.purpose
    review = by_title["Review of open actions"]
    assert all(action in review.purpose for action in ACTIONS)
    assert "breakout rooms did not" in review.purpose


def test_format_shapes_the_plan() -> None:
    remote = plan_session(minutes=45, format="remote", session="regular", knowledge_dir=KNOWLEDGE)
    assert remote.items[0].title == "Tech check" and "screen" in remote.items[0].purpose
    for format, word in (("in-person", "side by side"), ("hybrid", "in person")):
        agenda = plan_session(minutes=45, format=format, session="regular", knowledge_dir=KNOWLEDGE)
        assert "Tech check" not in [item.title for item in agenda.items]
        noted = [item for item in agenda.items if word in item.purpose]
        assert noted and any("In-person, remote and hybrid" in c["section"] for c in noted[0].citations)


@pytest.mark.parametrize(
    ("minutes", "format", "session"),
    [
        (14, "remote", "first"),
        (121, "remote", "first"),
        (True, "remote", "first"),
        (45, "zoom", "first"),
        (45, "remote", "weekly"),
    ],
)
def test_invalid_input_raises_one_line_value_error(minutes: int, format: str, session: str) -> None:
    with pytest.raises(ValueError) as raised:
        plan_session(minutes=minutes, format=format, session=session, knowledge_dir=KNOWLEDGE)
    assert "\n" not in str(raised.value)


def test_contract_shape() -> None:
    contract = plan_session(minutes=45, format="remote", session="first", knowledge_dir=KNOWLEDGE).as_contract()
    assert set(contract) == {"items", "total_minutes"}
    for item in contract["items"]:
        assert set(item) == {"title", "minutes", "purpose", "citations"}
        assert all(set(c) == {"source", "section", "text"} for c in item["citations"])
    json.dumps(contract)


def test_markdown_lists_every_item() -> None:
    agenda = plan_session(minutes=50, format="hybrid", session="closing", goals=GOALS, knowledge_dir=KNOWLEDGE)
    markdown = agenda.to_markdown()
    assert all(item.title in markdown for item in agenda.items)
    assert "knowledge/planning-sessions.md" in markdown


def test_ics_round_trips_with_the_session_length() -> None:
    agenda = plan_session(minutes=50, format="remote", session="regular", goals=GOALS, knowledge_dir=KNOWLEDGE)
    start = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    payload = agenda_to_ics(agenda, start=start, location="Teams")
    event = next(iter(Calendar.from_ical(payload).walk("VEVENT")))
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=50)
    assert str(event["location"]) == "Teams"
    description = str(event["description"])
    assert all(item.title in description for item in agenda.items)
    assert "dtstamp" in event and str(event["uid"]).endswith("@tandem")
    assert str(event["uid"]) == str(Calendar.from_ical(agenda_to_ics(agenda, start=start)).walk("VEVENT")[0]["uid"])


def test_ics_keeps_a_naive_start_as_local_time() -> None:
    agenda = plan_session(minutes=30, format="in-person", session="first", knowledge_dir=KNOWLEDGE)
    event = Calendar.from_ical(agenda_to_ics(agenda, start=datetime(2026, 3, 3, 9, 30), uid="pair-7")).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 3, 3, 9, 30)
    assert event.decoded("dtend") == datetime(2026, 3, 3, 10, 0)
    assert str(event["uid"]) == "pair-7"


def _cli(*args: str) -> Result:
    app = typer.Typer()
    app.callback()(lambda: None)
    plan.register(app)
    return CliRunner().invoke(app, ["plan", *args])


NEXT_WEEK = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT10:00")  # the CLI refuses a start in the past


def test_cli_prints_one_json_object_and_writes_ics(tmp_path: Path) -> None:
    ics = tmp_path / "session.ics"
    done = _cli(
        "--minutes", "45", "--format", "remote", "--session", "regular", "--goal", "Build a dashboard",
        "--action", "Try a poll", "--json", "--ics", str(ics), "--start", NEXT_WEEK,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    contract = json.loads(done.stdout)
    assert sum(item["minutes"] for item in contract["items"]) == contract["total_minutes"] == 45
    assert "Build a dashboard" in done.stdout and "Try a poll" in done.stdout
    event = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")[0]
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)


@pytest.mark.parametrize(
    "args",
    [
        ["--minutes", "10", "--format", "remote", "--session", "first"],
        ["--minutes", "45", "--format", "zoom", "--session", "first"],
        ["--minutes", "45", "--format", "remote", "--session", "first", "--ics", "x.ics"],
        ["--minutes", "45", "--format", "remote", "--session", "first", "--json", "--markdown"],
        [
            "--minutes",
            "45",
            "--format",
            "remote",
            "--session",
            "first",
            "--ics",
            "x.ics",
            "--start",
            "2020-01-06T10:00",
        ],
    ],
)
def test_cli_bad_input_is_one_line_exit_2(args: list[str]) -> None:
    done = _cli(*args)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1


def test_cli_plain_output_wraps_long_lines_instead_of_cutting_them() -> None:
    done = _cli("--minutes", "45", "--format", "remote", "--session", "regular")
    assert done.exit_code == 0, done.stderr
    flowing = " ".join(done.stdout.split())
    assert "cameras on if possible" in flowing  # the tech check's last words, past column 80
