"""Signing in and out, the session cookie, the CSRF header and the security headers, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser


def test_a_wrong_token_is_refused_and_a_right_one_lands_on_the_page_asked_for(
    page: Page, live_server: LiveServer
) -> None:
    response = page.goto("/goals")
    assert response is not None and page.url == f"{live_server.url}/signin?next=/goals"
    page.get_by_label("Personal token").fill("tdm_not-a-real-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That token is not valid or the account is inactive.")

    page.goto("/signin?next=/goals")
    page.get_by_label("Personal token").fill(live_server.add_user("Goal Keeper", "mentee"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/goals")
    expect(page.get_by_role("heading", level=1)).to_have_text("My goals")


def test_the_session_cookie_is_httponly_and_strict_and_unsafe_calls_need_the_csrf_header(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server.add_user("Cookie Mentee", "mentee"))
    (cookie,) = page.context.cookies()
    assert cookie["name"] == "tandem_signin" and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "tandem_signin" not in page.evaluate("document.cookie")

    post = """headers => fetch('/api/v1/conversations', {
        method: 'POST', headers: {'Content-Type': 'application/json', ...headers}, body: '{}'
    }).then(r => r.status)"""
    assert page.evaluate(post, {}) == 403
    assert page.evaluate(post, {"X-Tandem-CSRF": "1"}) == 201
    assert page.evaluate("fetch('/api/v1/conversations').then(r => r.json()).then(b => b.count)") == 1


def test_pages_send_the_security_headers(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.add_user("Header Mentee", "mentee"))
    response = page.goto("/app")
    assert response is not None
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert page.locator("script:not([src])").count() == 0


def test_sign_in_link_asks_for_confirmation_and_sign_out_ends_the_session(page: Page, live_server: LiveServer) -> None:
    token = live_server.add_user("Link Mentor", "mentor")
    page.goto(f"/signin?token={token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Continue as Link Mentor?")
    assert page.context.cookies() == []
    page.get_by_role("button", name="Continue as Link Mentor").click()
    expect(page).to_have_url(f"{live_server.url}/app")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/signin")
    assert page.context.cookies() == []
    page.goto("/app")
    expect(page).to_have_url(f"{live_server.url}/signin?next=/app")

    page.goto("/signin?token=tdm_forged")
    expect(page.get_by_role("alert")).to_contain_text("not valid any more")


def test_the_workspace_can_be_used_with_the_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.add_user("Keyboard Mentee", "mentee"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.locator("#new-conversation").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("radio", name="Ask")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Goal")).to_be_checked()
    page.get_by_role("button", name="Start", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_be_focused()
    page.keyboard.type("get better at tech")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("list", name="SMART criteria").locator("li")).to_have_count(5, timeout=60_000)
    focus_ring = page.evaluate("(s => [s.outlineStyle, s.outlineWidth])(getComputedStyle(document.activeElement))")
    assert focus_ring == ["solid", "3px"], "the focused field shows no focus ring"
