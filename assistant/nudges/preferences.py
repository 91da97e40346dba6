"""Which kinds of nudge a person turned off (``users.nudges_off``), and the signed links that turn one off.

A link from an e-mail turns off one kind for one person without signing in: it is signed with
``NUDGE_LINK_SECRET`` (never expiring, since all it can do is stop e-mails), and the page it opens
asks for a click before anything changes, so a mail scanner following links turns nothing off.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import SecretStr

from assistant.db.models import User
from assistant.nudges import KINDS

LINK_SALT = "tandem-nudge-off"
OFF_PATH = "/nudges/off"


class UnknownKindError(ValueError):
    """A kind of nudge that does not exist (HTTP 422, CLI exit 2)."""


def checked_kinds(kinds: Iterable[str]) -> list[str]:
    """``kinds`` sorted and without repeats, or :class:`UnknownKindError` naming the first unknown one."""
    chosen = sorted(set(kinds))
    for kind in chosen:
        if kind not in KINDS:
            raise UnknownKindError(f"unknown nudge kind {kind!r}; choose from {', '.join(KINDS)}")
    return chosen


def turned_off(user: User) -> list[str]:
    return [kind for kind in KINDS if kind in (user.nudges_off or [])]


def set_turned_off(user: User, kinds: Iterable[str]) -> list[str]:
    """Replace the kinds ``user`` turned off; returns them in :data:`KINDS` order."""
    user.nudges_off = checked_kinds(kinds)
    return turned_off(user)


def change(user: User, kinds: Iterable[str], *, off: bool) -> list[str]:
    """Turn ``kinds`` off (or back on) for ``user``, leaving the others as they are."""
    chosen = set(checked_kinds(kinds))
    current = set(user.nudges_off or [])
    return set_turned_off(user, current | chosen if off else current - chosen)


def off_token(secret: SecretStr, user_id: int, kind: str) -> str:
    return URLSafeSerializer(secret.get_secret_value(), salt=LINK_SALT).dumps([user_id, kind])


def read_off_token(secret: SecretStr, token: str) -> tuple[int, str] | None:
    """The user id and kind a link was signed for, or None for a token that is forged, damaged or stale."""
    try:
        user_id, kind = URLSafeSerializer(secret.get_secret_value(), salt=LINK_SALT).loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or kind not in KINDS:
        return None
    return user_id, kind


def off_link(public_url: str, secret: SecretStr, user_id: int, kind: str) -> str:
    return f"{public_url.rstrip('/')}{OFF_PATH}?t={quote(off_token(secret, user_id, kind))}"
