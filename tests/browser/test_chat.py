"""The chat as people use chat tools: rendered replies with linked citations, Enter to send, stop, copy,
regenerate, edit and resend, rename and delete, an outage banner with retry, dark mode, a favicon."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import LiveServer, _check_problems, open_page, pace_tokens, screenshot, sign_in
from tests.browser.test_participant import ANSWERED, QUESTION, REPLY_MS, send, start

pytestmark = pytest.mark.browser


@pytest.fixture
def very_slow_tokens(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reply slow enough to be stopped half-way."""
    pace_tokens(live_server, monkeypatch, 0.25)


def test_a_reply_is_rendered_and_its_markers_link_to_the_cited_section(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.add_user("Rita Rendered", "mentor"))
    start(page, "Ask")
    send(page, QUESTION)

    answer = page.locator(ANSWERED).last
    content = answer.locator(".content.rendered")
    expect(content.locator("p").first).to_be_visible()
    assert "**" not in (content.text_content() or "")
    marker = content.locator("a.cite").first
    expect(marker).to_have_text("[1]")
    assert (marker.get_attribute("href") or "").startswith("/guidelines/")
    marker.hover()
    expect(answer.locator(".chip").first).to_have_class("chip lit")

    with page.context.expect_page() as opened:
        marker.click()
    guideline = opened.value
    guideline.wait_for_load_state()
    expect(guideline.locator(":target")).to_be_visible()


def test_enter_sends_and_shift_enter_adds_a_line(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.add_user("Erin Enter", "mentee"))
    start(page, "Ask")
    box = page.locator("#message")
    box.click()
    box.type("How often should")
    box.press("Shift+Enter")
    box.type("pairs meet?")
    expect(box).to_have_value("How often should\npairs meet?")
    expect(page.locator(".message")).to_have_count(0)

    box.press("Enter")
    expect(page.locator(ANSWERED)).to_have_count(1, timeout=REPLY_MS)
    expect(page.locator(".message.user .content")).to_have_text(["How often should\npairs meet?"])
    expect(box).to_have_value("")


def test_stop_keeps_the_message_and_the_finished_reply_appears_once_stored(
    page: Page, live_server: LiveServer, very_slow_tokens: None
) -> None:
    sign_in(page, live_server.add_user("Stella Stop", "mentor"))
    start(page, "Ask")
    page.locator("#message").fill(QUESTION)
    page.get_by_role("button", name="Send").click()
    page.wait_for_function(
        "() => (document.querySelector('.message.streaming .content')?.textContent || '').length > 10"
    )
    page.get_by_role("button", name="Stop").click()

    failed = page.locator(".message.failed")
    expect(failed).to_contain_text("Stopped showing the answer. Your message is saved")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    # the server finished the reply although the stream was stopped; the page fetches it once stored
    expect(failed).to_have_count(0, timeout=120_000)
    expect(page.locator(ANSWERED)).to_have_count(1)
    page.reload()
    expect(page.locator(".message.user .content")).to_have_text([QUESTION])
    expect(page.locator(ANSWERED)).to_have_count(1)


def test_copy_regenerate_and_edit_and_resend(browser: Browser, live_server: LiveServer) -> None:
    page, problems = open_page(browser, live_server, 1280, 900, permissions=["clipboard-read", "clipboard-write"])
    sign_in(page, live_server.add_user("Cody Copy", "mentee"))
    start(page, "Ask")
    send(page, QUESTION)
    first_reply = page.locator(ANSWERED).last.locator(".content").text_content() or ""

    page.locator(ANSWERED).last.get_by_role("button", name="Copy").click()
    expect(page.locator(ANSWERED).last.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(first_reply.strip()[:30].replace("[1]", "").strip()[:10])

    page.locator(ANSWERED).last.get_by_role("button", name="Regenerate").click()
    expect(page.locator(".message.streaming")).to_have_count(0, timeout=REPLY_MS)
    expect(page.locator(".message")).to_have_count(2)
    expect(page.locator(ANSWERED)).to_have_count(1)

    page.locator(".message.user").get_by_role("button", name="Edit").click()
    expect(page.locator("#message")).to_have_value(QUESTION)
    page.locator("#message").fill("How often should pairs meet?")
    page.get_by_role("button", name="Resend").click()
    expect(page.locator(".message.user .content")).to_have_text(["How often should pairs meet?"], timeout=REPLY_MS)
    expect(page.locator(ANSWERED)).to_have_count(1, timeout=REPLY_MS)
    page.reload()
    expect(page.locator(".message.user .content")).to_have_text(["How often should pairs meet?"])
    expect(page.locator(".message")).to_have_count(2)
    page.context.close()
    _check_problems(problems)


def test_rename_and_delete_a_conversation(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.add_user("Ron Rename", "mentor"))
    start(page, "Ask", "Draft title")
    send(page, "What is SBI?")

    page.get_by_role("button", name="Rename").click()
    page.get_by_label("Rename to").fill("Feedback basics")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#chat-title")).to_have_text("Feedback basics")
    expect(page.locator("#conversation-list")).to_contain_text("Feedback basics")
    page.reload()
    expect(page.locator("#chat-title")).to_have_text("Feedback basics")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.locator("#start-panel")).to_be_visible()
    expect(page.locator("#conversation-list li")).to_have_count(0)
    expect(page.locator("#conversation-empty")).to_be_visible()


