"""Every API endpoint x every role x own/other's resource, generated from the route table.

An endpoint that is not in ``ACCESS`` fails the test: adding a route means deciding who may call it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.config import Settings
from assistant.services import Services
from tests.api.program_world import PROFILE_BODY, ProgramWorld
from tests.conftest import Participants

API = "/api/v1"
ROLES = ("mentee", "mentor", "hr", "admin")
PUBLIC = "public"
EVERYONE = set(ROLES)
PARTICIPANTS = {"mentee", "mentor", "admin"}
HR = {"hr", "admin"}
ADMIN = {"admin"}
MEMBERS = {"mentee", "mentor"}
OK = {200, 201, 202, 204}
PAIR_RULE: dict[str, Any] = {"who": MEMBERS, "owned": "pair", "outsiders": {"admin": 404}}
PULSE = {"kind": "midpoint", "scores": {"progress": 4, "fit": 5, "recommend": 4}, "comment": ""}

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
    # The program. "outsiders" pass the role check but are not in a cohort or pair: they get this status.
    ("GET", "/skills"): {"who": EVERYONE},
    ("GET", "/membership"): {"who": MEMBERS, "member": True, "outsiders": {"admin": 404}},
    ("GET", "/profile"): {"who": MEMBERS, "member": True, "outsiders": {"admin": 404}},
    ("PUT", "/profile"): {"who": MEMBERS, "member": True, "outsiders": {"admin": 404}, "json": PROFILE_BODY},
    ("GET", "/pairs"): {"who": PARTICIPANTS},
    ("GET", "/pairs/{pair_id}/agreement"): PAIR_RULE,
    ("GET", "/pairs/{pair_id}/agreement/versions"): PAIR_RULE,
    ("POST", "/pairs/{pair_id}/agreement/draft"): {**PAIR_RULE, "json": {}},
    ("PATCH", "/pairs/{pair_id}/agreement"): {**PAIR_RULE, "json": {"changes": {"Rescheduling rule": "a day ahead"}}},
    ("POST", "/pairs/{pair_id}/agreement/accept"): {**PAIR_RULE, "json": {"version": 2}},
    ("GET", "/pairs/{pair_id}/sessions"): PAIR_RULE,
    ("POST", "/pairs/{pair_id}/sessions"): {**PAIR_RULE, "json": {"held_on": date.today().isoformat(), "rating": 4}},
    ("GET", "/pairs/{pair_id}/calendar.ics"): PAIR_RULE,
    ("PATCH", "/actions/{action_id}"): {**PAIR_RULE, "owned": "action", "json": {"done": True}},
    ("GET", "/pulses/questions"): {"who": PARTICIPANTS},
    ("GET", "/pulses"): {"who": PARTICIPANTS},
    ("POST", "/pulses"): {"who": MEMBERS, "member": True, "outsiders": {"admin": 422}, "json": PULSE},
    ("GET", "/programs"): {"who": ADMIN},
    ("POST", "/programs"): {"who": ADMIN, "json": lambda *_: {"name": f"Another program {uuid.uuid4().hex[:8]}"}},
    ("GET", "/programs/{program_id}"): {"who": ADMIN, "admin_resource": "program"},
    ("GET", "/programs/{program_id}/cohorts"): {"who": ADMIN, "admin_resource": "program"},
    ("POST", "/programs/{program_id}/cohorts"): {
        "who": ADMIN,
        "admin_resource": "program",
        "json": lambda *_: {"name": f"A cohort of its own {uuid.uuid4().hex[:8]}", "starts_on": "2027-01-11"},
    },
    ("GET", "/cohorts/{cohort_id}/members"): {"who": ADMIN, "admin_resource": "cohort"},
    ("POST", "/cohorts/{cohort_id}/members"): {
        "who": ADMIN,
        "admin_resource": "cohort",
        "json": lambda world, _: {"user_id": world.participant("mentee"), "role": "mentee"},
    },
    ("POST", "/cohorts/{cohort_id}/matching"): {"who": ADMIN, "admin_resource": "cohort"},
    ("GET", "/cohorts/{cohort_id}/pairs"): {"who": ADMIN, "admin_resource": "cohort"},
    ("POST", "/cohorts/{cohort_id}/pairs"): {
        "who": ADMIN,
        "admin_resource": "cohort",
        "json": lambda world, cohort_id: dict(
            zip(("mentor_id", "mentee_id"), world.two_members(int(cohort_id)), strict=True)
        ),
    },
    ("POST", "/pairs/{pair_id}/confirm"): {"who": ADMIN, "admin_resource": "proposed_pair"},
    ("POST", "/pairs/{pair_id}/end"): {"who": ADMIN, "admin_resource": "pair"},
    ("POST", "/pairs/swap"): {
        "who": ADMIN,
        "json": lambda world, _: dict(zip(("first_pair_id", "second_pair_id"), world.proposed_pairs(), strict=True)),
    },
    ("GET", "/stalled-pairs"): {"who": ADMIN},
    ("GET", "/insights/cohorts"): {"who": HR},
    ("GET", "/insights/cohorts/{cohort_id}"): {"who": HR, "admin_resource": "cohort"},
    ("GET", "/me/nudges"): {"who": EVERYONE},
    ("PUT", "/me/nudges"): {"who": EVERYONE, "json": {"off": ["pair_stalled"]}},
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


def make_resource(client: TestClient, world: ProgramWorld, kind: str, person: dict[str, str]) -> str:
    headers = {"Authorization": f"Bearer {person['token']}"}
    if kind == "conversation":
        return str(client.post(f"{API}/conversations", json={}, headers=headers).json()["id"])
    if kind == "goal":
        return str(client.post(f"{API}/goals", json=GOAL, headers=headers).json()["id"])
    if kind == "pair":
        return str(world.pair(int(person["id"])))
    return str(world.action(int(person["id"])))


def make_admin_resource(world: ProgramWorld, kind: str) -> str:
    if kind == "program":
        return str(world.program_id)
    if kind == "cohort":
        return str(world.cohort())
    return str(world.pair(confirmed=kind == "pair"))


def body_for(rule: dict[str, Any], world: ProgramWorld, resource: str | None) -> Any:
    body = rule.get("json")
    return body(world, resource) if callable(body) else body


@pytest.mark.slow
def test_access_matrix(settings: Settings, services: Services) -> None:
    settings.rate_limit_per_minute = 0
    app = create_app(settings, services=services)
    people = Participants(services)
    world = ProgramWorld(services)
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
                status = client.request(method, url, json=body_for(rule, world, None)).status_code
                if status != 401:
                    failures.append((method, path, "no token", status))
            owner = people.add("Owner of things", "mentee")
            for role in ROLES:
                caller = people.add(f"Caller {role}", role)
                outsider_status = rule.get("outsiders", {}).get(role)
                if rule.get("member") and role in MEMBERS:
                    world.member(int(caller["id"]))
                targets = {"own": (url, None)}
                if "owned" in rule:
                    can_own = role in rule["who"] and outsider_status is None
                    own_id = make_resource(client, world, rule["owned"], caller) if can_own else "1"
                    other_id = make_resource(client, world, rule["owned"], owner)
                    targets = {"own": (_fill(url, own_id), own_id), "other": (_fill(url, other_id), other_id)}
                elif "admin_resource" in rule:
                    resource = make_admin_resource(world, rule["admin_resource"])
                    targets = {"own": (_fill(url, resource), resource)}
                elif rule.get("user"):
                    target_id = people.add("Target", "mentee")["id"]
                    targets = {"own": (_fill(url, target_id), target_id)}
                for whose, (target, resource) in targets.items():
                    body = body_for(rule, world, resource) if role in rule["who"] else rule.get("json")
                    status = client.request(
                        method,
                        target,
                        json=None if callable(body) else body,
                        headers={"Authorization": f"Bearer {caller['token']}"},
                    ).status_code
                    if role not in rule["who"] and outsider_status is None:
                        expected = {403}
                    elif outsider_status is not None:
                        expected = {outsider_status}
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
