"""Every API endpoint x every role x own/other's resource, generated from the route table.

An endpoint that is not in ``ACCESS`` fails the test: adding a route means deciding who may call it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.config import Settings
from assistant.services import Services
from tests.conftest import Participants

API = "/api/v1"
ROLES = ("mentee", "mentor", "hr", "admin")
PUBLIC = "public"
EVERYONE = set(ROLES)
PARTICIPANTS = {"mentee", "mentor", "admin"}
HR = {"hr", "admin"}
ADMIN = {"admin"}
OK = {200, 201, 202, 204}

GOAL = {"text": "By 31 March I will build one Power BI dashboard for my team's weekly sales review."}
PLAN = {"minutes": 30, "format": "remote", "session": "regular"}
ACCESS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/health"): {"who": PUBLIC},
    ("GET", "/ready"): {"who": PUBLIC},
    ("POST", "/ask"): {"who": EVERYONE, "json": {"content": "What is the GROW model?"}},
    ("POST", "/conversations"): {"who": PARTICIPANTS, "json": {}},
    ("GET", "/conversations"): {"who": PARTICIPANTS},
    ("GET", "/conversations/{conversation_id}"): {"who": PARTICIPANTS, "owned": "conversation"},
    ("POST", "/conversations/{conversation_id}/messages"): {
        "who": PARTICIPANTS,
        "owned": "conversation",
        "json": {"content": "What is the GROW model?"},
    },
    ("POST", "/goals/check"): {"who": PARTICIPANTS, "json": GOAL},
    ("POST", "/goals"): {"who": PARTICIPANTS, "json": GOAL},
    ("GET", "/goals"): {"who": PARTICIPANTS},
    ("GET", "/goals/{goal_id}"): {"who": PARTICIPANTS, "owned": "goal"},
    ("PATCH", "/goals/{goal_id}"): {"who": PARTICIPANTS, "owned": "goal", "json": {"status": "active"}},
    ("DELETE", "/goals/{goal_id}"): {"who": PARTICIPANTS, "owned": "goal"},
    ("POST", "/plans"): {"who": PARTICIPANTS, "json": PLAN},
    ("POST", "/plans/ics"): {"who": PARTICIPANTS, "json": {**PLAN, "start": "2027-01-12T10:00:00"}},
    ("GET", "/insights/themes"): {"who": HR},
    ("GET", "/insights/themes.csv"): {"who": HR},
    ("GET", "/insights/themes.png"): {"who": HR},
    ("GET", "/users"): {"who": ADMIN},
    ("POST", "/users"): {"who": ADMIN, "json": {"name": "New Person", "role": "mentee"}},
    ("PATCH", "/users/{user_id}"): {"who": ADMIN, "user": True, "json": {"active": False}},
    ("DELETE", "/users/{user_id}"): {"who": ADMIN, "user": True},
    ("GET", "/admin/guidelines"): {"who": ADMIN},
    ("POST", "/admin/guidelines"): {
        "who": ADMIN,
        "skip_call": "upload body is multipart; covered in test_admin_guidelines",
    },
    ("GET", "/admin/ingest"): {"who": ADMIN},
    ("POST", "/admin/ingest"): {"who": ADMIN, "skip_call": "starts a re-index; covered in test_admin_guidelines"},
}


def api_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path.startswith(API):
            found += [(method, route.path.removeprefix(API)) for method in route.methods - {"HEAD", "OPTIONS"}]
    return sorted(found)


def test_every_endpoint_has_an_entry(settings: Settings, services: Services) -> None:
    missing = [route for route in api_routes(create_app(settings, services=services)) if route not in ACCESS]
    assert missing == [], f"add these endpoints to ACCESS with the roles allowed: {missing}"


def make_resource(client: TestClient, kind: str, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    if kind == "conversation":
        return str(client.post(f"{API}/conversations", json={}, headers=headers).json()["id"])
    return str(client.post(f"{API}/goals", json=GOAL, headers=headers).json()["id"])


@pytest.mark.slow
def test_access_matrix(settings: Settings, services: Services) -> None:
    settings.rate_limit_per_minute = 0
    app = create_app(settings, services=services)
    people = Participants(services)
    failures = []
    with TestClient(app) as client:
        for method, path in api_routes(app):
            rule = ACCESS[(method, path)]
            if "skip_call" in rule:
                continue
            url = f"{API}{path}"
            if rule["who"] == PUBLIC:
                status = client.request(method, url).status_code
                if status != 200:
                    failures.append((method, path, "anonymous", status))
                continue
            if "{" not in path:
                status = client.request(method, url, json=rule.get("json")).status_code
                if status != 401:
                    failures.append((method, path, "no token", status))
            owner = people.add("Owner of things", "mentee")
            for role in ROLES:
                caller = people.add(f"Caller {role}", role)
                targets = {"own": url}
                if "owned" in rule:
                    own_id = make_resource(client, rule["owned"], caller["token"]) if role in PARTICIPANTS else "1"
                    other_id = make_resource(client, rule["owned"], owner["token"])
                    targets = {"own": _fill(url, own_id), "other": _fill(url, other_id)}
                elif rule.get("user"):
                    targets = {"own": _fill(url, people.add("Target", "mentee")["id"])}
                for whose, target in targets.items():
                    status = client.request(
                        method, target, json=rule.get("json"), headers={"Authorization": f"Bearer {caller['token']}"}
                    ).status_code
                    if role not in rule["who"]:
                        expected = {403}
                    elif whose == "other":
                        expected = {404}
                    else:
                        expected = OK
                    if status not in expected:
                        failures.append((method, path, f"{role}/{whose}", status))
    assert failures == []


def _fill(url: str, value: str) -> str:
    start, end = url.index("{"), url.index("}")
    return url[:start] + value + url[end + 1 :]