def test_an_outage_shows_a_banner_and_retry_sends_the_message(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.add_user("Otto Outage", "mentee"))
    start(page, "Ask")

    def down(route: Route) -> None:
        route.abort()

    page.route("**/api/v1/**", down)
    page.locator("#message").fill(QUESTION)
    page.get_by_role("button", name="Send").click()
    banner = page.locator("#outage")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("cannot be reached")
    expect(page.locator("#composer-error")).to_contain_text("cannot be reached")
    expect(page.locator("#message")).to_have_value(QUESTION)
    expect(page.locator(".message")).to_have_count(0)
    screenshot(page, "participant-outage.png")

    page.unroute("**/api/v1/**", down)
    banner.get_by_role("button", name="Retry").click()
    expect(banner).to_be_hidden()
    expect(page.locator(ANSWERED)).to_have_count(1, timeout=REPLY_MS)


def test_dark_mode_follows_the_system_and_can_be_switched(browser: Browser, live_server: LiveServer) -> None:
    page, problems = open_page(browser, live_server, 1280, 900, color_scheme="dark")
    sign_in(page, live_server.add_user("Dana Dark", "mentee"))
    background = "() => getComputedStyle(document.documentElement).backgroundColor"
    ink = "() => getComputedStyle(document.body).color"

    def luminance(rgb: str) -> float:
        red, green, blue = (int(part) for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    assert luminance(page.evaluate(background)) < 60 < 180 < luminance(page.evaluate(ink)), "system dark"
    switch = page.locator("#theme-switch")
    expect(switch).to_have_text("Theme: system")
    switch.click()
    expect(switch).to_have_text("Theme: dark")
    switch.click()
    expect(switch).to_have_text("Theme: light")
    assert luminance(page.evaluate(background)) > 200, "light chosen over the system's dark"
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert luminance(page.evaluate(background)) > 200
    page.context.close()
    _check_problems(problems)


def test_the_favicon_is_served(page: Page, live_server: LiveServer) -> None:
    response = page.request.get("/favicon.ico")
    assert response.status == 200 and response.headers["content-type"] == "image/x-icon"
    assert response.body()[:4] == b"\x00\x00\x01\x00"
    page.goto("/signin")
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/img/favicon.svg"


def test_at_phone_width_the_panels_are_drawers(browser: Browser, live_server: LiveServer) -> None:
    page, problems = open_page(browser, live_server, 390, 844)
    sign_in(page, live_server.add_user("Phoebe Phone", "mentee"))
    start(page, "Goal", "Excel goal")
    send(page, "get better at tech")

    panel = page.locator("#side-panel")
    checklist = page.get_by_role("list", name="SMART criteria")
    expect(panel).not_to_be_in_viewport()
    expect(page.locator("#message")).to_be_in_viewport()
    page.get_by_role("button", name="Details").click()
    expect(checklist).to_be_in_viewport()
    expect(page.get_by_role("button", name="Details")).to_have_attribute("aria-expanded", "true")
    screenshot(page, "participant-phone-details.png")
    page.keyboard.press("Escape")
    expect(panel).not_to_be_in_viewport()
    expect(page.get_by_role("button", name="Details")).to_be_focused()

    page.get_by_role("button", name="Conversations").click()
    listed = page.locator("#conversation-list button").filter(has_text="Excel goal")
    expect(listed).to_be_in_viewport()
    listed.click()
    expect(page.locator("#conversations-drawer")).not_to_be_in_viewport()
    expect(page.locator("#chat-title")).to_have_text("Excel goal")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
    _check_problems(problems)
