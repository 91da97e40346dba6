"""Goals, plans and the conversation modes over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.api.test_conversations import sse_events
from tests.conftest import Participants, auth

API = "/api/v1"
DRAFT = "get better at tech"
GOOD = "By 31 March I will build one Power BI dashboard for my team's weekly sales review."


def test_goal_check_contract_over_http(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    body = client.post(f"{API}/goals/check", json={"text": DRAFT}, headers=auth(mentee)).json()
    assert set(body) == {"criteria", "questions", "suggestion", "citations"}
    assert body["criteria"]["time_bound"]["met"] is False
    assert 1 <= len(body["questions"]) <= 3 and "[" in body["suggestion"]


def test_goals_are_saved_updated_and_private(client: TestClient, participants: Participants) -> None:
    owner, other = participants.add("Goal Owner"), participants.add("Someone Else")
    created = client.post(
        f"{API}/goals",
        json={
            "text": GOOD,
            "status": "active",
            "milestones": [{"text": "draft the layout"}],
            "target_date": "2027-03-31",
        },
        headers=auth(owner),
    )
    assert created.status_code == 201, created.text
    goal = created.json()
    assert all(goal["criteria"][k]["met"] for k in goal["criteria"])
    assert goal["milestones"] == [{"text": "draft the layout", "done": False}]

    updated = client.patch(f"{API}/goals/{goal['id']}", json={"status": "done", "text": DRAFT}, headers=auth(owner))
    assert updated.status_code == 200
    assert updated.json()["status"] == "done" and updated.json()["criteria"]["specific"]["met"] is False

    assert client.get(f"{API}/goals/{goal['id']}", headers=auth(other)).status_code == 404
    assert client.patch(f"{API}/goals/{goal['id']}", json={"status": "draft"}, headers=auth(other)).status_code == 404
    assert client.delete(f"{API}/goals/{goal['id']}", headers=auth(other)).status_code == 404
    assert client.get(f"{API}/goals", headers=auth(other)).json()["count"] == 0
    assert client.get(f"{API}/goals?status=done", headers=auth(owner)).json()["count"] == 1
    assert client.delete(f"{API}/goals/{goal['id']}", headers=auth(owner)).status_code == 204
    assert client.get(f"{API}/goals", headers=auth(owner)).json()["count"] == 0


def test_bad_goal_drafts_are_refused_and_nothing_is_stored(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    for text, status in [
        ("", 422),
        ("   ", 422),
        ("x " * 1500, 422),
        ("Ich möchte bis März besser mit Excel arbeiten.", 422),
    ]:
        response = client.post(f"{API}/goals", json={"text": text}, headers=auth(mentee))
        assert response.status_code == status, (text[:20], response.text)
        assert isinstance(response.json()["detail"], str)
    assert client.get(f"{API}/goals", headers=auth(mentee)).json()["count"] == 0
    assert client.get(f"{API}/goals/999999", headers=auth(mentee)).status_code == 404
    hr = participants.add("HR Person", "hr")
    assert client.get(f"{API}/goals", headers=auth(hr)).status_code == 403


def test_plan_uses_own_goals_and_exports_ics(client: TestClient, participants: Participants) -> None:
    mentee, other = participants.add(), participants.add("Other")
    goal_id = client.post(f"{API}/goals", json={"text": GOOD, "status": "active"}, headers=auth(mentee)).json()["id"]
    body = {
        "minutes": 30,
        "format": "remote",
        "session": "regular",
        "goal_ids": [goal_id],
        "open_actions": ["try Copilot"],
    }
    agenda = client.post(f"{API}/plans", json=body, headers=auth(mentee)).json()
    assert sum(i["minutes"] for i in agenda["items"]) == agenda["total_minutes"] == 30
    assert "Power BI" in json.dumps(agenda) and "try Copilot" in json.dumps(agenda)
    assert client.post(f"{API}/plans", json=body, headers=auth(other)).status_code == 404
    assert client.post(f"{API}/plans", json={**body, "minutes": 10}, headers=auth(mentee)).status_code == 422

    start = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    ics = client.post(f"{API}/plans/ics", json={**body, "start": start}, headers=auth(mentee))
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    past = client.post(f"{API}/plans/ics", json={**body, "start": "2020-01-12T10:00:00+00:00"}, headers=auth(mentee))
    assert past.status_code == 422 and "in the past" in past.json()["detail"]
    far = client.post(f"{API}/plans/ics", json={**body, "start": "9999-12-31T23:59:00+00:00"}, headers=auth(mentee))
    assert far.status_code == 422 and "two years" in far.json()["detail"]
    event = next(c for c in Calendar.from_ical(ics.content).walk() if c.name == "VEVENT")
    assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == 30 * 60


def post(client: TestClient, person: dict[str, str], conversation: str, content: str) -> dict:  # type: ignore[type-arg]
    response = client.post(
        f"{API}/conversations/{conversation}/messages", json={"content": content}, headers=auth(person)
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_goal_mode_replies_with_the_smart_check(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    conversation = client.post(f"{API}/conversations", json={"mode": "goal"}, headers=auth(mentee)).json()["id"]
    reply = post(client, mentee, conversation, DRAFT)["reply"]
    assert "SMART check" in reply["content"] and reply["data"]["goal_check"]["criteria"]["specific"]["met"] is False
    assert reply["citations"][0]["source"] == "knowledge/development-goals.md"
    bad = client.post(
        f"{API}/conversations/{conversation}/messages", json={"content": "x" * 2500}, headers=auth(mentee)
    )
    assert bad.status_code == 422
    messages = client.get(f"{API}/conversations/{conversation}", headers=auth(mentee)).json()["messages"]
    assert len(messages) == 2


def test_plan_mode_keeps_its_settings_across_turns(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    created = client.post(
        f"{API}/conversations",
        json={"mode": "plan", "plan": {"minutes": 60, "format": "hybrid", "session": "first"}},
        headers=auth(mentee),
    ).json()
    first = post(client, mentee, created["id"], "Please plan our first session.")["reply"]
    assert first["data"]["agenda"]["total_minutes"] == 60
    second = post(client, mentee, created["id"], "Make it 30 minutes")["reply"]
    assert second["data"]["agenda"]["total_minutes"] == 30 and second["data"]["plan"]["format"] == "hybrid"
    state = client.get(f"{API}/conversations/{created['id']}", headers=auth(mentee)).json()["state"]
    assert state["plan"] == {"minutes": 30, "format": "hybrid", "session": "first"}


def test_rehearse_mode_reacts_differently_and_streams(client: TestClient, participants: Participants) -> None:
    mentor = participants.add("Young Mentor", "mentor")
    created = client.post(
        f"{API}/conversations",
        json={"mode": "rehearse", "persona": {"attitude": "defensive", "role": "Head of Sales"}},
        headers=auth(mentor),
    ).json()
    opening = client.get(f"{API}/conversations/{created['id']}", headers=auth(mentor)).json()["messages"]
    assert [m["role"] for m in opening] == ["assistant"]

    harsh = post(client, mentor, created["id"], "You're a dinosaur with this stuff.")["reply"]
    assert harsh["data"]["reaction"] == "judgment"
    assert any(f["span"].lower() == "dinosaur" for f in harsh["data"]["critique"]["flags"])
    with client.stream(
        "POST",
        f"{API}/conversations/{created['id']}/messages",
        json={
            "content": "In Tuesday's call you shared your screen with notifications on, "
            "and the client saw our pricing thread."
        },
        headers={**auth(mentor), "Accept": "text/event-stream"},
    ) as response:
        events = sse_events("".join(response.iter_text()))
    good = events[-1][1]
    assert good["data"]["reaction"] == "sbi" and good["content"] != harsh["content"]

    summary = post(client, mentor, created["id"], "end rehearsal")["reply"]
    assert summary["data"]["summary"]["lines"] == 2
    state = client.get(f"{API}/conversations/{created['id']}", headers=auth(mentor)).json()["state"]
    assert state["persona"]["attitude"] == "defensive" and len(state["critiques"]) == 2


def test_unknown_persona_attitude_is_422(client: TestClient, participants: Participants) -> None:
    mentor = participants.add("M", "mentor")
    response = client.post(
        f"{API}/conversations", json={"mode": "rehearse", "persona": {"attitude": "angry"}}, headers=auth(mentor)
    )
    assert response.status_code == 422 and response.json()["detail"].startswith("persona.attitude")


def test_goal_dates_in_words_and_placeholders(client: TestClient, participants: Participants) -> None:
    mentee = auth(participants.add())
    worded = "By 31 December 2030 I will build one Power BI dashboard for my team's weekly sales review."
    saved = client.post("/api/v1/goals", json={"text": worded}, headers=mentee)
    assert saved.status_code == 201 and saved.json()["target_date"] == "2030-12-31"

    goal_id = saved.json()["id"]
    moved = client.patch(f"/api/v1/goals/{goal_id}", json={"target_date": "in 6 weeks"}, headers=mentee)
    assert moved.status_code == 200 and moved.json()["target_date"] > saved.json()["created_at"][:10]
    past = client.patch(f"/api/v1/goals/{goal_id}", json={"target_date": "2020-01-01"}, headers=mentee)
    assert past.status_code == 422 and "in the past" in past.json()["detail"]
    nonsense = client.patch(f"/api/v1/goals/{goal_id}", json={"target_date": "whenever"}, headers=mentee)
    assert nonsense.status_code == 422 and "cannot read" in nonsense.json()["detail"]

    milestones = [{"text": "Collect the sales exports", "done": True}, {"text": "Draft the first chart"}]
    edited = client.patch(
        f"/api/v1/goals/{goal_id}", json={"milestones": milestones, "status": "active"}, headers=mentee
    )
    assert edited.json()["milestones"][0] == {"text": "Collect the sales exports", "done": True}

    draft = "Get better at Excel, measured by [how you will measure it], by [target date]."
    refused = client.post("/api/v1/goals", json={"text": draft}, headers=mentee)
    assert refused.status_code == 422 and "placeholders" in refused.json()["detail"]
    refused = client.patch(f"/api/v1/goals/{goal_id}", json={"text": draft}, headers=mentee)
    assert refused.status_code == 422
    assert client.get(f"/api/v1/goals/{goal_id}", headers=mentee).json()["text"] == worded


def test_plan_mode_reads_instructions_formats_and_notes(client: TestClient, participants: Participants) -> None:
    mentor = auth(participants.add("Sam Young", "mentor"))
    created = client.post(f"{API}/conversations", json={"mode": "plan"}, headers=mentor).json()
    url = f"{API}/conversations/{created['id']}/messages"

    first = client.post(url, json={"content": "Plan our next session, in person please"}, headers=mentor).json()
    assert first["reply"]["data"]["plan"]["format"] == "in-person"
    assert "last notes" not in first["reply"]["content"].lower()
    assert "Plan our next session" not in json.dumps(first["reply"]["data"]["agenda"])

    note = "Notes: we covered pivot tables and got stuck on slicers"
    noted = client.post(url, json={"content": note}, headers=mentor)
    assert "slicers" in json.dumps(noted.json()["reply"]["data"]["agenda"])
    kickoff = client.post(url, json={"content": "Make it the kickoff, 30 minutes, face to face"}, headers=mentor).json()
    assert kickoff["reply"]["data"]["plan"] == {"minutes": 30, "format": "in-person", "session": "first"}
