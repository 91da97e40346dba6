"""The OpenID Connect client: discovery, the authorization request, the code exchange, the ID token check.

Authorization code flow with PKCE (S256), a nonce and a state; the code is exchanged with the client
secret over HTTP and the ID token is checked here, not trusted from the token response: its signature
against the provider's published keys, and its issuer, audience, expiry and nonce.
"""

from __future__ import annotations

import logging
import secrets
import time
from functools import lru_cache
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from assistant.sso import SignInRefusedError
from assistant.sso.sessions import LoginState

log = logging.getLogger(__name__)
DISCOVERY_PATH = "/.well-known/openid-configuration"
METADATA_SECONDS = 60 * 60
HTTP_TIMEOUT_SECONDS = 10.0
CLOCK_LEEWAY_SECONDS = 60
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
"""ID token signatures Tandem accepts: never ``none``, nor HMAC with the client secret."""
UNREACHABLE = "Tandem could not reach the sign-in provider; try again in a moment."
UNVERIFIED = "The sign-in provider's answer could not be verified, so you were not signed in; start again."


class OidcClient:
    """One provider and Tandem's client there; its discovery document and keys are kept for an hour."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, scopes: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        self._metadata: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._jwks: dict[str, Any] | None = None

    def _http(self, redirect_uri: str = "") -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scopes,
            redirect_uri=redirect_uri or None,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT_SECONDS,
        )

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self._http() as http:
            response = await http.request("GET", url, withhold_token=True)
            response.raise_for_status()
            document = response.json()
        if not isinstance(document, dict):
            raise ValueError(f"{url} did not answer with a JSON object")
        return document

    async def metadata(self) -> dict[str, Any]:
        """The discovery document, checked to name this issuer and the endpoints the flow needs."""
        if self._metadata and time.monotonic() - self._fetched_at < METADATA_SECONDS:
            return self._metadata
        try:
            document = await self._get_json(self.issuer.rstrip("/") + DISCOVERY_PATH)
        except (httpx2.HTTPError, ValueError) as exc:
            log.warning("OIDC discovery at %s failed: %s", self.issuer, exc)
            raise SignInRefusedError(UNREACHABLE, 502) from exc
        missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if key not in document]
        if str(document.get("issuer", "")).rstrip("/") != self.issuer.rstrip("/") or missing:
            log.warning("OIDC discovery at %s names issuer %r, lacks %s", self.issuer, document.get("issuer"), missing)
            raise SignInRefusedError("Single sign-on is not set up correctly; tell your program lead.", 502)
        self._metadata, self._fetched_at, self._jwks = document, time.monotonic(), None
        return document

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._jwks is None or refresh:
            self._jwks = await self._get_json((await self.metadata())["jwks_uri"])
        return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]

    async def start(self, redirect_uri: str, next_path: str = "") -> tuple[str, LoginState]:
        """The provider's authorization URL to send the browser to, and what to check its answer against."""
        endpoint = (await self.metadata())["authorization_endpoint"]
        login = LoginState(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=secrets.token_urlsafe(48),
            next_path=next_path,
        )
        async with self._http(redirect_uri) as http:
            url, _ = http.create_authorization_url(
                endpoint, state=login.state, code_verifier=login.code_verifier, nonce=login.nonce
            )
        return str(url), login

    async def verified_claims(self, *, code: str, redirect_uri: str, login: LoginState) -> dict[str, Any]:
        """Exchange ``code`` for tokens and return the ID token's claims once they pass every check."""
        metadata = await self.metadata()
        try:
            async with self._http(redirect_uri) as http:
                token = await http.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=login.code_verifier,
                )
        except OAuthError as exc:
            log.warning("OIDC code exchange refused: %s", exc.error)
            raise SignInRefusedError(UNVERIFIED) from exc
        except (httpx2.HTTPError, ValueError) as exc:
            log.warning("OIDC code exchange failed: %s", exc)
            raise SignInRefusedError(UNREACHABLE, 502) from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            log.warning("OIDC token response without an ID token")
            raise SignInRefusedError(UNVERIFIED)
        try:
            return await self._check_id_token(id_token, metadata, login.nonce, token.get("access_token"))
        except JoseError as exc:
            log.warning("OIDC ID token refused: %s", exc)
            raise SignInRefusedError(UNVERIFIED) from exc
        except (httpx2.HTTPError, ValueError) as exc:
            log.warning("OIDC keys could not be fetched: %s", exc)
            raise SignInRefusedError(UNREACHABLE, 502) from exc

    async def _check_id_token(
        self, id_token: str, metadata: dict[str, Any], nonce: str, access_token: object
    ) -> dict[str, Any]:
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [alg for alg in offered if alg in ASYMMETRIC_ALGORITHMS]
        try:
            decoded = jwt.decode(id_token, await self._key_set(), algorithms=algorithms)
        except InvalidKeyIdError:  # the provider rotated its keys since they were fetched
            decoded = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=algorithms)
        params: dict[str, Any] = {"nonce": nonce, "client_id": self.client_id}
        if isinstance(access_token, str):
            params["access_token"] = access_token
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": self.client_id},
            },
            params,
        )
        claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
        return dict(claims)


@lru_cache(maxsize=8)
def oidc_client(issuer: str, client_id: str, client_secret: str, scopes: str) -> OidcClient:
    """One client per configuration, so the discovery document and keys are fetched once, not per sign-in."""
    return OidcClient(issuer, client_id, client_secret, scopes)
