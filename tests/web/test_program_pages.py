"""The program pages: who may open them, the navigation to them, and HR's server-rendered cohort picker."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient

from assistant.db.engine import transaction
from assistant.program.cohorts import ProgramSpec, create_cohort, create_program
from tests.conftest import Participants
from tests.web.test_auth import sign_in

PAGES = {  # path: (nav label, script)
    "/pair": ("My pair", "pair.js"),
    "/hr/program": ("Cohort figures", "hr-program.js"),
    "/admin/program": ("Program", "admin-program.js"),
}
ALLOWED = {
    "mentee": {"/pair"},
    "mentor": {"/pair"},
    "hr": {"/hr/program"},
    "admin": {"/pair", "/hr/program", "/admin/program"},
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_opens_its_program_pages_and_sees_only_their_links(
    client: TestClient, participants: Participants, role: str
) -> None:
    sign_in(client, participants.add(f"Someone {role}", role)["token"])
    for path, (label, script) in PAGES.items():
        response = client.get(path)
        if path in ALLOWED[role]:
            assert response.status_code == 200, path
            assert f'<a href="{path}" aria-current="page">{label}</a>' in response.text
            assert f'<script type="module" src="/static/js/{script}"></script>' in response.text
        else:
            assert response.status_code == 403, path
            assert f'<a href="{path}"' not in response.text, "a page the user may not open is in their navigation"


def test_the_pages_need_sign_in(client: TestClient) -> None:
    for path in PAGES:
        assert client.get(path, follow_redirects=False).headers["location"] == f"/signin?next={path}"


def test_the_pair_page_carries_the_users_id_and_loads_its_script(
    client: TestClient, participants: Participants
) -> None:
    mentor = participants.add("Mira Young", "mentor")
    sign_in(client, mentor["token"])
    page = client.get("/pair").text
    assert f'data-user-id="{mentor["id"]}"' in page and 'src="/static/js/pair.js"' in page
    assert "<script>" not in page and "style=" not in page


def test_hr_picks_from_every_cohort_grouped_by_program_with_names_escaped(
    client: TestClient, participants: Participants
) -> None:
    suffix = uuid.uuid4().hex[:8]  # PostgreSQL tests share one schema per run; names are unique
    with transaction(participants.services.db_factory) as db:
        program = create_program(db, ProgramSpec(f"Bridge <b>{suffix}</b>"))
        older = create_cohort(db, program=program, name=f"Spring & co {suffix}", starts_on=date(2027, 1, 11))
        newer = create_cohort(db, program=program, name=f"Autumn {suffix}", starts_on=date(2027, 9, 6))
        ids = older.id, newer.id
    sign_in(client, participants.add("Hana Resources", "hr")["token"])
    page = client.get("/hr/program").text
    assert f'<optgroup label="Bridge &lt;b&gt;{suffix}&lt;/b&gt;">' in page
    assert page.index(f'value="{ids[1]}"') < page.index(f'value="{ids[0]}"'), "the newest cohort comes first"
    assert f"Spring &amp; co {suffix} (from 2027-01-11)" in page and "<b>" not in page
