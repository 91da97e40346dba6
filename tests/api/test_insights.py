"""HR insights over HTTP and the command line: who may read them, the formats, and a seeded program."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.db.engine import transaction
from assistant.db.models import Message, ThemeEvent
from assistant.services import Services
from assistant.themes.classify import ThemeScore, load_taxonomy
from assistant.themes.events import Author, event_rows, store_events
from tests.conftest import Participants, auth
from tools.demo.themes import DEMO_PROVIDER, program_weeks, seed_program

ROOT = Path(__file__).resolve().parents[2]

API = "/api/v1"
WEEK = date(2031, 3, 10)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def seed_week(services: Services, counts: dict[tuple[str, str], int]) -> None:
    """``counts[(theme, role)]`` new participants each mention ``theme`` once in WEEK."""
    with transaction(services.db_factory) as db:
        for number, ((theme, role), count) in enumerate(counts.items()):
            for person in range(count):
                author = Author(900_000 + number * 100 + person, role, "atlas")
                rows = event_rows([ThemeScore(theme, 0.9)], author=author, when=WEEK, secret="s")
                store_events(db, rows)


@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_participants_never_see_insights(client: TestClient, participants: Participants, role: str) -> None:
    person = participants.add("Some One", role)
    for path in ("themes", "themes.csv", "themes.png"):
        assert client.get(f"{API}/insights/{path}", headers=auth(person)).status_code == 403


def test_hr_reads_insights_but_no_conversation_and_no_users(client: TestClient, participants: Participants) -> None:
    hr, mentee = participants.add("Hana Resources", "hr"), participants.add("Pat Senior", "mentee")
    conversation = client.post(f"{API}/conversations", json={}, headers=auth(mentee)).json()["id"]
    assert client.get(f"{API}/insights/themes", headers=auth(hr)).status_code == 200
    assert client.get(f"{API}/conversations", headers=auth(hr)).status_code == 403
    assert client.get(f"{API}/conversations/{conversation}", headers=auth(hr)).status_code == 403
    posted = client.post(f"{API}/conversations/{conversation}/messages", json={"content": "hi"}, headers=auth(hr))
    assert posted.status_code == 403
    assert client.get(f"{API}/users", headers=auth(hr)).status_code == 403


def test_json_csv_and_png_agree_and_show_suppression(
    client: TestClient, services: Services, participants: Participants
) -> None:
    seed_week(services, {("ai-tools", "mentee"): 7, ("ai-tools", "mentor"): 6, ("career-growth", "mentor"): 2})
    admin = participants.add("Ada Admin", "admin")
    query = {"since": WEEK.isoformat(), "until": WEEK.isoformat(), "by": "role"}

    response = client.get(f"{API}/insights/themes", params=query, headers=auth(admin))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["k"] == services.settings.k_anonymity == 5
    assert set(body["themes"]) == set(load_taxonomy().ids)
    cells = {(c["theme"], c["group"]): c for c in body["cells"]}
    assert cells[("ai-tools", None)]["participants"] == 13
    assert cells[("ai-tools", "mentee")]["participants"] == 7 and cells[("ai-tools", "mentor")]["participants"] == 6
    hidden = cells[("career-growth", "mentor")]
    assert (
        hidden["suppressed"] is True and hidden["participants"] is None and hidden["label"].startswith("fewer than 5")
    )
    assert len(body["cells"]) == len(body["themes"]) * 3

    sheet = client.get(f"{API}/insights/themes.csv", params=query, headers=auth(admin))
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert len(rows) == len(body["cells"])
    row = next(r for r in rows if r["theme"] == "career-growth" and r["group"] == "mentor")
    assert row["participants"] == "" and row["suppressed"] == "true"

    chart = client.get(f"{API}/insights/themes.png", params=query, headers=auth(admin))
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(PNG_MAGIC) and len(chart.content) > 5_000


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"period": "year"}, "period"),
        ({"by": "name"}, "by"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2031-05-01", "until": "2031-04-01"}, "after"),
    ],
)
def test_bad_queries_are_one_line_422s(
    client: TestClient, participants: Participants, query: dict[str, str], fragment: str
) -> None:
    hr = participants.add("Hana Resources", "hr")
    response = client.get(f"{API}/insights/themes", params=query, headers=auth(hr))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str) and fragment in detail


@pytest.mark.slow
def test_a_seeded_program_goes_through_the_real_path_and_reports_both_kinds_of_cells(
    client: TestClient, services: Services, participants: Participants
) -> None:
    end = date(2031, 6, 18)
    summary = seed_program(services, participants=36, cohorts=2, weeks=3, seed=11, end=end)
    assert summary.participants == 36 and summary.messages > 60 and summary.events > 40
    with services.db_factory() as db:
        replies = db.scalar(select(func.count()).where(Message.provider == DEMO_PROVIDER))
        weeks = set(db.scalars(select(ThemeEvent.week_start).distinct()))
    assert replies == summary.messages
    assert set(program_weeks(3, end)) <= weeks

    hr = participants.add("Hana Resources", "hr")
    query = {"since": program_weeks(3, end)[0].isoformat(), "until": end.isoformat(), "by": "cohort"}
    body = client.get(f"{API}/insights/themes", params=query, headers=auth(hr)).json()
    assert body["groups"] == ["atlas", "beacon"]
    published = [c for c in body["cells"] if not c["suppressed"]]
    suppressed = [c for c in body["cells"] if c["suppressed"]]
    assert published and suppressed
    assert all(c["participants"] >= 5 for c in published)


@pytest.mark.slow
def test_tandem_demo_seed_fast_and_themes_report(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL"))}
    env.update(DATA_DIR=str(tmp_path / "data"), LLM_PROVIDER="offline")

    def tandem(*args: str, module: str = "assistant") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", module, *args], env=env, capture_output=True, text=True, timeout=180, cwd=ROOT
        )

    seeded = tandem("seed", "--fast", "--participants", "60", "--weeks", "4", "--events", "3000", module="tools.demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "60 participants and 3000 theme events" in seeded.stdout

    chart = tmp_path / "themes.png"
    report = tandem("themes", "report", "--period", "month", "--by", "role", "--json", "--chart", str(chart))
    assert report.returncode == 0, report.stderr
    body = json.loads(report.stdout)
    assert body["period"] == "month" and body["groups"] == ["mentee", "mentor"]
    assert any(not c["suppressed"] for c in body["cells"]) and any(c["suppressed"] for c in body["cells"])
    assert chart.read_bytes().startswith(PNG_MAGIC)

    table = tandem("themes", "report")
    assert table.returncode == 0, table.stderr
    assert "ai-tools" in table.stdout and "* suppressed" in table.stdout

    bad = tandem("themes", "report", "--period", "year")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: unknown period 'year'; choose week or month"
