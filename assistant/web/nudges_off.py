"""The page an e-mail's "stop these" link opens: one click turns that kind of nudge off, without signing in.

The GET only asks; the POST (the page's button, or a mail client's one-click unsubscribe, RFC 8058)
changes ``users.nudges_off``. The signed token in the address says who and which kind.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse

from assistant.api.deps import DbDep, ServicesDep
from assistant.db.models import User
from assistant.nudges.compose import LABELS
from assistant.nudges.preferences import OFF_PATH, change, read_off_token
from assistant.web.layout import fill, message_page, render_page

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Query(alias="t", max_length=500)]
INVALID = "This link is damaged or not valid any more. Sign in to Tandem to choose your e-mail reminders."


@router.get(OFF_PATH, response_class=HTMLResponse)
def confirm_off(services: ServicesDep, db: DbDep, token: Token = "") -> HTMLResponse:
    found = _user_and_kind(services, db, token)
    if found is None:
        return message_page("Link not valid", INVALID, user=None, status_code=status.HTTP_400_BAD_REQUEST)
    user, kind = found
    main = fill("nudges-off.html", label=LABELS[kind], name=user.name, action=f"{OFF_PATH}?t={token}")
    return render_page("Stop e-mail reminders", main)


@router.post(OFF_PATH, response_class=HTMLResponse)
def turn_off(services: ServicesDep, db: DbDep, token: Token = "") -> HTMLResponse:
    found = _user_and_kind(services, db, token)
    if found is None:
        return message_page("Link not valid", INVALID, user=None, status_code=status.HTTP_400_BAD_REQUEST)
    user, kind = found
    change(user, [kind], off=True)
    db.flush()
    return message_page(
        "Reminders stopped",
        f"Tandem will not send {LABELS[kind]} to {user.name} any more.",
        user=None,
        status_code=status.HTTP_200_OK,
    )


def _user_and_kind(services: ServicesDep, db: DbDep, token: str) -> tuple[User, str] | None:
    signed = read_off_token(services.settings.nudge_link_secret, token)
    if signed is None:
        return None
    user = db.get(User, signed[0])
    return (user, signed[1]) if user is not None else None
