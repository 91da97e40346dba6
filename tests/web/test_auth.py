"""Cookie sign-in beside the bearer token, the CSRF header, and the pages' access rules."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from assistant.web.auth import safe_next
from tests.conftest import Participants, auth

API = "/api/v1"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}


def sign_in(client: TestClient, token: str, next_path: str = "") -> None:
    response = client.post(
        "/auth/signin", content=f"token={token}&next={next_path}", headers=FORM, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_signin_sets_an_httponly_strict_cookie_and_redirects_by_role(
    client: TestClient, participants: Participants
) -> None:
    hr = participants.add("Hana Resources", "hr")
    response = client.post("/auth/signin", content=f"token={hr['token']}", headers=FORM, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/hr"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("tandem_signin=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure


def test_a_wrong_token_gets_the_form_again_with_401(client: TestClient) -> None:
    response = client.post("/auth/signin", content="token=tdm_nope", headers=FORM)
    assert response.status_code == 401 and "not valid" in response.text and "set-cookie" not in response.headers


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_signin_posted_from_another_site_is_refused(client: TestClient, participants: Participants, site: str) -> None:
    mentee = participants.add()
    response = client.post("/auth/signin", content=f"token={mentee['token']}", headers={**FORM, "Sec-Fetch-Site": site})
    assert response.status_code == 403 and "set-cookie" not in response.headers


def test_cookie_auth_reads_freely_but_writes_only_with_the_csrf_header(
    client: TestClient, participants: Participants
) -> None:
    mentee = participants.add()
    sign_in(client, mentee["token"])
    assert client.get(f"{API}/conversations").status_code == 200
    refused = client.post(f"{API}/conversations", json={})
    assert refused.status_code == 403 and "X-Tandem-CSRF" in refused.json()["detail"]
    assert client.post(f"{API}/conversations", json={}, headers={"X-Tandem-CSRF": "1"}).status_code == 201
    assert client.get(f"{API}/conversations").json()["count"] == 1


def test_the_bearer_token_wins_over_the_cookie_and_needs_no_csrf_header(
    client: TestClient, participants: Participants
) -> None:
    first, second = participants.add("First"), participants.add("Second")
    sign_in(client, first["token"])
    assert client.post(f"{API}/conversations", json={}, headers=auth(second)).status_code == 201
    assert client.get(f"{API}/conversations", headers=auth(second)).json()["count"] == 1
    assert client.get(f"{API}/conversations").json()["count"] == 0


def test_a_deactivated_users_cookie_stops_working(client: TestClient, participants: Participants) -> None:
    from assistant.db.engine import transaction
    from assistant.db.models import User

    mentee = participants.add()
    sign_in(client, mentee["token"])
    with transaction(participants.services.db_factory) as db:
        db.get(User, int(mentee["id"])).active = False  # type: ignore[union-attr]
    assert client.get(f"{API}/conversations").status_code == 401
    assert client.get("/app", follow_redirects=False).headers["location"] == "/signin?next=/app"


def test_pages_need_sign_in_and_the_right_role(client: TestClient, participants: Participants) -> None:
    assert client.get("/hr", follow_redirects=False).headers["location"] == "/signin?next=/hr"
    mentee = participants.add("Dana Fox")
    sign_in(client, mentee["token"])
    assert client.get("/app").status_code == 200
    refused = client.get("/hr")
    assert refused.status_code == 403 and "HR program leads and admins" in refused.text
    assert client.get("/admin").status_code == 403


def test_sign_in_link_shows_whose_account_it_is_without_signing_in(
    client: TestClient, participants: Participants
) -> None:
    mentor = participants.add("Lee <Mentor>", "mentor")
    response = client.get(f"/signin?token={mentor['token']}&next=/goals")
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert "Continue as Lee &lt;Mentor&gt;" in response.text and 'value="/goals"' in response.text


def test_signout_clears_the_cookie(client: TestClient, participants: Participants) -> None:
    sign_in(client, participants.add()["token"])
    response = client.post("/auth/signout", headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert response.headers["location"] == "/signin" and 'tandem_signin=""' in response.headers["set-cookie"]
    assert client.get(f"{API}/conversations").status_code == 401


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/goals", "/goals"),
        ("/goals?tab=done", "/goals?tab=done"),
        ("//evil.example", ""),
        ("/\\evil.example", ""),
        ("https://evil.example", ""),
        ("", ""),
        ("/\t/evil.example/phish", ""),  # a browser drops the tab and reads //evil.example
        ("/\r\n/evil.example", ""),
        ("/ /evil.example", ""),
    ],
)
def test_only_paths_on_this_site_are_followed_after_sign_in(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_guideline_pages_render_markdown_and_refuse_paths_outside_the_knowledge_folder(
    client: TestClient, participants: Participants
) -> None:
    sign_in(client, participants.add()["token"])
    page = client.get("/guidelines/feedback-across-generations.md")
    assert page.status_code == 200 and '<h2 id="situation-behavior-impact">' in page.text
    for name in ["../pyproject.toml", "..%2Fpyproject.toml", "%2Fetc%2Fpasswd", "missing.md"]:
        assert client.get(f"/guidelines/{name}").status_code == 404


def test_security_headers_on_pages_and_api_and_the_docs_need_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/signin")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "no-referrer"
    assert "content-security-policy" in client.get(f"{API}/health").headers
    for path in ("/docs", "/redoc"):
        docs = client.get(path)
        policy = docs.headers["content-security-policy"]
        assert docs.status_code == 200 and "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        assert assets and all(a.startswith("/") for a in assets), assets  # no CDN: every asset is Tandem's
        for asset in assets:
            if asset != "/openapi.json":
                assert client.get(asset).status_code == 200, asset


def test_guessing_tokens_is_slowed_to_a_few_tries_a_minute(client: TestClient, participants: Participants) -> None:
    allowed = client.app.state.services.settings.signin_attempts_per_minute  # type: ignore[attr-defined]
    statuses = [
        client.post("/auth/signin", content=f"token=tdm_wrong{n:04d}", headers=FORM, follow_redirects=False)
        for n in range(allowed + 1)
    ]
    assert [r.status_code for r in statuses[:allowed]] == [401] * allowed
    assert statuses[-1].status_code == 429 and int(statuses[-1].headers["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in statuses[-1].text
    # the right token is refused too until the minute has passed: the limit is on attempts, not on failures
    right = client.post("/auth/signin", content=f"token={participants.add()['token']}", headers=FORM)
    assert right.status_code == 429
