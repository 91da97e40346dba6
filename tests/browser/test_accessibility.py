"""axe-core on every page, as each role sees it, at phone and desktop width, light and dark: no serious
or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, _check_problems, open_page, sign_in
from tests.browser.test_participant import ANSWERED, REPLY_MS, send, start

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}
PAGES = {
    None: ["/signin", "/guidelines/feedback-across-generations.md"],
    "mentee": ["/app", "/goals", "/pair"],
    "hr": ["/hr", "/hr/program"],
    "admin": ["/admin", "/admin/program"],
}


def violations(page: Page) -> list[str]:
    results: Any = Axe().run(page)
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_no_serious_or_critical_violations_on_any_page(browser: Browser, live_server: LiveServer, width: int) -> None:
    """Each page is checked in the light scheme, then again with the system switched to dark."""
    found: list[str] = []
    for role, paths in PAGES.items():
        page, problems = open_page(browser, live_server, width, 900)
        if role:
            sign_in(page, live_server.add_user(f"Axe {role.title()} {width}", role))
        for path in paths:
            page.emulate_media(color_scheme="light")
            page.goto(path)
            page.wait_for_load_state("networkidle")
            if path == "/app":
                start(page, "Ask")
                send(page, "How should I give feedback to my senior mentee?")
                expect(page.locator(ANSWERED)).to_have_count(1, timeout=REPLY_MS)
            found += violations(page)
            page.emulate_media(color_scheme="dark")
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            found += [f"(dark) {violation}" for violation in violations(page)]
        page.context.close()
        _check_problems(problems)
    assert not found, "\n".join(found)
