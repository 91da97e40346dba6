"""Who a verified ID token signs in: found by subject, else linked by e-mail, else created with its role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import User
from assistant.sso import SignInRefusedError

ROLE_PRECEDENCE = ("admin", "hr", "mentor", "mentee")
"""Of several roles named by the claims, the first here wins."""
MAX_NAME_CHARS = 200
NO_ROLE = "Your account has no Tandem role, so you cannot sign in here; ask your program lead for access."
INACTIVE = "This Tandem account is inactive; ask your program lead if that is a mistake."
TAKEN_EMAIL = "A Tandem account with your e-mail address signs in with another identity; ask your program lead."


@dataclass(frozen=True)
class Identity:
    """What Tandem uses from the ID token's claims."""

    subject: str
    email: str | None
    """Lower-cased; None when the provider gave none or said it is not verified."""
    name: str
    role: str | None
    """The role the claims map to, or None."""


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The claim named ``path``, or the value at a dotted path into objects (``realm_access.roles``)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def role_from_claims(claims: Mapping[str, Any], claim: str, role_map: Mapping[str, str]) -> str | None:
    """The most privileged role that a value of ``claim`` (one string or a list) maps to; a value that is
    already a role name maps to itself."""
    value = claim_at(claims, claim)
    values = value if isinstance(value, list) else [value]
    roles = {role_map.get(item, item) for item in values if isinstance(item, str)}
    return next((role for role in ROLE_PRECEDENCE if role in roles), None)


def display_name(claims: Mapping[str, Any]) -> str:
    full = " ".join(str(claims.get(key) or "").strip() for key in ("given_name", "family_name")).strip()
    for candidate in (claims.get("name"), full, claims.get("preferred_username"), claims.get("email")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()[:MAX_NAME_CHARS]
    return "Signed-in participant"


def identity_from_claims(claims: Mapping[str, Any], *, role_claim: str, role_map: Mapping[str, str]) -> Identity:
    email = claims.get("email")
    verified = claims.get("email_verified", True) not in (False, "false")
    return Identity(
        subject=str(claims["sub"]),
        email=email.strip().lower() if isinstance(email, str) and email.strip() and verified else None,
        name=display_name(claims),
        role=role_from_claims(claims, role_claim, role_map),
    )


def _find_or_link(db: Session, identity: Identity) -> User | None:
    user = db.scalar(select(User).where(User.oidc_subject == identity.subject))
    if user is not None or identity.email is None:
        return user
    user = db.scalar(select(User).where(User.email == identity.email))
    if user is not None:
        if user.oidc_subject is not None:
            raise SignInRefusedError(TAKEN_EMAIL, 403)
        user.oidc_subject = identity.subject
    return user


def signed_in_user(db: Session, identity: Identity, *, default_role: str) -> User:
    """The user ``identity`` signs in as, linked or created (just in time) and with the role its claims name.

    The claims' role replaces the stored one at every sign-in. Claims that name no role: a new user gets
    ``default_role``, an existing one keeps theirs, and with no default both are refused, so the provider
    alone decides who may use Tandem. The personal token is never touched.
    """
    user = _find_or_link(db, identity)
    if user is not None and not user.active:
        raise SignInRefusedError(INACTIVE, 403)
    if identity.role is None and not default_role:
        raise SignInRefusedError(NO_ROLE, 403)
    if user is None:
        user, _ = crud.create_user(db, name=identity.name, role=identity.role or default_role)
        user.email = identity.email
        user.oidc_subject = identity.subject
    elif identity.role is not None:
        user.role = identity.role
    db.flush()
    return user


def _sign_in_once(factory: sessionmaker[Session], identity: Identity, default_role: str) -> User:
    with transaction(factory) as db:
        user = signed_in_user(db, identity, default_role=default_role)
        db.expunge(user)
    return user


def sign_in(factory: sessionmaker[Session], identity: Identity, *, default_role: str) -> User:
    """``signed_in_user`` in its own transaction, the user returned detached. A first sign-in that raced
    another for the same person (two tabs) fails on the unique subject; tried again, it finds that user."""
    try:
        return _sign_in_once(factory, identity, default_role)
    except IntegrityError:
        return _sign_in_once(factory, identity, default_role)
