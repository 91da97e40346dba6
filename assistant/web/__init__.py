"""The web app for participants, HR and admins: pages, sign-in, static files and security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assistant.web import auth, pages
from assistant.web.security import SecurityHeaders

STATIC_DIR = Path(__file__).with_name("static")


def install_web(app: FastAPI) -> None:
    """Mount the pages, the sign-in routes and ``/static``, and add the security headers."""
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.add_exception_handler(pages.SignInRequiredError, pages.sign_in_first)
    app.add_exception_handler(pages.PageForbiddenError, pages.forbidden)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
