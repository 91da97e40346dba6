"""A mentee and a mentor use the workspace in Chromium: ask, draft a goal, plan a session, rehearse."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, pace_tokens, screenshot, sign_in

pytestmark = pytest.mark.browser
QUESTION = "How should I give feedback to my senior mentee?"
ANSWERED = ".message.assistant:not(.streaming)"
REPLY_MS = 60_000  # the first message also builds the theme classifier, on the same two cores


@pytest.fixture
def slow_tokens(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Space the reply's tokens out in time, as a real model does, so streaming is visible."""
    pace_tokens(live_server, monkeypatch, 0.02)


def start(page: Page, mode: str, title: str = "") -> None:
    page.goto("/app")
    page.get_by_role("radio", name=mode).check()
    if title:
        page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("#chat-panel")).to_be_visible()


def send(page: Page, text: str) -> None:
    """Send ``text`` and wait until its reply is complete (streamed, then replaced by the stored reply)."""
    replies = page.locator(ANSWERED).count()
    page.locator("#message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(ANSWERED)).to_have_count(replies + 1, timeout=REPLY_MS)


def test_ask_streams_a_cited_answer_whose_chip_opens_the_guideline_section(
    page: Page, live_server: LiveServer, slow_tokens: None
) -> None:
    sign_in(page, live_server.add_user("Sam Young", "mentor"))
    expect(page).to_have_url(f"{live_server.url}/app")
    start(page, "Ask", "Feedback upwards")

    page.locator("#message").fill(QUESTION)
    page.get_by_role("button", name="Send").click()
    streaming = page.locator(".message.streaming")
    page.wait_for_function(
        "() => (document.querySelector('.message.streaming .content')?.textContent || '').split(' ').length > 5"
    )
    partial = streaming.locator(".content").text_content() or ""
    assert streaming.get_attribute("aria-busy") == "true", "the reply was complete before any token was shown"

    answer = page.locator(ANSWERED).last
    expect(answer).to_be_visible(timeout=REPLY_MS)
    final = answer.locator(".content").text_content() or ""
    assert len(final) > len(partial) and final.startswith(partial.strip()[:20])
    expect(page.locator("#chat-status")).to_contain_text("Tandem answered")
    expect(page.locator(".message.user .content")).to_have_text([QUESTION])

    chips = answer.locator(".chip")
    expect(chips.first).to_be_visible()
    assert chips.first.locator(".chip-number").text_content() == "1"
    section = (chips.first.text_content() or "").removeprefix("1Source 1: ").removesuffix(" (opens in a new tab)")
    screenshot(page, "participant-chat.png")

    with page.context.expect_page() as opened:
        chips.first.click()
    guideline = opened.value
    guideline.wait_for_load_state()
    assert guideline.url.startswith(f"{live_server.url}/guidelines/") and "#" in guideline.url
    expect(guideline.locator(":target")).to_have_text(section)
    expect(guideline.locator("h1").first).to_be_visible()


def test_goal_checklist_updates_with_each_draft_and_the_draft_is_saved_to_my_goals(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server.add_user("Pat Senior", "mentee"))
    start(page, "Goal", "My dashboard goal")

    send(page, "get better at tech")
    checklist = page.get_by_role("list", name="SMART criteria")
    expect(checklist.locator("li")).to_have_count(5)
    expect(checklist.locator("[data-criterion=time_bound]")).to_have_attribute("data-met", "false")
    expect(checklist.locator("[data-criterion=time_bound]")).to_contain_text("missing")

    german = "Ich möchte bis März besser mit Excel arbeiten."
    page.locator("#message").fill(german)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#composer-error")).to_be_visible()
    expect(page.locator("#message")).to_have_value(german)
    expect(page.locator(".message")).to_have_count(2)

    better = "By 31 March I will build one Power BI dashboard for my team's weekly sales review."
    send(page, better)
    expect(checklist.locator("[data-criterion=time_bound]")).to_have_attribute("data-met", "true")
    expect(checklist.locator("[data-met=true]")).to_have_count(5)

    page.get_by_label("Improved draft").fill(better)
    page.get_by_role("button", name="Save to My goals").click()
    expect(page.locator("#goal-saved")).to_contain_text("Saved to My goals")

    page.get_by_role("link", name="My goals").first.click()
    goal = page.locator(".goal").filter(has_text="Power BI dashboard")
    expect(goal).to_have_count(1)
    expect(goal).to_contain_text("5 of 5 SMART criteria met")
    goal.get_by_label("Status").select_option("active")
    expect(page.locator("#goals-status")).to_have_text("Goal status changed to active.")
    page.reload()
    expect(page.locator(".goal").filter(has_text="Power BI").get_by_label("Status")).to_have_value("active")


def test_plan_a_30_minute_remote_session_and_download_the_ics_and_markdown(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    sign_in(page, live_server.add_user("Morgan Mentee", "mentee"))
    page.goto("/app")
    page.get_by_role("radio", name="Plan").check()
    page.get_by_label("Minutes").fill("30")
    page.get_by_label("Format").select_option("remote")
    page.get_by_role("button", name="Start", exact=True).click()
    send(page, "Plan a 30-minute remote session")

    table = page.locator("table.agenda")
    expect(table.locator("caption")).to_have_text("Agenda (30 minutes)")
    minutes = [int(text) for text in table.locator("tbody td.num").all_text_contents()]
    assert len(minutes) >= 3 and sum(minutes) == 30
    expect(table.locator("tfoot td.num")).to_have_text("30")

    expect(page.locator(".plan-summary")).to_have_text("30 minutes · remote · regular session")
    send(page, "Plan our next session in person")
    expect(page.locator(".plan-summary")).to_have_text("30 minutes · in-person · regular session")
    assert "Plan our next session" not in (page.locator("table.agenda").text_content() or "")

    page.get_by_label("Session starts").fill("2020-01-12T10:00")
    page.get_by_role("button", name="Download .ics").click()
    expect(page.locator("#side-panel")).to_contain_text("in the past")
    starts = (datetime.now() + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    page.get_by_label("Session starts").fill(starts)
    with page.expect_download() as ics_download:
        page.get_by_role("button", name="Download .ics").click()
    assert ics_download.value.suggested_filename == "tandem-session.ics"
    ics_path = tmp_path / "session.ics"
    ics_download.value.save_as(ics_path)
    event = next(c for c in Calendar.from_ical(ics_path.read_bytes()).walk() if c.name == "VEVENT")
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert event.decoded("dtstart").strftime("%Y-%m-%dT10:00") == starts
    first_item = table.locator("tbody th").first.text_content() or ""
    assert first_item in str(event.get("description"))

    with page.expect_download() as md_download:
        page.get_by_role("button", name="Download Markdown").click()
    md_path = tmp_path / "session.md"
    md_download.value.save_as(md_path)
    assert first_item in md_path.read_text(encoding="utf-8")


def test_rehearse_with_a_chosen_persona_shows_the_critique_with_flagged_words_marked(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server.add_user("Young Mentor", "mentor"))
    page.goto("/app")
    page.get_by_role("radio", name="Rehearse").check()
    page.get_by_label("Name", exact=True).fill("Ingrid")
    page.get_by_label("Temperament").select_option("defensive")
    page.get_by_label("Role", exact=True).fill("Head of Sales")
    page.get_by_label("Years at the company").fill("30")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator(".message.assistant")).to_have_count(1)
    expect(page.locator(".message.assistant .speaker")).to_have_text("Ingrid (Head of Sales)")
    expect(page.locator(".message.assistant .content")).to_contain_text("Ingrid")
    expect(page.locator("#side-panel")).to_contain_text("Ingrid: defensive Head of Sales, 30 years")

    send(page, "You're a dinosaur with this stuff.")
    critique = page.locator(".critique").first
    expect(critique.locator("mark")).to_have_text(["dinosaur"])
    expect(critique.locator("blockquote")).to_have_text("You're a dinosaur with this stuff.")
    expect(critique.get_by_role("list", name="Flagged words")).to_contain_text("dinosaur")

    persona_reply = page.locator(ANSWERED).last
    expect(persona_reply.locator(".speaker")).to_have_text("Ingrid (Head of Sales)")
    expect(persona_reply.locator(".chip")).to_have_count(0)

    send(page, "In Tuesday's call you shared your screen with notifications on, and the client saw our pricing thread.")
    expect(page.locator(".critique")).to_have_count(2)
    expect(page.locator(".critique").first.locator("mark")).to_have_count(0)
    expect(page.locator(ANSWERED).last.locator(".content")).to_contain_text("I shared")

    send(page, "You always leave your notifications on when you share your screen.")
    expect(page.locator(".critique")).to_have_count(3)

    replies = page.locator(ANSWERED).count()
    page.get_by_role("button", name="End rehearsal").click()
    expect(page.locator(ANSWERED)).to_have_count(replies + 1, timeout=REPLY_MS)
    summary = page.locator(".rehearsal-summary")
    expect(summary.locator(".went-well li").first).to_be_visible()
    expect(summary.locator(".missed")).to_contain_text("Situation: missing in 2 of 3 lines")
    # a line is rephrased only from the mentor's own words: the habit gets the situation of Tuesday's call,
    # the label ("dinosaur") names no behaviour to keep, so it is not rewritten with a blank
    expect(summary.locator(".rephrasings li")).to_have_count(1)
    expect(summary.locator(".rephrasings li")).to_contain_text("In Tuesday's call, you leave your notifications on")
    expect(summary.locator(".rephrasings")).not_to_contain_text("[")
    expect(page.locator(ANSWERED).last.locator(".speaker")).to_have_text("Tandem")
    expect(page.locator("#message")).to_be_disabled()
    assert "null" not in (page.locator("#side-panel").text_content() or "")
    screenshot(page, "rehearsal-summary.png")


def test_the_chat_works_at_phone_width(phone_page: Page, live_server: LiveServer) -> None:
    page = phone_page
    sign_in(page, live_server.add_user("Phone Mentee", "mentee"))
    start(page, "Ask")
    send(page, "How do I write a SMART goal?")
    expect(page.locator(".message.assistant .chip").first).to_be_visible()
    expect(page.locator("#chat-title")).to_have_text("How do I write a SMART goal?")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px"
    screenshot(page, "participant-chat-phone.png")
