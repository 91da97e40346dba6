"""Signed cookie values (itsdangerous): a single sign-on's signed-in session and a sign-in under way.

The token sign-in keeps the personal token in the sign-in cookie; only its hash is stored, so a single
sign-on cannot put the token there without issuing a new one, which would end the person's API clients.
It puts a signed session instead: the user's id and a fingerprint of their token hash, so issuing a new
token or deactivating the account ends the session as it ends the token's, with no session table.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.models import User

SESSION_PREFIX = "sso."
"""Sign-in cookie values that are sessions (personal tokens start with ``tdm_``)."""
SESSION_SECONDS = 12 * 60 * 60
LOGIN_SECONDS = 10 * 60
"""How long a person may take at the provider between leaving Tandem and coming back."""


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"tandem-sso-{purpose}")


def _token_fingerprint(user: User) -> str:
    return hashlib.sha256(f"sso-session:{user.token_hash}".encode()).hexdigest()[:20]


def is_session(value: str) -> bool:
    return value.startswith(SESSION_PREFIX)


def session_value(user: User, secret: str) -> str:
    """The sign-in cookie's value for ``user`` after a single sign-on."""
    signed = _serializer(secret, "session").dumps({"u": user.id, "k": _token_fingerprint(user)})
    return SESSION_PREFIX + str(signed)


def user_for_session(factory: sessionmaker[Session], secret: str, value: str) -> User | None:
    """The active user of a session cookie value (detached from its ``db`` session), or None when the value is
    forged, older than ``SESSION_SECONDS``, or the user was deactivated or got a new token since."""
    try:
        payload = _serializer(secret, "session").loads(value.removeprefix(SESSION_PREFIX), max_age=SESSION_SECONDS)
    except BadData:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int) or not isinstance(payload.get("k"), str):
        return None
    with factory() as db:
        user = db.get(User, payload["u"])
        if user is None or not user.active or not hmac.compare_digest(payload["k"], _token_fingerprint(user)):
            return None
        db.expunge(user)
    return user


@dataclass(frozen=True)
class LoginState:
    """What the callback checks the provider's answer against, kept in the browser between the two."""

    state: str
    nonce: str
    code_verifier: str
    next_path: str = ""


def login_value(login: LoginState, secret: str) -> str:
    return str(_serializer(secret, "login").dumps(asdict(login)))


def login_from_value(value: str, secret: str) -> LoginState | None:
    """The sign-in under way, or None when the value is forged, malformed or older than ``LOGIN_SECONDS``."""
    try:
        payload = _serializer(secret, "login").loads(value, max_age=LOGIN_SECONDS)
        return LoginState(**payload)
    except (BadData, TypeError):
        return None
