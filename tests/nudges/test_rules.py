"""Each rule on its own, called directly: the window of goal_due, the cadence behind meeting_tomorrow,
the digest's day, and the opt-outs of the API and the signed links."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import Goal, User
from assistant.db.program_models import Pair
from assistant.nudges.mailer import SmtpTarget
from assistant.nudges.preferences import UnknownKindError, change, off_token, read_off_token
from assistant.nudges.rules import goal_due, meeting_tomorrow, pair_stalled, weekly_digest
from assistant.program import pairing
from assistant.program.cohorts import get_cohort
from assistant.program.skills import default_skills
from assistant.services import Services
from tests.conftest import Participants, auth
from tests.nudges.world import MONDAY, seed
from tests.program.helpers import mentee, mentor
from tests.program.program_setup import enrol_cohort


def test_goal_due_covers_active_goals_from_today_to_n_days_ahead(services: Services) -> None:
    today = date(2027, 3, 1)
    with transaction(services.db_factory) as db:
        owner, _ = crud.create_user(db, name="Goal Owner", role="mentee")
        expected = {}
        for offset, status in ((-1, "active"), (0, "active"), (3, "done"), (3, "draft"), (7, "active"), (8, "active")):
            goal = Goal(user_id=owner.id, text="x", status=status, target_date=today + timedelta(days=offset))
            db.add(goal)
            db.flush()
            if status == "active" and 0 <= offset <= 7:
                expected[goal.id] = offset
        db.add(Goal(user_id=owner.id, text="no date", status="active", target_date=None))
    with services.db_factory() as db:
        found = goal_due(db, today, days_before=7)
    assert {nudge.goal_id: nudge.days_left for nudge in found} == expected
    assert {nudge.user_id for nudge in found} == {owner.id}
    assert found[0].about == f"goal:{found[0].goal_id}:2027-03-01"


def confirmed_pair(services: Services, *, cadence_days: int, starts_on: date) -> int:
    enrolled = enrol_cohort(
        services,
        [mentor("mo", availability=frozenset({"thu-pm"})), mentee("me", availability=frozenset({"thu-pm"}))],
        starts_on=starts_on,
        cadence_days=cadence_days,
        stalled_after_days=cadence_days * 3,
    )
    with transaction(services.db_factory) as db:
        cohort = get_cohort(db, enrolled.cohort_id)
        pair = pairing.set_pair(
            db,
            cohort,
            mentor_id=enrolled.users["mo"],
            mentee_id=enrolled.users["me"],
            skills=default_skills(),
            allow_weak=True,
        )
        pairing.confirm_pair(db, pair)
        pair.confirmed_at = datetime.combine(starts_on, datetime.min.time(), UTC)
        return pair.id


def test_meeting_tomorrow_follows_the_pairs_calendar_also_for_a_cadence_in_days(services: Services) -> None:
    start = date(2027, 1, 11)  # a Monday: the first Thursday slot is 14 January
    pair_id = confirmed_pair(services, cadence_days=10, starts_on=start)
    with services.db_factory() as db:
        ends_on = db.get_one(Pair, pair_id).cohort.ends_on

        def meetings(tomorrow: date) -> list[tuple[int, datetime]]:
            found = meeting_tomorrow(db, tomorrow - timedelta(days=1), link="https://t.example/pair")
            return [(nudge.user_id, nudge.starts_at) for nudge in found]

        first = date(2027, 1, 14)
        assert len(meetings(first)) == 2
        assert [at for _, at in meetings(first + timedelta(days=10))] == [datetime(2027, 1, 24, 15, 0)] * 2
        assert meetings(first + timedelta(days=7)) == [], "a daily cadence of 10 is not weekly"
        assert meetings(first - timedelta(days=10)) == [], "nothing before the cohort starts"
        last = first + timedelta(days=10 * ((ends_on - first).days // 10))
        assert len(meetings(last)) == 2
        assert meetings(last + timedelta(days=10)) == [], "nothing after the cohort ends"


def test_an_ended_pair_has_no_meetings_and_is_never_stalled(services: Services) -> None:
    start = date(2027, 1, 11)
    pair_id = confirmed_pair(services, cadence_days=14, starts_on=start)
    with services.db_factory() as db:
        assert len(pair_stalled(db, date(2027, 3, 1))) == 2
    with transaction(services.db_factory) as db:
        pairing.end_pair(db, db.get_one(Pair, pair_id))
    with services.db_factory() as db:
        assert pair_stalled(db, date(2027, 3, 1)) == []
        assert meeting_tomorrow(db, date(2027, 1, 13), link="x") == []


def test_the_digest_is_due_from_its_weekday_once_per_iso_week(services: Services) -> None:
    seed(services)
    with services.db_factory() as db:
        sunday = MONDAY - timedelta(days=1)
        assert weekly_digest(db, sunday, k=3, weekday="wed")[0].about == "digest:2027-W05"
        assert weekly_digest(db, MONDAY, k=3, weekday="wed") == [], "Monday is before Wednesday"
        wednesday, friday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
        assert [d.about for d in weekly_digest(db, wednesday, k=3, weekday="wed")] == ["digest:2027-W06"]
        assert [d.about for d in weekly_digest(db, friday, k=3, weekday="wed")] == ["digest:2027-W06"]
        assert weekly_digest(db, date(2026, 12, 7), k=3, weekday="mon") == [], "no cohort running yet"


def test_me_nudges_reads_and_replaces_only_the_callers_own_opt_outs(
    client: TestClient, participants: Participants, services: Services
) -> None:
    me, other = participants.add("Me Myself"), participants.add("Someone Else")
    with transaction(services.db_factory) as db:
        db.get_one(User, int(other["id"])).nudges_off = ["goal_due"]

    first = client.get("/api/v1/me/nudges", headers=auth(me)).json()
    assert first["off"] == [] and [k["kind"] for k in first["kinds"]][:2] == ["goal_due", "meeting_tomorrow"]
    assert all(k["on"] for k in first["kinds"])

    put = client.put("/api/v1/me/nudges", headers=auth(me), json={"off": ["weekly_digest", "pair_stalled"]})
    assert put.status_code == 200 and put.json()["off"] == ["pair_stalled", "weekly_digest"]
    assert client.get("/api/v1/me/nudges", headers=auth(other)).json()["off"] == ["goal_due"]

    bad = client.put("/api/v1/me/nudges", headers=auth(me), json={"off": ["spam"]})
    assert bad.status_code == 422 and "unknown nudge kind 'spam'" in bad.json()["detail"]
    assert client.put("/api/v1/me/nudges", headers=auth(me), json={"off": [], "user_id": 2}).status_code == 422
    assert client.get("/api/v1/me/nudges", headers=auth(me)).json()["off"] == ["pair_stalled", "weekly_digest"]
    assert client.get("/api/v1/me/nudges").status_code == 401


def test_opt_out_changes_and_signed_links() -> None:
    user = User(name="U", role="mentee", token_hash="h", nudges_off=["goal_due"])
    assert change(user, ["weekly_digest", "weekly_digest"], off=True) == ["goal_due", "weekly_digest"]
    assert change(user, ["goal_due"], off=False) == ["weekly_digest"]
    with pytest.raises(UnknownKindError, match="unknown nudge kind 'everything'"):
        change(user, ["everything"], off=True)

    secret = SecretStr("s1")
    token = off_token(secret, 42, "pair_stalled")
    assert read_off_token(secret, token) == (42, "pair_stalled")
    assert read_off_token(SecretStr("s2"), token) is None, "signed with another secret"
    assert read_off_token(secret, token[:-2]) is None
    assert read_off_token(secret, off_token(secret, 42, "no_such_kind")) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", ("mail.example", 25, "", "", "none")),
        ("smtp://u%40corp:p%3Ass@mail.example:587?starttls=true", ("mail.example", 587, "u@corp", "p:ss", "starttls")),
        ("smtps://u:p@mail.example", ("mail.example", 465, "u", "p", "ssl")),
    ],
)
def test_smtp_urls(url: str, expected: tuple[str, int, str, str, str]) -> None:
    target = SmtpTarget.parse(url)
    assert (target.host, target.port, target.username, target.password, target.security) == expected
    assert "p" not in str(target).replace("mail.example", ""), "the password is never in messages"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://mail.example", "must start with smtp:// or smtps://"),
        ("smtp://mail.example:99999", "port"),
        ("smtp://:25", "no host"),
        ("smtp://mail.example?tls=yes", "unknown option 'tls'"),
        ("smtp://mail.example?starttls=maybe", "true or false"),
    ],
)
def test_bad_smtp_urls_get_one_line(url: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        SmtpTarget.parse(url)
