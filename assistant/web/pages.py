"""The web app's pages: thin shells whose scripts (``static/js``) call the JSON API as the signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.models import User
from assistant.knowledge.loading import SUPPORTED_SUFFIXES, UnreadableFileError, load_document
from assistant.program.cohorts import list_programs
from assistant.web.auth import cookie_user, home_for
from assistant.web.layout import ADMINS, HR_VIEWERS, PARTICIPANTS, Html, fill, message_page, render_page
from assistant.web.markdown import render_markdown, render_plain

STATIC = Path(__file__).with_name("static")

router = APIRouter(include_in_schema=False)
ROLE_NAMES = {PARTICIPANTS: "mentees, mentors and admins", HR_VIEWERS: "HR program leads and admins", ADMINS: "admins"}


class SignInRequiredError(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageForbiddenError(Exception):
    def __init__(self, user: User, roles: tuple[str, ...]) -> None:
        self.user = user
        self.roles = roles


def page_user(roles: tuple[str, ...] | None = None) -> Callable[[Request], User]:
    """A dependency: the signed-in user, who must have one of ``roles`` (any role when None)."""

    def check(request: Request) -> User:
        user = cookie_user(request)
        if user is None:
            raise SignInRequiredError(request.url.path)
        if roles is not None and user.role not in roles:
            raise PageForbiddenError(user, roles)
        return user

    return check


def sign_in_first(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequiredError)
    return RedirectResponse(f"/signin?next={quote(exc.next_path)}", status.HTTP_303_SEE_OTHER)


def forbidden(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbiddenError)
    who = ROLE_NAMES.get(exc.roles, ", ".join(exc.roles))
    text = f"This page is for {who}. You are signed in as {exc.user.name} ({exc.user.role})."
    return message_page("Not available to you", text, user=exc.user, status_code=status.HTTP_403_FORBIDDEN)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return FileResponse(
        STATIC / "img" / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"}
    )


@router.get("/")
def home(request: Request) -> Response:
    user = cookie_user(request)
    return RedirectResponse(home_for(user) if user else "/signin", status.HTTP_303_SEE_OTHER)


@router.get("/app", response_class=HTMLResponse)
def workspace(user: Annotated[User, Depends(page_user(PARTICIPANTS))]) -> HTMLResponse:
    return render_page("Workspace", fill("workspace.html"), user=user, current="/app", script="workspace.js")


@router.get("/goals", response_class=HTMLResponse)
def my_goals(user: Annotated[User, Depends(page_user(PARTICIPANTS))]) -> HTMLResponse:
    return render_page("My goals", fill("goals.html"), user=user, current="/goals", script="goals.js")


@router.get("/hr", response_class=HTMLResponse)
def hr_dashboard(user: Annotated[User, Depends(page_user(HR_VIEWERS))]) -> HTMLResponse:
    return render_page("HR dashboard", fill("hr.html"), user=user, current="/hr", script="hr.js")


@router.get("/admin", response_class=HTMLResponse)
def admin(user: Annotated[User, Depends(page_user(ADMINS))]) -> HTMLResponse:
    return render_page("Admin", fill("admin.html"), user=user, current="/admin", script="admin.js")


@router.get("/admin/program", response_class=HTMLResponse)
def admin_program(user: Annotated[User, Depends(page_user(ADMINS))]) -> HTMLResponse:
    main = fill("admin-program.html")
    return render_page("Program", main, user=user, current="/admin/program", script="admin-program.js")


@router.get("/pair", response_class=HTMLResponse)
def my_pair(user: Annotated[User, Depends(page_user(PARTICIPANTS))]) -> HTMLResponse:
    main = fill("pair.html", user_id=str(user.id))
    return render_page("My pair", main, user=user, current="/pair", script="pair.js")


def cohort_options(db_factory: sessionmaker[Session]) -> Html:
    """Every cohort as an ``<option>``, grouped by program, rendered with the page."""
    groups = []
    with db_factory() as db:
        for program in list_programs(db):
            options = "".join(
                f'<option value="{cohort.id}">{escape(cohort.name)} (from {cohort.starts_on.isoformat()})</option>'
                for cohort in sorted(program.cohorts, key=lambda c: (c.starts_on, c.id), reverse=True)
            )
            if options:
                groups.append(f'<optgroup label="{escape(program.name)}">{options}</optgroup>')
    return Html("".join(groups))


@router.get("/hr/program", response_class=HTMLResponse)
def hr_program(request: Request, user: Annotated[User, Depends(page_user(HR_VIEWERS))]) -> HTMLResponse:
    main = fill("hr-program.html", cohorts=cohort_options(request.app.state.services.db_factory))
    return render_page("Cohort figures", main, user=user, current="/hr/program", script="hr-program.js")


def guideline_file(knowledge_dir: Path, name: str) -> Path | None:
    """The guideline ``name`` inside ``knowledge_dir``, never a file outside it."""
    root = knowledge_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return None
    return path


@router.get("/guidelines/{name:path}", response_class=HTMLResponse)
def guideline(name: str, request: Request, user: Annotated[User, Depends(page_user())]) -> HTMLResponse:
    """A guideline rendered from ``knowledge_dir``; citation chips link to its headings' ids."""
    knowledge_dir: Path = request.app.state.services.settings.knowledge_dir
    path = guideline_file(knowledge_dir, name)
    try:
        document = load_document(path, knowledge_dir) if path else None
    except (UnreadableFileError, OSError):
        document = None
    if document is None:
        return message_page("Guideline not found", f"There is no guideline called {name}.", user=user, status_code=404)
    body = render_markdown(document.text) if document.kind == "markdown" else render_plain(document.text)
    title = document.metadata.get("title", name)
    main = fill("guideline.html", title=title, source=document.source, body=Html(body))
    return render_page(title, main, user=user, current="/guidelines")
