"""FastAPI dependencies: tests override these instead of patching."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db import crud
from assistant.db.models import User
from assistant.program.skills import SkillCatalog
from assistant.services import Services
from assistant.sso.sessions import is_session, user_for_session

bearer = HTTPBearer(auto_error=False)
PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""A database id in a URL: out-of-range numbers get a 422 instead of an overflow in the database."""
SIGN_IN_COOKIE = "tandem_signin"
CSRF_HEADER = "X-Tandem-CSRF"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_db_factory(services: ServicesDep) -> sessionmaker[Session]:
    return services.db_factory


DbFactoryDep = Annotated[sessionmaker[Session], Depends(get_db_factory)]


def get_db(factory: DbFactoryDep) -> Iterator[Session]:
    """The request's database session, committed when the route function returns.

    ``DbDep`` declares it with ``scope="function"``: FastAPI then runs the commit before the response is
    sent, so a 2xx always means committed. With the default (request) scope the commit ran after the
    response, and a failed commit lost a write the client had already been told succeeded.
    """
    db = factory()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


DbDep = Annotated[Session, Depends(get_db, scope="function")]


def user_for_token(factory: sessionmaker[Session], token: str) -> User | None:
    """The active user holding ``token``, detached from its database session (``db``), or None."""
    with factory() as db:
        user = crud.user_by_token(db, token=token)
        if user is not None:
            db.expunge(user)
    return user


def user_for_cookie(factory: sessionmaker[Session], settings: Settings, value: str) -> User | None:
    """The active user of the sign-in cookie: a personal token (token sign-in) or a signed session (single
    sign-on, see ``assistant.sso.sessions``), detached; None when it is neither."""
    if is_session(value):
        return user_for_session(factory, settings.oidc_session_secret.get_secret_value(), value)
    return user_for_token(factory, value)


def get_current_user(
    request: Request,
    factory: DbFactoryDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The user of a bearer token or, from the web app, of the sign-in cookie.

    A cookie is sent by the browser on its own, so for unsafe methods it counts only together with
    the ``X-Tandem-CSRF`` header: the page's scripts send it, a form or a link from another site
    cannot, and another origin's script would need a CORS preflight that Tandem never grants for it.
    """
    if credentials is not None and credentials.credentials:
        user = user_for_token(factory, credentials.credentials)
    else:
        cookie = request.cookies.get(SIGN_IN_COOKIE, "")
        if not cookie:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"cookie sign-in needs the {CSRF_HEADER} header")
        user = user_for_cookie(factory, request.app.state.services.settings, cookie)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "invalid or inactive token", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: str) -> Callable[[User], User]:
    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs one of the roles: {', '.join(roles)}")
        return user

    return check


ConversationOwner = Annotated[User, Depends(require_roles("mentee", "mentor", "admin"))]
PairParticipant = Annotated[User, Depends(require_roles("mentee", "mentor"))]
"""Pulses and surveys are answered by the pair's own people; an admin or HR gets 403."""


def get_skill_catalog(services: ServicesDep) -> SkillCatalog:
    return services.skill_catalog


SkillsDep = Annotated[SkillCatalog, Depends(get_skill_catalog)]
