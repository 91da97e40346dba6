"""Input the API must refuse with a 4xx and a message, never a 500; and answers that are never cached."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Participants, auth

API = "/api/v1"
HUGE = str(2**64)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/goals/{HUGE}", None),
        ("PATCH", f"/goals/{HUGE}", {"status": "done"}),
        ("DELETE", f"/goals/{HUGE}", None),
        ("GET", "/goals/0", None),
        ("GET", f"/conversations?offset={HUGE}", None),
        ("GET", "/conversations?offset=-1", None),
        ("GET", "/conversations?limit=0", None),
        ("POST", "/plans", {"minutes": 45, "format": "remote", "session": "regular", "goal_ids": [2**64]}),
        ("POST", "/plans", {"minutes": 45, "format": "remote", "session": "regular", "goal_ids": [-3]}),
    ],
)
def test_ids_and_offsets_out_of_range_are_422_with_a_message(
    client: TestClient,
    participants: Participants,
    method: str,
    path: str,
    body: dict | None,  # type: ignore[type-arg]
) -> None:
    mentee = auth(participants.add())
    response = client.request(method, f"{API}{path}", json=body, headers=mentee)
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


def test_api_answers_are_never_cached(client: TestClient, participants: Participants) -> None:
    mentee = auth(participants.add())
    for path in ("/goals", "/conversations", "/health"):
        assert client.get(f"{API}{path}", headers=mentee).headers["cache-control"] == "no-store"


@pytest.mark.parametrize("role", ["admin", "hr"])
def test_only_the_pairs_people_answer_pulses(client: TestClient, participants: Participants, role: str) -> None:
    person = auth(participants.add(role=role))
    pulse = {"kind": "midpoint", "scores": {"useful": 4}}
    assert client.post(f"{API}/pulses", json=pulse, headers=person).status_code == 403
    assert client.post(f"{API}/pulses", json={"nonsense": True}, headers=person).status_code == 403
    assert client.get(f"{API}/pulses", headers=person).status_code == 403
