"""Single sign-on routes: off to the OpenID Connect provider and back, signed in like a token sign-in."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.api.deps import SIGN_IN_COOKIE
from assistant.config import Settings
from assistant.db.models import User
from assistant.sso import SignInRefusedError
from assistant.sso.accounts import identity_from_claims, sign_in
from assistant.sso.oidc import OidcClient, oidc_client
from assistant.sso.sessions import (
    LOGIN_SECONDS,
    SESSION_SECONDS,
    LoginState,
    login_from_value,
    login_value,
    session_value,
)
from assistant.web.auth import home_for, safe_next
from assistant.web.layout import fill, message_page, render_page

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "tandem_oidc_login"
LOGIN_PATH = "/auth/oidc"
STALE = "This sign-in expired or was started in another browser; start again from the sign-in page."
MISMATCH = "This answer from the sign-in provider does not belong to the sign-in you started; start again."
OFF = "Single sign-on is not set up for this Tandem."
ParamText = Annotated[str, Query(max_length=2000)]


def client_for(settings: Settings) -> OidcClient:
    return oidc_client(
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret.get_secret_value(),
        settings.oidc_scopes,
    )


def callback_url(request: Request) -> str:
    """Behind a proxy this is right when uvicorn trusts its forwarded headers (``--proxy-headers``)."""
    return str(request.url_for("oidc_callback"))


def refused(message: str, status_code: int) -> HTMLResponse:
    """The one-sentence page of a sign-in that stopped; the sign-in under way is forgotten."""
    response = message_page(
        "Sign-in failed", message, user=None, status_code=status_code, link="/signin", link_text="Back to sign-in"
    )
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    return response


@router.get("/auth/oidc/login")
async def oidc_login(request: Request, next: Annotated[str, Query(max_length=500)] = "") -> Response:
    """Send the browser to the provider, keeping state, nonce and PKCE verifier in a signed, short-lived cookie.

    That cookie is SameSite=Lax: the provider's redirect back is a top-level navigation from another site.
    """
    settings: Settings = request.app.state.services.settings
    if not settings.oidc_issuer:
        return refused(OFF, status.HTTP_404_NOT_FOUND)
    try:
        url, login = await client_for(settings).start(callback_url(request), safe_next(next))
    except SignInRefusedError as stop:
        return refused(stop.message, stop.status_code)
    response = RedirectResponse(url, status.HTTP_302_FOUND)
    response.set_cookie(
        LOGIN_COOKIE,
        login_value(login, settings.oidc_session_secret.get_secret_value()),
        max_age=LOGIN_SECONDS,
        path=LOGIN_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/auth/oidc/callback", name="oidc_callback")
async def oidc_callback(
    request: Request, state: ParamText = "", code: ParamText = "", error: ParamText = ""
) -> Response:
    """Check the provider's answer and the ID token, sign the person in (linked or created) and go on."""
    settings: Settings = request.app.state.services.settings
    if not settings.oidc_issuer:
        return refused(OFF, status.HTTP_404_NOT_FOUND)
    if error:
        code_name = error if error.replace("_", "").isalnum() else "unknown error"
        return refused(f"The sign-in provider did not sign you in ({code_name[:60]}).", status.HTTP_400_BAD_REQUEST)
    secret = settings.oidc_session_secret.get_secret_value()
    login = login_from_value(request.cookies.get(LOGIN_COOKIE, ""), secret)
    if login is None:
        return refused(STALE, status.HTTP_400_BAD_REQUEST)
    if not state or not hmac.compare_digest(state, login.state) or not code:
        return refused(MISMATCH, status.HTTP_400_BAD_REQUEST)
    try:
        claims = await client_for(settings).verified_claims(code=code, redirect_uri=callback_url(request), login=login)
        identity = identity_from_claims(claims, role_claim=settings.oidc_role_claim, role_map=settings.oidc_role_map)
        user = await run_in_threadpool(
            sign_in, request.app.state.services.db_factory, identity, default_role=settings.oidc_default_role
        )
    except SignInRefusedError as stop:
        log.info("single sign-on refused (%s)", stop.status_code)
        return refused(stop.message, stop.status_code)
    return signed_in(request, user, login, secret)


def signed_in(request: Request, user: User, login: LoginState, secret: str) -> HTMLResponse:
    """A page that sets the sign-in cookie and goes on by itself.

    Not a redirect: the browser arrived here from the provider's site, and it leaves a SameSite=Strict
    cookie off every request of a redirect chain that began on another site, so the next page would ask
    for sign-in again. A navigation started by this page counts as this site's own.
    """
    target = login.next_path or home_for(user)
    main = fill("message.html", heading="Signed in", text=f"Welcome, {user.name}.", link=target, link_text="Continue")
    response = render_page("Signed in", main, refresh_to=target)
    response.set_cookie(
        SIGN_IN_COOKIE,
        session_value(user, secret),
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    return response
