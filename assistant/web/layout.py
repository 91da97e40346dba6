"""Pages are HTML templates with ``$placeholders`` (``string.Template``); every value is escaped here."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path
from string import Template

from fastapi.responses import HTMLResponse

from assistant.db.models import User

TEMPLATES = Path(__file__).with_name("templates")
PARTICIPANTS = ("mentee", "mentor", "admin")
HR_VIEWERS = ("hr", "admin")
ADMINS = ("admin",)
NAV = (
    ("/app", "Workspace", PARTICIPANTS),
    ("/goals", "My goals", PARTICIPANTS),
    ("/pair", "My pair", PARTICIPANTS),
    ("/hr", "HR dashboard", HR_VIEWERS),
    ("/hr/program", "Cohort figures", HR_VIEWERS),
    ("/admin", "Admin", ADMINS),
    ("/admin/program", "Program", ADMINS),
)
CURRENT = ' aria-current="page"'
NO_STORE = {"Cache-Control": "no-store"}


class Html(str):
    """Markup that is already safe: inserted as it is, not escaped again."""


@lru_cache(maxsize=32)
def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def fill(template_name: str, /, **values: str) -> Html:
    """The template ``template_name`` with ``values`` escaped (``Html`` values inserted as they are)."""
    safe = {key: value if isinstance(value, Html) else escape(value) for key, value in values.items()}
    return Html(template(template_name).substitute(safe))


def navigation(user: User, current: str) -> Html:
    links = "".join(
        f'<li><a href="{path}"{CURRENT if path == current else ""}>{label}</a></li>'
        for path, label, roles in NAV
        if user.role in roles
    )
    return fill("nav.html", links=Html(links), name=user.name, role=user.role)


def render_page(
    title: str,
    main: Html,
    *,
    user: User | None = None,
    current: str = "",
    script: str | None = None,
    status_code: int = 200,
    refresh_to: str = "",
) -> HTMLResponse:
    """A whole page; ``script`` names the page's module under ``/static/js/`` (no inline script, ever);
    ``refresh_to`` a path on this site the browser goes on to at once (a navigation of this page's own)."""
    head = Html(f'<script type="module" src="/static/js/{escape(script)}"></script>' if script else "")
    if refresh_to:
        head = Html(f'{head}<meta http-equiv="refresh" content="0; url={escape(refresh_to)}">')
    html = fill(
        "base.html",
        title=title,
        head=head,
        role=user.role if user else "",
        page=current.strip("/") or "home",
        nav=navigation(user, current) if user else Html(""),
        main=main,
    )
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)


def message_page(
    heading: str, text: str, *, user: User | None, status_code: int, link: str = "/", link_text: str = "Go to Tandem"
) -> HTMLResponse:
    main = fill("message.html", heading=heading, text=text, link=link, link_text=link_text)
    return render_page(heading, main, user=user, status_code=status_code)
