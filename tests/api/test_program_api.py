"""The program through the API, as the people who run it and take part in it would use it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import func, select

from assistant.db.engine import transaction
from assistant.db.models import ThemeEvent
from assistant.db.program_models import Pair
from assistant.services import Services
from assistant.themes.events import participant_key
from tests.conftest import Participants, auth

API = "/api/v1"
PROFILE_MENTOR: dict[str, Any] = {
    "department": "Marketing",
    "teaches": ["excel", "power-bi"],
    "wants": ["budgeting"],
    "availability": ["tue-am", "thu-am"],
    "format": "hybrid",
    "work_style": "structured",
}
PROFILE_MENTEE: dict[str, Any] = {
    "department": "Finance",
    "teaches": ["budgeting"],
    "wants": ["power-bi"],
    "priorities": ["power-bi"],
    "availability": ["thu-am"],
    "format": "remote",
    "motivation": "My team moved its reporting to dashboards.",
}


def unique(name: str) -> str:
    """Program and cohort names are unique, and PostgreSQL tests share one schema per run."""
    return f"{name} {uuid.uuid4().hex[:8]}"


class Program:
    """An admin, HR, one cohort and a confirmed pair (Mira mentors Hans), built through the API."""

    def __init__(self, client: TestClient, participants: Participants, starts_on: date) -> None:
        self.client = client
        self.admin = participants.add("Ada Admin", "admin")
        self.hr = participants.add("Hera HR", "hr")
        self.mentor = participants.add("Mira Young", "mentor")
        self.mentee = participants.add("Hans Senior", "mentee")
        self.outsider = participants.add("Olga Other", "mentee")
        program = self.post(self.admin, "/programs", {"name": unique("Digital bridge"), "cadence_days": 14}, 201)
        self.program_id = program["id"]
        self.cohort = self.post(
            self.admin,
            f"/programs/{self.program_id}/cohorts",
            {"name": unique("Spring"), "starts_on": starts_on.isoformat()},
            201,
        )
        for person, role in ((self.mentor, "mentor"), (self.mentee, "mentee")):
            self.post(
                self.admin, f"/cohorts/{self.cohort['id']}/members", {"user_id": int(person["id"]), "role": role}, 201
            )
        assert client.put(f"{API}/profile", json=PROFILE_MENTOR, headers=auth(self.mentor)).status_code == 200
        assert client.put(f"{API}/profile", json=PROFILE_MENTEE, headers=auth(self.mentee)).status_code == 200
        proposal = self.post(self.admin, f"/cohorts/{self.cohort['id']}/matching", {}, 200)
        assert len(proposal["pairs"]) == 1
        self.pair_id = proposal["pairs"][0]["pair_id"]
        self.post(self.admin, f"/pairs/{self.pair_id}/confirm", {}, 200)

    def post(self, person: dict[str, str], path: str, body: dict[str, Any], expected: int) -> Any:
        response = self.client.post(f"{API}{path}", json=body, headers=auth(person))
        assert response.status_code == expected, response.text
        return response.json()

    def get(self, person: dict[str, str], path: str, expected: int = 200) -> Any:
        response = self.client.get(f"{API}{path}", headers=auth(person))
        assert response.status_code == expected, response.text
        return response.json() if response.headers.get("content-type", "").startswith("application/json") else response


@pytest.fixture
def program(client: TestClient, participants: Participants) -> Program:
    return Program(client, participants, date.today() - timedelta(days=20))


def test_a_proposal_stays_with_the_admin_until_confirmed(client: TestClient, participants: Participants) -> None:
    admin = participants.add("Ada Admin", "admin")
    mentor, mentee = participants.add("M", "mentor"), participants.add("E", "mentee")
    program = client.post(f"{API}/programs", json={"name": unique("P")}, headers=auth(admin)).json()
    cohort = client.post(
        f"{API}/programs/{program['id']}/cohorts",
        json={"name": unique("C"), "starts_on": "2027-01-11"},
        headers=auth(admin),
    ).json()
    for person, role in ((mentor, "mentor"), (mentee, "mentee")):
        client.post(
            f"{API}/cohorts/{cohort['id']}/members",
            json={"user_id": int(person["id"]), "role": role},
            headers=auth(admin),
        )
    client.put(f"{API}/profile", json=PROFILE_MENTOR, headers=auth(mentor))
    client.put(f"{API}/profile", json=PROFILE_MENTEE, headers=auth(mentee))
    pair_id = client.post(f"{API}/cohorts/{cohort['id']}/matching", headers=auth(admin)).json()["pairs"][0]["pair_id"]
    assert client.get(f"{API}/pairs", headers=auth(mentor)).json()["count"] == 0
    assert client.get(f"{API}/pairs/{pair_id}/sessions", headers=auth(mentor)).status_code == 404
    client.post(f"{API}/pairs/{pair_id}/confirm", headers=auth(admin))
    mine = client.get(f"{API}/pairs", headers=auth(mentor)).json()
    assert [p["id"] for p in mine["data"]] == [pair_id] and mine["data"][0]["status"] == "confirmed"


def test_a_member_sees_their_cohort_and_hr_lists_cohorts_without_people(program: Program) -> None:
    mine = program.get(program.mentor, "/membership")
    assert mine["cohort_id"] == program.cohort["id"] and mine["role"] == "mentor" and mine["profile_filled"]
    assert program.client.get(f"{API}/membership", headers=auth(program.outsider)).status_code == 404
    listed = program.get(program.hr, "/insights/cohorts")
    assert program.cohort["id"] in [c["id"] for c in listed]
    assert "Mira" not in str(listed)


def test_an_unknown_skill_in_a_profile_is_a_clear_422(program: Program) -> None:
    response = program.client.put(
        f"{API}/profile", json={**PROFILE_MENTEE, "wants": ["time travel"]}, headers=auth(program.mentee)
    )
    assert response.status_code == 422
    assert "time travel" in response.json()["detail"]
    assert program.get(program.mentee, "/profile")["wants"] == ["power-bi"], "the accepted profile was lost"


def test_the_agreement_is_drafted_from_the_template_and_accepted_by_both(program: Program) -> None:
    goal = "By 30 June I will build one Power BI dashboard for my team's monthly budget review."
    goal_id = program.post(program.mentee, "/goals", {"text": goal}, 201)["id"]
    program.client.patch(f"{API}/goals/{goal_id}", json={"status": "active"}, headers=auth(program.mentee))
    program.post(program.mentee, "/goals", {"text": "A private draft I have not shared"}, 201)

    draft = program.post(program.mentor, f"/pairs/{program.pair_id}/agreement/draft", {}, 201)
    fields = {f["label"]: f["value"] for f in draft["fields"]}
    assert draft["version"] == 1 and draft["drafted_by"] == "assistant" and not draft["accepted"]
    assert fields["Mentor"] == "Mira Young, Marketing" and fields["Mentee"] == "Hans Senior, Finance"
    assert fields["Mentee development goals"] == goal, "only the mentee's active goals belong in the agreement"
    assert "Power BI" in fields["Topics in scope"] and "budget" in fields["Topics in scope"].lower()
    assert fields["Meeting cadence and length"].startswith("every 2 weeks")
    assert "thu-am" in fields["Format and location"] and fields["Format and location"].startswith("remote")
    assert "Confidentiality" in fields and "Topics out of scope" in draft["unfilled"]

    refused = program.client.post(
        f"{API}/pairs/{program.pair_id}/agreement/accept", json={"version": 1}, headers=auth(program.mentor)
    )
    assert refused.status_code == 422 and "Topics out of scope" in refused.json()["detail"]

    changes = {label: f"agreed: {label.lower()}" for label in draft["unfilled"]}
    changed = program.client.patch(
        f"{API}/pairs/{program.pair_id}/agreement", json={"changes": changes}, headers=auth(program.mentee)
    ).json()
    assert changed["version"] == 2 and changed["drafted_by"] == "mentee" and changed["unfilled"] == []

    stale = program.client.post(
        f"{API}/pairs/{program.pair_id}/agreement/accept", json={"version": 1}, headers=auth(program.mentor)
    )
    assert stale.status_code == 409
    one = program.post(program.mentor, f"/pairs/{program.pair_id}/agreement/accept", {"version": 2}, 200)
    assert one["mentor_accepted_at"] and not one["mentee_accepted_at"] and not one["accepted"]
    both = program.post(program.mentee, f"/pairs/{program.pair_id}/agreement/accept", {"version": 2}, 200)
    assert both["accepted"]

    revisit = program.client.patch(
        f"{API}/pairs/{program.pair_id}/agreement",
        json={"changes": {"Rescheduling rule": "48 hours' notice"}},
        headers=auth(program.mentor),
    ).json()
    assert revisit["version"] == 3 and not revisit["accepted"] and revisit["mentor_accepted_at"] is None
    history = program.get(program.mentee, f"/pairs/{program.pair_id}/agreement/versions")
    assert [v["version"] for v in history["data"]] == [1, 2, 3] and history["data"][1]["accepted"]

    for stranger in (program.outsider, program.admin, program.hr):
        response = program.client.get(f"{API}/pairs/{program.pair_id}/agreement", headers=auth(stranger))
        assert response.status_code in (403, 404)


def test_open_actions_and_notes_feed_the_next_agenda_until_done(program: Program) -> None:
    held = (date.today() - timedelta(days=3)).isoformat()
    logged = program.post(
        program.mentee,
        f"/pairs/{program.pair_id}/sessions",
        {
            "held_on": held,
            "notes": "Built a first chart from the budget extract.",
            "rating": 4,
            "actions": [
                {"text": "Rebuild the budget chart with slicers", "owner": "mentee", "due_on": "2030-01-31"},
                {"text": "Send a guide to Power BI filters", "owner": "mentor"},
            ],
        },
        201,
    )
    assert [a["owner_id"] for a in logged["actions"]] == [int(program.mentee["id"]), int(program.mentor["id"])]

    plan = {"minutes": 45, "format": "remote", "session": "regular", "pair_id": program.pair_id}
    agenda = program.post(program.mentor, "/plans", plan, 200)
    text = agenda["markdown"]
    assert "Rebuild the budget chart with slicers" in text and "Send a guide to Power BI filters" in text
    assert sum(item["minutes"] for item in agenda["items"]) == 45

    done = program.client.patch(
        f"{API}/actions/{logged['actions'][0]['id']}", json={"done": True}, headers=auth(program.mentor)
    )
    assert done.status_code == 200 and done.json()["done"]
    text = program.post(program.mentee, "/plans", plan, 200)["markdown"]
    assert "Rebuild the budget chart" not in text and "Send a guide to Power BI filters" in text

    sessions = program.get(program.mentor, f"/pairs/{program.pair_id}/sessions")
    assert sessions["count"] == 1 and [a["text"] for a in sessions["open_actions"]] == [
        "Send a guide to Power BI filters"
    ]
    for stranger in (program.outsider, program.admin, program.hr):
        assert program.client.get(f"{API}/pairs/{program.pair_id}/sessions", headers=auth(stranger)).status_code in (
            403,
            404,
        )
        patch = program.client.patch(
            f"{API}/actions/{logged['actions'][1]['id']}", json={"done": True}, headers=auth(stranger)
        )
        assert patch.status_code in (403, 404)
    stranger_plan = program.client.post(f"{API}/plans", json=plan, headers=auth(program.outsider))
    assert stranger_plan.status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"held_on": "2999-01-01"}, "future"),
        ({"held_on": "2020-01-01"}, "before the cohort"),
        ({"held_on": "today", "rating": 6}, "rating"),
        ({"held_on": "today", "actions": [{"text": "x", "owner": "boss"}]}, "owner"),
    ],
)
def test_bad_session_logs_are_refused_and_nothing_is_stored(
    program: Program, body: dict[str, Any], message: str
) -> None:
    if body["held_on"] == "today":
        body = {**body, "held_on": date.today().isoformat()}
    response = program.client.post(f"{API}/pairs/{program.pair_id}/sessions", json=body, headers=auth(program.mentor))
    assert response.status_code == 422 and message in response.json()["detail"]
    assert program.get(program.mentor, f"/pairs/{program.pair_id}/sessions")["count"] == 0


def test_the_cadence_calendar_repeats_until_the_cohort_ends(program: Program) -> None:
    response = program.client.get(f"{API}/pairs/{program.pair_id}/calendar.ics", headers=auth(program.mentee))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    event = next(c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT")
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [2]
    assert rule["UNTIL"][0].date().isoformat() == program.cohort["ends_on"]
    start = event["DTSTART"].dt
    assert start.weekday() == 3 and start.hour == 9, "the pair's only shared slot is Thursday morning"


def test_a_pulse_keeps_scores_and_an_anonymized_comment_and_logs_its_themes(
    program: Program, services: Services
) -> None:
    logged = program.post(
        program.mentor, f"/pairs/{program.pair_id}/sessions", {"held_on": date.today().isoformat(), "rating": 5}, 201
    )
    questions = program.get(program.mentee, "/pulses/questions")["questions"]
    scores = {name: 4 for name in questions["session"]}
    comment = (
        "Hans Senior pasted a client contract into ChatGPT and I did not know what to say; hans.senior@example.com"
    )
    pulse = program.post(
        program.mentee,
        "/pulses",
        {"kind": "session", "session_id": logged["id"], "scores": scores, "comment": comment},
        201,
    )
    assert "Hans" not in pulse["comment"] and "example.com" not in pulse["comment"]
    assert pulse["scores"] == scores
    again = program.client.post(
        f"{API}/pulses",
        json={"kind": "session", "session_id": logged["id"], "scores": scores},
        headers=auth(program.mentee),
    )
    assert again.status_code == 409
    wrong = program.client.post(
        f"{API}/pulses", json={"kind": "midpoint", "scores": scores}, headers=auth(program.mentee)
    )
    assert wrong.status_code == 422 and "progress" in wrong.json()["detail"]
    stranger = program.client.post(
        f"{API}/pulses",
        json={"kind": "session", "session_id": logged["id"], "scores": scores},
        headers=auth(program.outsider),
    )
    assert stranger.status_code == 422, "the outsider is in no cohort"
    key = participant_key(int(program.mentee["id"]), services.settings.theme_hmac_secret)
    with services.db_factory() as db:
        events = db.scalar(select(func.count()).where(ThemeEvent.participant_key == key))
    assert events == len(pulse["themes"]) >= 1
    assert [p["id"] for p in program.get(program.mentee, "/pulses")] == [pulse["id"]]
    assert program.get(program.mentor, "/pulses") == []


def test_hr_sees_cohort_figures_with_small_groups_withheld(program: Program) -> None:
    program.post(
        program.mentor, f"/pairs/{program.pair_id}/sessions", {"held_on": date.today().isoformat(), "rating": 5}, 201
    )
    report = program.get(program.hr, f"/insights/cohorts/{program.cohort['id']}")
    assert report["k"] == 5
    assert report["participation"]["mentors"] == {"value": None, "people": None, "suppressed": True}
    assert report["participation"]["confirmed_pairs"]["suppressed"]
    assert all(
        row["sessions"]["suppressed"] and row["mean_rating"]["value"] is None for row in report["sessions_by_month"]
    )
    assert report["theme_labels"] == {}, "a theme no k people raised is not even named"
    text = str(report)
    for secret in ("Mira", "Hans", "Power BI dashboard", "notes"):
        assert secret not in text
    for role in (program.mentor, program.mentee):
        assert (
            program.client.get(f"{API}/insights/cohorts/{program.cohort['id']}", headers=auth(role)).status_code == 403
        )


def test_a_pair_without_sessions_is_reported_to_the_admin_as_stalled(program: Program, services: Services) -> None:
    assert program.get(program.admin, "/stalled-pairs?days=7")["count"] == 0, "confirmed today: the clock just started"
    with transaction(services.db_factory) as db:
        db.get(Pair, program.pair_id).confirmed_at = datetime.now(UTC) - timedelta(days=19)  # type: ignore[union-attr]
    assert program.get(program.admin, "/stalled-pairs")["count"] == 0, "19 days is within the program's 28"
    stalled = program.get(program.admin, "/stalled-pairs?days=7")
    assert stalled["count"] == 1
    row = stalled["data"][0]
    assert row["pair_id"] == program.pair_id and row["last_session_on"] is None and row["days_without_session"] == 19
    assert set(row) == {"pair_id", "cohort", "mentor", "mentee", "last_session_on", "days_without_session"}
    program.post(program.mentee, f"/pairs/{program.pair_id}/sessions", {"held_on": date.today().isoformat()}, 201)
    assert program.get(program.admin, "/stalled-pairs?days=7")["count"] == 0
    assert program.client.get(f"{API}/stalled-pairs", headers=auth(program.hr)).status_code == 403
