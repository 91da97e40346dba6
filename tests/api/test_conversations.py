from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from tests.conftest import Participants, auth

API = "/api/v1"
QUESTION = "How should I give feedback to my senior mentee?"


def new_conversation(client: TestClient, person: dict[str, str]) -> str:
    response = client.post(f"{API}/conversations", json={"title": "feedback"}, headers=auth(person))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def sse_events(body: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_ask_in_a_conversation_returns_a_cited_answer_and_stores_both(
    client: TestClient, participants: Participants
) -> None:
    mentor = participants.add("Sam Young", "mentor")
    conversation = new_conversation(client, mentor)
    response = client.post(
        f"{API}/conversations/{conversation}/messages", json={"content": QUESTION}, headers=auth(mentor)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["in_scope"] is True
    assert body["reply"]["provider"] == "offline"
    assert any(c["source"] == "knowledge/feedback-across-generations.md" for c in body["reply"]["citations"])

    detail = client.get(f"{API}/conversations/{conversation}", headers=auth(mentor)).json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
    assert detail["messages"][0]["content"] == QUESTION
    listing = client.get(f"{API}/conversations", headers=auth(mentor)).json()
    assert listing["count"] == 1 and listing["data"][0]["title"] == "feedback"


def test_server_sent_events_stream_tokens_then_the_stored_reply(client: TestClient, participants: Participants) -> None:
    mentee = participants.add("Pat Senior", "mentee")
    conversation = new_conversation(client, mentee)
    headers = {**auth(mentee), "Accept": "text/event-stream"}
    with client.stream(
        "POST",
        f"{API}/conversations/{conversation}/messages",
        json={"content": "What is the GROW model?"},
        headers=headers,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events = sse_events(body)
    names = [name for name, _ in events]
    assert names[0] == "accepted" and names[-1] == "done"
    tokens = [data["text"] for name, data in events if name == "token"]
    assert len(tokens) > 5
    done = events[-1][1]
    assert "".join(tokens) == done["content"]
    assert any("planning-sessions.md" in c["source"] for c in done["citations"])
    stored = client.get(f"{API}/conversations/{conversation}", headers=auth(mentee)).json()["messages"]
    assert stored[-1]["id"] == done["id"]


def test_out_of_scope_is_declined_politely(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    conversation = new_conversation(client, mentee)
    body = client.post(
        f"{API}/conversations/{conversation}/messages",
        json={"content": "What's the weather in Paris tomorrow?"},
        headers=auth(mentee),
    ).json()
    assert body["in_scope"] is False
    assert body["reply"]["citations"] == []
    assert "don't cover" in body["reply"]["content"]


def test_requests_for_another_participants_data_are_declined_with_the_rule(
    client: TestClient, participants: Participants
) -> None:
    mentee = participants.add()
    response = client.post(
        f"{API}/ask", json={"content": "What did Dana Fox tell her mentor last week?"}, headers=auth(mentee)
    )
    body = response.json()
    assert body["in_scope"] is False and "Dana" not in body["answer"]
    assert body["citations"][0]["source"] == "knowledge/confidentiality-and-escalation.md"


def test_missing_and_invalid_tokens_get_401(client: TestClient) -> None:
    assert client.get(f"{API}/conversations").status_code == 401
    response = client.get(f"{API}/conversations", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json()["detail"] == "invalid or inactive token"


def test_another_users_conversation_is_404(client: TestClient, participants: Participants) -> None:
    owner, other = participants.add("Owner One"), participants.add("Other Two")
    conversation = new_conversation(client, owner)
    assert client.get(f"{API}/conversations/{conversation}", headers=auth(other)).status_code == 404
    response = client.post(
        f"{API}/conversations/{conversation}/messages", json={"content": QUESTION}, headers=auth(other)
    )
    assert response.status_code == 404
    assert client.get(f"{API}/conversations", headers=auth(other)).json()["count"] == 0
    assert client.get(f"{API}/conversations/{conversation}", headers=auth(owner)).json()["messages"] == []


def test_hr_never_reaches_conversations_but_can_ask(client: TestClient, participants: Participants) -> None:
    hr = participants.add("Hana Resources", "hr")
    assert client.get(f"{API}/conversations", headers=auth(hr)).status_code == 403
    assert client.post(f"{API}/conversations", json={}, headers=auth(hr)).status_code == 403
    response = client.post(f"{API}/ask", json={"content": "How do we measure the program?"}, headers=auth(hr))
    assert response.status_code == 200 and response.json()["citations"]


@pytest.mark.parametrize(
    ("payload", "status", "fragment"),
    [
        ({"content": ""}, 422, "content"),
        ({"content": "   \n\t "}, 422, "empty"),
        ({"content": "\u200b\u200d"}, 422, "empty"),
        ({"content": "x" * 4001}, 422, "4000"),
        ({}, 422, "content"),
        ({"content": 42}, 422, "content"),
    ],
)
def test_bad_messages_get_a_one_line_4xx_and_store_nothing(
    client: TestClient,
    participants: Participants,
    payload: dict,
    status: int,
    fragment: str,  # type: ignore[type-arg]
) -> None:
    mentee = participants.add()
    conversation = new_conversation(client, mentee)
    response = client.post(f"{API}/conversations/{conversation}/messages", json=payload, headers=auth(mentee))
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and fragment in detail
    assert client.get(f"{API}/conversations/{conversation}", headers=auth(mentee)).json()["messages"] == []


def test_invalid_json_is_a_clear_422(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    conversation = new_conversation(client, mentee)
    response = client.post(
        f"{API}/conversations/{conversation}/messages",
        content=b"{not json",
        headers={**auth(mentee), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "request body is not valid JSON"


def test_unknown_conversation_and_unknown_mode(client: TestClient, participants: Participants) -> None:
    mentee = participants.add()
    response = client.post(
        f"{API}/conversations/doesnotexist/messages", json={"content": QUESTION}, headers=auth(mentee)
    )
    assert response.status_code == 404 and response.json()["detail"] == "conversation not found"
    response = client.post(f"{API}/conversations", json={"mode": "gossip"}, headers=auth(mentee))
    assert response.status_code == 422 and response.json()["detail"].startswith("mode")


def test_control_characters_and_zero_width_are_cleaned_not_stored(
    client: TestClient, participants: Participants
) -> None:
    mentee = participants.add()
    conversation = new_conversation(client, mentee)
    response = client.post(
        f"{API}/conversations/{conversation}/messages",
        json={"content": "\x00How do I give feed\u200bback\x07 to my mentor?"},
        headers=auth(mentee),
    )
    assert response.status_code == 200
    assert response.json()["message"]["content"] == "How do I give feedback to my mentor?"


def test_message_is_kept_when_answering_fails(
    client: TestClient, participants: Participants, services: Services
) -> None:
    mentee = participants.add()
    conversation = new_conversation(client, mentee)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("retrieval exploded")

    services.qa.plan = broken  # type: ignore[method-assign]
    response = client.post(
        f"{API}/conversations/{conversation}/messages", json={"content": QUESTION}, headers=auth(mentee)
    )
    assert response.status_code == 503 and "saved" in response.json()["detail"]
    messages = client.get(f"{API}/conversations/{conversation}", headers=auth(mentee)).json()["messages"]
    assert [m["content"] for m in messages] == [QUESTION]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get(f"{API}/health").json() == {"status": "ok", "checks": {}}
    ready = client.get(f"{API}/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "disk": "ok", "vector_store": "ok"}


def test_openapi_schema_is_published(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert f"{API}/conversations/{{conversation_id}}/messages" in paths


def test_a_conversation_can_be_renamed_and_deleted_by_its_owner_only(
    client: TestClient, participants: Participants
) -> None:
    owner, other = participants.add("Sam Young", "mentor"), participants.add("Kim Other", "mentee")
    conversation = new_conversation(client, owner)
    client.post(f"{API}/conversations/{conversation}/messages", json={"content": QUESTION}, headers=auth(owner))

    renamed = client.patch(
        f"{API}/conversations/{conversation}", json={"title": "  Upward  feedback "}, headers=auth(owner)
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "Upward feedback"
    assert (
        client.patch(f"{API}/conversations/{conversation}", json={"title": " "}, headers=auth(owner)).status_code == 422
    )
    assert (
        client.patch(f"{API}/conversations/{conversation}", json={"title": "x"}, headers=auth(other)).status_code == 404
    )
    assert client.delete(f"{API}/conversations/{conversation}", headers=auth(other)).status_code == 404

    assert client.delete(f"{API}/conversations/{conversation}", headers=auth(owner)).status_code == 204
    assert client.get(f"{API}/conversations/{conversation}", headers=auth(owner)).status_code == 404
    assert client.get(f"{API}/conversations", headers=auth(owner)).json()["count"] == 0


def test_regenerate_replaces_the_last_reply_and_edit_resends_the_last_message(
    client: TestClient, participants: Participants
) -> None:
    mentee = participants.add()
    conversation = new_conversation(client, mentee)
    url = f"{API}/conversations/{conversation}"
    assert client.post(f"{url}/retry", json={}, headers=auth(mentee)).status_code == 409
    first = client.post(f"{url}/messages", json={"content": QUESTION}, headers=auth(mentee)).json()

    again = client.post(f"{url}/retry", json={}, headers=auth(mentee))
    assert again.status_code == 200, again.text
    assert again.json()["message"]["id"] == first["message"]["id"]
    assert again.json()["reply"]["content"] == first["reply"]["content"], "the offline composer is deterministic"
    messages = client.get(url, headers=auth(mentee)).json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]

    edited = client.post(f"{url}/retry", json={"content": "How often should pairs meet?"}, headers=auth(mentee))
    assert edited.status_code == 200
    messages = client.get(url, headers=auth(mentee)).json()["messages"]
    assert messages[0]["content"] == "How often should pairs meet?" and len(messages) == 2
    assert "<p>" in messages[1]["html"] and "**" not in messages[1]["html"]


def test_regenerating_a_rehearsal_line_answers_from_the_state_before_it(
    client: TestClient, participants: Participants
) -> None:
    mentor = participants.add("Sam Young", "mentor")
    created = client.post(
        f"{API}/conversations", json={"mode": "rehearse", "persona": {"attitude": "busy"}}, headers=auth(mentor)
    ).json()
    url = f"{API}/conversations/{created['id']}"
    line = "In Monday's review you cut me off twice, and the team stopped suggesting ideas."
    client.post(f"{url}/messages", json={"content": line}, headers=auth(mentor))
    before = client.get(url, headers=auth(mentor)).json()["state"]

    assert client.post(f"{url}/retry", json={}, headers=auth(mentor)).status_code == 200
    after = client.get(url, headers=auth(mentor)).json()["state"]
    assert len(after["critiques"]) == len(before["critiques"]) == 1


def test_a_rehearsal_speaks_in_character_and_ends_with_a_summary(
    client: TestClient, participants: Participants
) -> None:
    mentor = participants.add("Sam Young", "mentor")
    persona = {"name": "Ingrid", "role": "Head of Sales", "tenure_years": 30, "attitude": "defensive"}
    created = client.post(f"{API}/conversations", json={"mode": "rehearse", "persona": persona}, headers=auth(mentor))
    url = f"{API}/conversations/{created.json()['id']}"
    opening = client.get(url, headers=auth(mentor)).json()["messages"][0]["content"]
    assert "Ingrid" in opening

    lines = ["You're a dinosaur with this stuff.", "Your slides could be better."]
    for line in lines:
        reply = client.post(f"{url}/messages", json={"content": line}, headers=auth(mentor)).json()["reply"]
        assert reply["citations"] == [] and reply["data"]["speaker"] == "Ingrid (Head of Sales)"
        assert reply["data"]["critique"]["citations"], "the critique keeps its sources for the side panel"

    summary = client.post(f"{url}/messages", json={"content": "end rehearsal"}, headers=auth(mentor)).json()["reply"]
    text = summary["content"]
    assert "What went well" in text and "SBI parts missed" in text and "Situation: missing in 2 of 2" in text
    # no line named a situation, so there is nothing of the mentor's own to borrow: no template either
    assert summary["data"]["summary"]["rephrasings"] == [] and "[" not in text
    assert "speaker" not in summary["data"]
    after = client.post(f"{url}/messages", json={"content": "One more try."}, headers=auth(mentor))
    assert after.status_code == 422 and "ended" in after.json()["detail"]
