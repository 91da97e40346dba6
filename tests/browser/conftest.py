"""A real uvicorn server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The server runs in a thread of the test process, on a temporary data folder with a copy of the
indexed guidelines and of ``knowledge/`` (so uploads never touch the repository). Chromium may only
reach that server: every other request is aborted and fails the test.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Route, sync_playwright

from assistant.app import create_app
from assistant.config import Settings
from assistant.db import crud
from assistant.db.engine import transaction
from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.services import Services, build_services
from tests.conftest import KNOWLEDGE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
SCREENSHOTS_ENV = "TANDEM_SCREENSHOTS"  # a folder: the tests save the README's screenshots there


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="package")
def web_settings(tmp_path_factory: pytest.TempPathFactory, indexed_chroma: Path) -> Settings:
    root = tmp_path_factory.mktemp("web")
    shutil.copytree(indexed_chroma, root / "data" / "chroma")
    shutil.copytree(KNOWLEDGE, root / "knowledge")  # same folder name: citations stay knowledge/<file>
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'data' / 'tandem.db'}",
        knowledge_dir=root / "knowledge",
        llm_provider="offline",
        signin_attempts_per_minute=0,  # one live server signs in every test's people from 127.0.0.1
    )


@pytest.fixture(scope="package")
def web_services(web_settings: Settings, embedder: MiniLMEmbedder) -> Iterator[Services]:
    built = build_services(web_settings, embedder=embedder)
    yield built
    built.close()


@dataclass
class LiveServer:
    url: str
    app: object
    services: Services

    def add_user(self, name: str, role: str, cohort: str | None = None) -> str:
        """Create a user directly in the database; returns the personal token."""
        with transaction(self.services.db_factory) as db:
            _, token = crud.create_user(db, name=name, role=role, cohort=cohort)
            return token

    def api_paths(self) -> set[str]:
        return set(self.app.openapi()["paths"])  # type: ignore[attr-defined]


@pytest.fixture(scope="package")
def live_server(web_settings: Settings, web_services: Services) -> Iterator[LiveServer]:
    app = create_app(web_settings, services=web_services)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", app, web_services)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Package-scoped: Playwright's sync API keeps an event loop running in the main thread until it
    stops, and tests after this package call ``asyncio.run``."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it (apt-get install -y chromium)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


ALLOWED_CONSOLE_ERRORS = (
    "Failed to load resource: the server responded",  # a 4xx the test provoked
    "Failed to load resource: net::ERR_FAILED",  # a request the test cut off (an outage); outside ones fail below
)


@dataclass
class PageProblems:
    """What a page must never do: log errors (a CSP violation, a script error) or leave 127.0.0.1."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def console(self, kind: str, text: str) -> None:
        """Console errors count, except the browser's note on a 4xx answer (tests provoke those)."""
        if kind == "error" and not text.startswith(ALLOWED_CONSOLE_ERRORS):
            self.errors.append(text)


def open_page(
    browser: Browser, live_server: LiveServer, width: int, height: int, **options: Any
) -> tuple[Page, PageProblems]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, accept_downloads=True, **options
    )
    problems = PageProblems()
    own = re.compile(rf"^{re.escape(live_server.url)}/")

    def guard(route: Route) -> None:
        if own.match(route.request.url):
            route.continue_()
        else:
            problems.outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda message: problems.console(message.type, message.text))
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    context.on("page", lambda popup: popup.on("pageerror", lambda error: problems.errors.append(str(error))))
    return page, problems


def _check_problems(problems: PageProblems) -> None:
    assert not problems.outside, f"the page tried to reach beyond the test server: {problems.outside}"
    assert not problems.errors, f"the page logged errors: {problems.errors}"


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    opened, problems = open_page(browser, live_server, 1280, 900)
    yield opened
    opened.context.close()
    _check_problems(problems)


@pytest.fixture
def phone_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    opened, problems = open_page(browser, live_server, 375, 812)
    yield opened
    opened.context.close()
    _check_problems(problems)


def sign_in(page: Page, token: str) -> None:
    page.goto("/signin")
    page.get_by_label("Personal token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def screenshot(page: Page, name: str) -> Path | None:
    """Save a screenshot when ``TANDEM_SCREENSHOTS`` names a folder (``python -m tools.screenshots``)."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if not folder:
        return None
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def pace_tokens(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Space a reply's tokens ``seconds`` apart, as a real model does, so streaming can be seen or stopped."""
    from assistant.coaching.modes import SkillRouter

    skills = live_server.services.skills
    original = SkillRouter.stream

    async def paced(**kwargs: Any) -> AsyncIterator[Any]:
        async for event in original(skills, **kwargs):
            if event.kind == "token":
                await asyncio.sleep(seconds)
            yield event

    monkeypatch.setattr(skills, "stream", paced)
