"""A small but real OpenID Connect provider for the single sign-on tests (Starlette, served by uvicorn).

It publishes a discovery document and a JWKS (an RS256 key generated at start), auto-approves one
configurable test user at its authorization endpoint (checking the client, the redirect URI and that a
PKCE S256 challenge and a nonce were sent), and at its token endpoint checks the client secret (Basic or
form), the one-time code, the redirect URI and the PKCE verifier before it issues a signed ID token
carrying the nonce. ``Misbehaviour`` makes it answer wrongly in one way, to test that Tandem refuses.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.live_server import serving

KEY_ID = "test-key-1"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def s256(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode()).digest())


@dataclass
class TestUser:
    """The person the provider signs in; ``claims`` are added to the ID token (a role, groups, ...)."""

    __test__ = False  # not a pytest test class

    subject: str = "idp-user-0001"
    email: str = "Alice.Smith@Example.org"
    email_verified: bool = True
    name: str = "Alice Smith"
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class Misbehaviour:
    """One way of answering wrongly; the defaults answer correctly."""

    nonce: str | None = None
    """Put this nonce in the ID token instead of the one asked for."""
    audience: str | None = None
    issuer: str | None = None
    lifetime_seconds: int = 300
    """Negative: the ID token has already expired."""
    foreign_key: bool = False
    """Sign with a key that is not in the JWKS (but under the published key id)."""
    deny: str = ""
    """Answer the authorization request with this OAuth error instead of a code."""


@dataclass
class Client:
    secret: str
    redirect_uri: str


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    user: TestUser


class OidcProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.issuer = ""
        self.clients: dict[str, Client] = {}
        self.grants: dict[str, Grant] = {}
        self.user = TestUser()
        self.misbehaviour = Misbehaviour()
        self.authorization_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    @contextmanager
    def running(self) -> Iterator[OidcProvider]:
        with serving(self.app, lifespan="off") as url:
            self.issuer = url
            yield self

    def register_client(self, client_id: str, secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(secret, redirect_uri)

    def reset(self) -> None:
        self.clients.clear()
        self.grants.clear()
        self.user = TestUser()
        self.misbehaviour = Misbehaviour()
        self.authorization_requests.clear()
        self.token_requests.clear()

    async def discovery(self, _: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    async def jwks(self, _: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorization_requests.append(query)
        client = self.clients.get(query.get("client_id", ""))
        if client is None or query.get("redirect_uri") != client.redirect_uri:
            return JSONResponse({"error": "invalid_request", "error_description": "unknown client or redirect"}, 400)
        back = query["redirect_uri"]
        state = query.get("state", "")
        if self.misbehaviour.deny:
            return RedirectResponse(f"{back}?{urlencode({'error': self.misbehaviour.deny, 'state': state})}", 302)
        problems = [
            query.get("response_type") != "code" and "response_type",
            "openid" not in query.get("scope", "").split() and "scope",
            query.get("code_challenge_method") != "S256" and "code_challenge_method",
            not query.get("code_challenge") and "code_challenge",
            not query.get("nonce") and "nonce",
        ]
        if any(problems):
            error = urlencode({"error": "invalid_request", "error_description": str(problems), "state": state})
            return RedirectResponse(f"{back}?{error}", 302)
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            query["client_id"], back, query["code_challenge"], query["nonce"], TestUser(**vars(self.user))
        )
        return RedirectResponse(f"{back}?{urlencode({'code': code, 'state': state})}", 302)

    def _client_credentials(self, request: Request, form: dict[str, str]) -> tuple[str, str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return client_id, secret
        return form.get("client_id", ""), form.get("client_secret", "")

    async def token(self, request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
        self.token_requests.append(form)
        client_id, secret = self._client_credentials(request, form)
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(secret, client.secret):
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = self.grants.pop(form.get("code", ""), None)
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant.client_id != client_id
            or form.get("redirect_uri") != grant.redirect_uri
            or s256(form.get("code_verifier", "")) != grant.code_challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, 400)
        access_token = secrets.token_urlsafe(32)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant, client_id, access_token),
            },
            headers={"Cache-Control": "no-store"},
        )

    def id_token(self, grant: Grant, client_id: str, access_token: str) -> str:
        wrong = self.misbehaviour
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": wrong.issuer or self.issuer,
            "sub": grant.user.subject,
            "aud": wrong.audience or client_id,
            "iat": now,
            "exp": now + wrong.lifetime_seconds,
            "nonce": wrong.nonce or grant.nonce,
            "at_hash": _b64url(hashlib.sha256(access_token.encode()).digest()[:16]),
            "email": grant.user.email,
            "email_verified": grant.user.email_verified,
            "name": grant.user.name,
            **grant.user.claims,
        }
        key = self.foreign_key if wrong.foreign_key else self.key
        return jwt.encode({"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}, claims, key)
