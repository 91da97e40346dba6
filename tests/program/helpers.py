"""A compact way to write profiles in tests: only what the test is about differs from the defaults."""

from __future__ import annotations

from typing import Any

from assistant.program.profiles import Profile


def person(ident: str, role: str = "mentee", **changes: Any) -> Profile:
    fields: dict[str, Any] = {
        "id": ident,
        "name": ident.title(),
        "role": role,
        "department": "Sales" if role == "mentor" else "Finance",
        "teaches": {"excel"} if role == "mentor" else {"budgeting"},
        "wants": {"budgeting"} if role == "mentor" else {"excel"},
        "work_style": "mixed",
        "availability": {"tue-am", "thu-am"},
        "format": "hybrid",
        "manager_id": None,
        "motivation": "",
    }
    fields.update(changes)
    return Profile(**fields)


def mentor(ident: str, **changes: Any) -> Profile:
    return person(ident, "mentor", **changes)


def mentee(ident: str, **changes: Any) -> Profile:
    return person(ident, "mentee", **changes)
