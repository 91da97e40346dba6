"""A daily run against a real SMTP server: who gets what, what is attached, what never leaves, and once only."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import func, select

from assistant.config import Settings
from assistant.db.models import Goal, Message, NudgeSent, User
from assistant.db.program_models import PairSession
from assistant.nudges.compose import LABELS
from assistant.nudges.send import send_nudges
from assistant.services import Services
from tests.nudges.conftest import MAIL_FROM, PUBLIC_URL, K
from tests.nudges.smtp_inbox import Delivered, SmtpServer
from tests.nudges.world import MONDAY, NAMES, NOTES, SECRET_SENTENCE, TOMORROW, World, seed


def addresses(world: World, *keys: str) -> list[str]:
    return sorted(world.email(key) for key in keys)


def sent_rows(services: Services) -> int:
    with services.db_factory() as db:
        return db.scalar(select(func.count()).select_from(NudgeSent)) or 0


def test_each_kind_reaches_exactly_its_recipients_once(
    settings: Settings, services: Services, smtp_server: SmtpServer
) -> None:
    world = seed(services)
    inbox = smtp_server.inbox
    inbox.refuse.add(world.email("rex"))

    report = send_nudges(services.db_factory, settings, today=MONDAY)

    assert report.error is None
    assert inbox.recipients("goal_due") == addresses(world, "ben")
    assert inbox.recipients("meeting_tomorrow") == addresses(world, "ana", "ben")
    assert inbox.recipients("pair_stalled") == addresses(world, "cara", "dev")
    assert inbox.recipients("weekly_digest") == addresses(world, "adam")
    assert all(len(mail.rcpt_tos) == 1 for mail in inbox.delivered), "one e-mail per person, nobody in copy"
    everyone = {rcpt for mail in inbox.delivered for rcpt in mail.rcpt_tos}
    assert world.email("eve") not in everyone, "Eve turned goal reminders off and nothing else is due for her"
    assert world.email("hana") not in everyone, "HR does not get the admins' digest"

    goal = report.counts["goal_due"]
    assert (goal.sent, goal.turned_off, goal.no_address, goal.refused) == (1, 1, 1, 1)
    assert sent_rows(services) == len(inbox.delivered) == 6, "the refused e-mail is not recorded as sent"
    with services.db_factory() as db:
        abouts = set(db.scalars(select(NudgeSent.about)))
        ben_goal = db.scalar(select(Goal.id).where(Goal.user_id == world.users["ben"], Goal.status == "active"))
    assert f"goal:{ben_goal}:2027-02-12" in abouts
    assert f"meeting:{world.pairs['tuesday']}:2027-02-09" in abouts
    assert f"pair:{world.pairs['quiet']}:quiet-since:2027-01-11" in abouts
    assert "digest:2027-W06" in abouts

    delivered = len(inbox.delivered)
    again = send_nudges(services.db_factory, settings, today=MONDAY)
    assert len(inbox.delivered) == delivered, "a second run the same day sends nothing new"
    assert again.sent == 0 and again.counts["pair_stalled"].already_sent == 2
    assert again.counts["goal_due"].refused == 1, "a refused e-mail is tried again on the next run"
    assert sent_rows(services) == 6


def test_every_email_says_what_it_is_links_the_app_and_how_to_stop_it(
    settings: Settings, services: Services, smtp_server: SmtpServer
) -> None:
    world = seed(services)
    smtp_server.inbox.refuse.add(world.email("rex"))
    send_nudges(services.db_factory, settings, today=MONDAY)
    subjects = {mail.kind: str(mail.message["Subject"]) for mail in smtp_server.inbox.delivered}
    assert subjects["goal_due"] == "Tandem: your goal is due in 4 days (Friday 12 February 2027)"
    assert subjects["meeting_tomorrow"].startswith("Tandem: meeting with ")
    assert subjects["meeting_tomorrow"].endswith(" tomorrow at 09:30")
    assert subjects["pair_stalled"].startswith("Tandem: no session with ") and "28 days" in subjects["pair_stalled"]
    assert subjects["weekly_digest"] == "Tandem weekly digest, 2027-W06"
    for mail in smtp_server.inbox.delivered:
        message = mail.message
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert message["From"] == MAIL_FROM and mail.rcpt_tos[0] in str(message["To"])
        assert f"Open Tandem: {PUBLIC_URL}/" in text
        stop = str(message["List-Unsubscribe"]).strip("<>")
        assert stop.startswith(f"{PUBLIC_URL}/nudges/off?t=") and f"\r\n{stop}\r\n" in text
        assert f"You get {LABELS[mail.kind]} from Tandem. To stop them" in " ".join(text.split())
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert b"\r\nList-Unsubscribe: <https://" in mail.content, "the link is a plain <URL>, not an encoded word"
    ben = next(m for m in smtp_server.inbox.of_kind("meeting_tomorrow") if m.rcpt_tos == (world.email("ben"),))
    assert NAMES["ana"] in str(ben.message["Subject"]), "each partner is told whom they meet"


def test_the_meeting_reminder_carries_a_valid_calendar_for_tomorrow(
    settings: Settings, services: Services, smtp_server: SmtpServer
) -> None:
    world = seed(services)
    send_nudges(services.db_factory, settings, today=MONDAY)
    uids = set()
    for mail in smtp_server.inbox.of_kind("meeting_tomorrow"):
        (attachment,) = list(mail.message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        assert (attachment.get_filename() or "").endswith(".ics")
        calendar = Calendar.from_ical(attachment.get_payload(decode=True))
        assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == datetime(TOMORROW.year, TOMORROW.month, TOMORROW.day, 9, 30)
        assert event.decoded("dtend") == datetime(TOMORROW.year, TOMORROW.month, TOMORROW.day, 10, 30)
        assert NAMES["ana"] in str(event["SUMMARY"]) and NAMES["ben"] in str(event["SUMMARY"])
        assert event["DTSTAMP"] and NOTES not in str(event.get("DESCRIPTION"))
        uids.add(str(event["UID"]))
    assert uids == {f"tandem-pair-{world.pairs['tuesday']}-20270209@tandem"}, "both partners get the same event"


def test_no_email_contains_conversation_text_goal_text_or_session_notes(
    settings: Settings, services: Services, smtp_server: SmtpServer
) -> None:
    seed(services)
    send_nudges(services.db_factory, settings, today=MONDAY)
    with services.db_factory() as db:
        stored = [
            *db.scalars(select(Message.content)),
            *db.scalars(select(Goal.text)),
            *db.scalars(select(PairSession.notes)),
        ]
    assert SECRET_SENTENCE in stored and len(stored) >= 10
    assert len(smtp_server.inbox.delivered) == 7
    for mail in smtp_server.inbox.delivered:
        text = mail.text
        assert SECRET_SENTENCE not in text and "violet heron" not in text
        leaked = [sentence for sentence in stored if sentence and sentence in text]
        assert not leaked, f"{mail.kind} e-mail to {mail.rcpt_tos} contains stored text"


def test_the_digest_shows_k_anonymous_figures_and_no_names(
    settings: Settings, services: Services, smtp_server: SmtpServer
) -> None:
    world = seed(services)
    send_nudges(services.db_factory, settings, today=MONDAY)
    (digest,) = smtp_server.inbox.of_kind("weekly_digest")
    text = digest.text
    lines = {line.strip().rsplit("  ", 1)[0].strip(): line.strip().rsplit("  ", 1)[-1] for line in text.splitlines()}
    hidden = f"suppressed (fewer than {K} people)"
    assert f"Cohort {world.cohort}" in text
    assert lines["Mentors"] == hidden, "2 mentors is fewer than k"
    assert lines["Mentees"] == hidden
    assert lines["Confirmed pairs"] == "2", "2 pairs are 4 people: shown"
    assert lines["People with goals"] == "3"
    assert lines["Pairs with an accepted agreement"] == "0", "a figure about nobody describes no one"
    assert lines["Pairs without a session for over 21 days"] == hidden, "one stalled pair is 2 people"
    assert lines["Sessions this month (2027-02)"] == hidden
    with services.db_factory() as db:
        others = list(db.scalars(select(User.name).where(User.id != world.users["adam"])))
    assert len(others) == 8 and not [name for name in others if name in text or name.split()[0] in text]


def test_a_dry_run_counts_and_neither_sends_nor_records(
    settings: Settings, services: Services, smtp_server: SmtpServer
) -> None:
    seed(services)
    report = send_nudges(services.db_factory, settings, today=MONDAY, dry_run=True)
    assert [report.counts[kind].sent for kind in report.counts] == [2, 2, 2, 1], "Rex is only refused when sending"
    assert report.lines()[0] == "goal_due: 2 to send (dry run) (1 turned off, 1 without an e-mail address)"
    assert smtp_server.inbox.delivered == [] and sent_rows(services) == 0


def test_the_link_in_an_email_turns_that_kind_off_after_one_click(
    settings: Settings, services: Services, smtp_server: SmtpServer, client: TestClient
) -> None:
    world = seed(services)
    send_nudges(services.db_factory, settings, today=MONDAY)
    mail: Delivered = next(m for m in smtp_server.inbox.of_kind("pair_stalled") if m.rcpt_tos == ("cara@example.org",))
    link = urlsplit(str(mail.message["List-Unsubscribe"]).strip("<>"))
    local = f"{link.path}?{link.query}"

    page = client.get(local)
    assert page.status_code == 200 and "Stop reminders when your pair goes quiet" in page.text
    assert f'action="{local}"' in page.text

    def nudges_off(key: str) -> list[str]:
        with services.db_factory() as db:
            return list(db.get_one(User, world.users[key]).nudges_off)

    assert nudges_off("cara") == [], "opening the link (a mail scanner does) changes nothing"
    done = client.post(local, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Reminders stopped" in done.text
    assert nudges_off("cara") == ["pair_stalled"] and nudges_off("dev") == []

    forged = client.post(f"{link.path}?{link.query[:-3]}abc")
    assert forged.status_code == 400 and "not valid" in forged.text
    assert client.get("/nudges/off").status_code == 400
