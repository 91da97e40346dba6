"""An admin manages users (with a sign-in link) and guideline documents (upload, re-index with progress)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, open_page, sign_in

pytestmark = pytest.mark.browser
GUIDELINE = """---
title: Lunch Roulette
audience: all
---
# Lunch Roulette

## How lunch roulette pairs people

Once a month, lunch roulette pairs each participant with someone outside their pairing for an informal lunch.

- Sign up by the first Monday of the month.
- **Keep it informal**: no agenda, no notes.
"""


def test_admin_uploads_a_guideline_and_reindexes_with_progress(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    sign_in(page, live_server.add_user("Ada Admin", "admin"))
    page.goto("/admin")
    rows = page.locator("#guideline-table tbody tr")
    expect(rows.first).to_be_visible()
    shipped = rows.count()
    expect(page.locator("#guideline-table tr[data-name='development-goals.md'] td").nth(1)).not_to_have_text("0")

    upload = tmp_path / "lunch-roulette.md"
    upload.write_text(GUIDELINE, encoding="utf-8")
    page.get_by_label("Markdown, text or PDF file").set_input_files(upload)
    page.get_by_role("button", name="Upload").click()
    new_row = page.locator("#guideline-table tr[data-name='lunch-roulette.md']")
    expect(page.locator("#ingest-status")).to_contain_text("Re-index finished: 1 added", timeout=60_000)
    expect(new_row.locator("td").nth(2)).to_have_text("indexed")  # the upload indexed that one file
    expect(rows).to_have_count(shipped + 1)
    assert int(new_row.locator("td").nth(1).text_content() or "0") >= 1
    assert (live_server.services.settings.knowledge_dir / "lunch-roulette.md").read_text() == GUIDELINE

    page.get_by_role("button", name="Re-index guidelines").click()
    expect(page.locator("#ingest-status")).to_contain_text("Re-index finished: 0 added", timeout=60_000)

    new_row.get_by_role("link", name="lunch-roulette.md").click()
    expect(page.locator("h2#how-lunch-roulette-pairs-people")).to_have_text("How lunch roulette pairs people")
    expect(page.locator(".guideline-body strong")).to_have_text("Keep it informal")


def test_admin_adds_a_user_whose_sign_in_link_works_then_deactivates_and_forgets_them(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    if "/api/v1/users" not in live_server.api_paths():
        pytest.skip("the admin users endpoints (/api/v1/users) are not in this app yet")
    sign_in(page, live_server.add_user("Root Admin", "admin"))
    page.goto("/admin")
    page.get_by_label("Name").fill("Nia Newcomer")
    page.get_by_label("Role").select_option("mentor")
    page.get_by_role("combobox", name="Cohort (optional)").fill("spring-2027")
    page.get_by_role("button", name="Add user").click()
    link = page.locator("#signin-link")
    expect(link).to_contain_text("/signin?token=tdm_")
    row = page.locator("#user-table tbody tr").filter(has_text="Nia Newcomer")
    expect(row.locator("td")).to_have_text(["mentor", "", "active", "DeactivateForget"])
    expect(row.get_by_label("Cohort of Nia Newcomer")).to_have_value("spring-2027")

    newcomer, _ = open_page(browser, live_server, 1024, 768)
    newcomer.goto(link.text_content() or "")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Continue as Nia Newcomer?")
    newcomer.get_by_role("button", name="Continue as Nia Newcomer").click()
    expect(newcomer).to_have_url(f"{live_server.url}/app")
    expect(newcomer.locator(".who")).to_contain_text("Nia Newcomer")

    row.get_by_role("button", name="Deactivate").click()
    expect(row.locator("td").nth(2)).to_have_text("inactive")
    # A fresh tab of the same browser: the old tab may itself be redirecting to sign-in right now.
    fresh = newcomer.context.new_page()
    fresh.goto(f"{live_server.url}/app")
    expect(fresh).to_have_url(f"{live_server.url}/signin?next=/app")
    newcomer.context.close()

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Forget").click()
    expect(page.locator("#user-table tbody tr").filter(has_text="Nia Newcomer")).to_have_count(0)


def test_admin_searches_users_and_edits_a_cohort_label(page: Page, live_server: LiveServer) -> None:
    live_server.add_user("Searchable Sofia", "mentee", cohort="spring-2027")
    live_server.add_user("Findable Felix", "mentor")
    sign_in(page, live_server.add_user("Ada Searcher", "admin"))
    page.goto("/admin")
    rows = page.locator("#user-table tbody tr:not([hidden])")
    expect(page.locator("tr[data-user-id]").filter(has_text="Findable Felix")).to_have_count(1)

    page.get_by_label("Search users").fill("sofia")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Searchable Sofia")
    page.get_by_label("Search users").fill("spring-2027")
    expect(rows.filter(has_text="Searchable Sofia")).to_have_count(1)

    page.get_by_label("Search users").fill("felix")
    felix = page.get_by_label("Cohort of Findable Felix")
    felix.fill("autumn-2026")
    felix.press("Enter")
    felix.blur()
    page.get_by_label("Search users").fill("")
    page.reload()
    expect(page.get_by_label("Cohort of Findable Felix")).to_have_value("autumn-2026")
