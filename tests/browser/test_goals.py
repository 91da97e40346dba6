"""A mentee edits a saved goal: words re-checked, a target date in words, milestones; placeholders are never saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from assistant.coaching.dates import parse_target_date
from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.browser.test_participant import send, start

pytestmark = pytest.mark.browser
WORDED = "By 31 December 2030 I will build one Power BI dashboard for my team's weekly sales review."


def test_placeholders_are_refused_and_a_saved_goal_is_edited_with_a_date_in_words(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server.add_user("Greta Goals", "mentee"))
    start(page, "Goal")
    send(page, "get better at tech")
    draft = page.get_by_label("Improved draft")
    assert "[" in draft.input_value(), "the suggested draft leaves placeholders to fill in"
    page.get_by_role("button", name="Save to My goals").click()
    expect(page.locator("#goal-saved")).to_contain_text("placeholders")

    draft.fill(WORDED)
    page.get_by_role("button", name="Save to My goals").click()
    expect(page.locator("#goal-saved")).to_contain_text("Saved to My goals")

    page.goto("/goals")
    goal = page.locator(".goal").filter(has_text="Power BI dashboard")
    expect(goal).to_have_count(1)
    expect(goal.locator(".goal-target")).to_have_text("Target: 2030-12-31")

    goal.get_by_role("button", name="Edit").click()
    editor = page.locator(".goal-editor")
    editor.get_by_label("Target date").fill("2020-01-01")
    editor.get_by_role("button", name="Save goal").click()
    expect(editor.locator(".error")).to_contain_text("in the past")

    editor.get_by_label("Target date").fill("end of March")
    editor.get_by_role("button", name="Add milestone").click()
    editor.get_by_label("Milestone").fill("Collect the sales exports")
    screenshot(page, "goal-editor.png")
    editor.get_by_role("button", name="Save goal").click()

    expected = parse_target_date("end of March", datetime.now(UTC).date()).isoformat()
    saved = page.locator(".goal").filter(has_text="Power BI dashboard")
    expect(saved.locator(".goal-target")).to_have_text(f"Target: {expected}")
    expect(saved).to_contain_text("0 of 1 milestones done")
    page.reload()
    expect(page.locator(".goal").filter(has_text="Power BI").get_by_label("Milestones")).to_contain_text(
        "Collect the sales exports"
    )
