"""Sign-in with the personal token (form or sign-in link) into an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

import math
from html import escape
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.api.deps import SIGN_IN_COOKIE, user_for_cookie, user_for_token
from assistant.db.models import User
from assistant.sso.sessions import SESSION_SECONDS
from assistant.web.layout import Html, fill, message_page, render_page

router = APIRouter(include_in_schema=False)
MAX_TOKEN_CHARS = 200


def cookie_user(request: Request) -> User | None:
    """The signed-in user of a page request, or None."""
    value = request.cookies.get(SIGN_IN_COOKIE, "")
    if not value or len(value) > MAX_TOKEN_CHARS:
        return None
    services = request.app.state.services
    return user_for_cookie(services.db_factory, services.settings, value)


def home_for(user: User) -> str:
    return "/hr" if user.role == "hr" else "/app"


def safe_next(target: str) -> str:
    r"""Only a path on this site: never another host (``//evil``, ``/\evil``) or a scheme.

    Browsers drop tabs and line breaks from a URL before reading it (the WHATWG URL parser), so
    ``/<TAB>/evil.example`` is ``//evil.example`` to them: any control character or whitespace refuses it.
    """
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return ""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return ""


def from_this_site(request: Request) -> bool:
    """Refuse form posts from other sites (login CSRF), by Sec-Fetch-Site or else by Origin."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in {"same-origin", "none"}
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


def sso_provider(request: Request) -> str:
    """The single sign-on provider's name for the sign-in button, or "" when single sign-on is off."""
    settings = request.app.state.services.settings
    return str(settings.oidc_provider_name) if settings.oidc_issuer else ""


def signin_form(next_path: str = "", error: str = "", status_code: int = 200, *, provider: str = "") -> HTMLResponse:
    """The sign-in form, and above it the single sign-on button when ``provider`` names one."""
    notice = Html(f'<p class="error" role="alert">{escape(error)}</p>') if error else Html("")
    target = safe_next(next_path)
    sso = Html("")
    if provider:
        href = "/auth/oidc/login" + (f"?{urlencode({'next': target})}" if target else "")
        sso = fill("signin-sso.html", href=href, provider=provider)
    main = fill("signin.html", next=target, error=notice, sso=sso)
    return render_page("Sign in", main, current="/signin", status_code=status_code)


@router.get("/signin", response_class=HTMLResponse)
def signin_page(
    request: Request,
    token: Annotated[str, Query(max_length=MAX_TOKEN_CHARS)] = "",
    next: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    """The sign-in form; with ``?token=`` (a sign-in link) a confirmation naming whose account it is.

    The link does not sign in by itself: a page on another site could otherwise sign a visitor into
    someone else's account, and mail scanners that open links would sign in too.
    """
    if not token:
        return signin_form(next, provider=sso_provider(request))
    user = user_for_token(request.app.state.services.db_factory, token.strip())
    if user is None:
        return signin_form(
            next,
            "This sign-in link is not valid any more. Ask your program lead for a new one.",
            401,
            provider=sso_provider(request),
        )
    main = fill("confirm.html", name=user.name, role=user.role, token=token.strip(), next=safe_next(next))
    return render_page("Confirm sign-in", main, current="/signin")


@router.post("/auth/signin")
async def signin(request: Request) -> Response:
    """Check the token from the form, set the sign-in cookie and go on to the page asked for."""
    if not from_this_site(request):
        return message_page("Sign-in refused", "Sign in from Tandem's own sign-in page.", user=None, status_code=403)
    form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
    token = form.get("token", [""])[0].strip()[:MAX_TOKEN_CHARS]
    next_path = form.get("next", [""])[0]
    limiter = getattr(request.app.state, "signin_limiter", None)
    wait = limiter.acquire(("signin", request.client.host if request.client else "")) if limiter else 0.0
    if wait > 0:  # guessing tokens: each address gets SIGNIN_ATTEMPTS_PER_MINUTE tries a minute
        page = signin_form(next_path, "Too many sign-in attempts; wait a minute and try again.", 429)
        page.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return page
    user = await run_in_threadpool(user_for_token, request.app.state.services.db_factory, token) if token else None
    if user is None:
        return signin_form(
            next_path, "That token is not valid or the account is inactive.", 401, provider=sso_provider(request)
        )
    response = RedirectResponse(safe_next(next_path) or home_for(user), status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/auth/signout")
def signout(request: Request) -> Response:
    if not from_this_site(request):
        return message_page("Sign-out refused", "Sign out from Tandem's own pages.", user=None, status_code=403)
    response = RedirectResponse("/signin", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(
        SIGN_IN_COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response
