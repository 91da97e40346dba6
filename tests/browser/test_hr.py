"""HR sees anonymous themes (chart, suppressed cells, CSV) and nothing else; a mentee is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from assistant.db.engine import transaction
from assistant.db.models import ThemeEvent
from assistant.themes.events import week_start
from tests.browser.conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser
THIS_WEEK = week_start(datetime.now(UTC))
LAST_WEEK = THIS_WEEK - timedelta(weeks=1)
# theme -> week -> distinct (role, cohort) participants; k is 5
SEEDED = {
    "ai-tools": {THIS_WEEK: ["mentee"] * 6 + ["mentor"] * 5, LAST_WEEK: ["mentee"] * 5 + ["mentor"] * 5},
    "remote-hybrid-work": {THIS_WEEK: ["mentee"] * 3 + ["mentor"] * 3},
    "social-media": {THIS_WEEK: ["mentor"] * 2},
}


def require_insights(live_server: LiveServer) -> None:
    if "/api/v1/insights/themes" not in live_server.api_paths():
        pytest.skip("the HR insights endpoints (GET /api/v1/insights/themes) are not in this app yet")


@pytest.fixture(scope="module")
def theme_events(live_server: LiveServer) -> None:
    """Theme events straight into the database: some themes above k = 5 people, one below; only these
    (the events of earlier chat tests on the same server are cleared first)."""
    assert live_server.services.themes.drain(60)
    with transaction(live_server.services.db_factory) as db:
        db.execute(delete(ThemeEvent))
    rows = []
    for theme, weeks in SEEDED.items():
        for week, roles in weeks.items():
            for number, role in enumerate(roles):
                cohort = "spring-2027" if number % 2 else "autumn-2026"
                key = f"{theme}-{role}-{number}".encode().hex().ljust(64, "0")[:64]
                rows.append(ThemeEvent(theme=theme, role=role, cohort=cohort, week_start=week, participant_key=key))
    with transaction(live_server.services.db_factory) as db:
        db.add_all(rows)


def test_hr_sees_the_theme_chart_suppressed_cells_and_the_csv(
    page: Page, live_server: LiveServer, theme_events: None, tmp_path: Path
) -> None:
    require_insights(live_server)
    sign_in(page, live_server.add_user("Hana Resources", "hr"))
    expect(page).to_have_url(f"{live_server.url}/hr")

    chart = page.locator("#theme-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("g[data-theme='ai-tools'] path.line")).to_have_count(1)
    expect(chart.locator("g[data-theme='social-media']")).to_have_count(0)
    expect(page.locator("#chart-note")).to_contain_text("Social media")
    expect(page.locator(".legend li")).to_contain_text(["AI tools", "Remote and hybrid work"])
    expect(page.locator("#over-time tr[data-theme='ai-tools'] th")).to_have_text("AI tools")
    styles = page.evaluate(
        """() => [...document.querySelectorAll('#theme-chart g[data-theme]')].map((g) => {
            const line = getComputedStyle(g.querySelector('path.line'));
            return `${line.stroke}|${line.strokeDasharray}`;
        })"""
    )
    assert len(styles) == 2 and len(set(styles)) == 2, styles
    every_style = """() => {
        const box = document.createElement('div');
        box.className = 'chart';
        box.innerHTML = '<svg>' + Array.from({length: 12}, (_, n) =>
            `<g class="series-${n}"><path class="line" d="M0,0 L10,10"/></g>`).join('') + '</svg>';
        document.body.append(box);
        const found = [...box.querySelectorAll('path')].map((p) => {
            const style = getComputedStyle(p);
            return `${style.stroke}|${style.strokeDasharray}`;
        });
        box.remove();
        return found;
    }"""
    assert len(set(page.evaluate(every_style))) == 12, "twelve themes, twelve styles"

    weekly = page.locator("#over-time table")
    last_column = weekly.locator("tr[data-theme='ai-tools'] td").last
    expect(last_column).to_have_text("11")
    social_now = weekly.locator("tr[data-theme='social-media'] td").last
    expect(social_now).to_have_text("< 5fewer than 5 (or withheld)")
    expect(social_now.locator(".visually-hidden")).to_have_text("fewer than 5 (or withheld)")

    by_role = page.locator("#by-role table")
    expect(by_role.locator("thead th")).to_have_text(["Theme", "All", "mentee", "mentor"])
    ai_by_role = by_role.locator("tr[data-theme='ai-tools'] td")
    expect(ai_by_role).to_have_text(["11", "6", "5"])
    hybrid_by_role = by_role.locator("tr[data-theme='remote-hybrid-work'] td")
    expect(hybrid_by_role).to_have_text(["6", "fewer than 5 (or withheld)", "fewer than 5 (or withheld)"])
    expect(page.locator("#by-cohort table td.suppressed").first).to_contain_text("fewer than 5")

    assert page.locator("a[href*='conversation'], a[href^='/app'], a[href*='transcript']").count() == 0
    screenshot(page, "hr-dashboard.png")
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    expect(page.locator("#theme-chart svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px"
    screenshot(page, "hr-dashboard-phone.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV", exact=True).click()
    csv_path = tmp_path / "themes.csv"
    download.value.save_as(csv_path)
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("period,theme,group,participants")
    assert any(line.startswith(f"{THIS_WEEK.isoformat()},ai-tools,all,11,11,") for line in lines)
    assert any(line.startswith(f"{THIS_WEEK.isoformat()},social-media,all,,") for line in lines)


def test_a_mentee_is_refused_at_the_hr_dashboard(page: Page, live_server: LiveServer) -> None:
    require_insights(live_server)
    sign_in(page, live_server.add_user("Dana Fox", "mentee"))
    assert page.get_by_role("link", name="HR dashboard").count() == 0
    response = page.goto("/hr")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not available to you")
    expect(page.locator("main")).to_contain_text("HR program leads and admins")
    assert page.locator("#theme-chart").count() == 0
    insights = page.evaluate("fetch('/api/v1/insights/themes').then(r => r.status)")
    assert insights == 403
