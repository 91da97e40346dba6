"""Single sign-on against a real OpenID Connect provider (tests/support/oidc_provider.py) on its own port.

Tandem runs in a real uvicorn server too; an httpx client plays the browser and follows the redirects
from Tandem to the provider and back, and Tandem exchanges the code with the provider over HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, get_args
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from assistant.app import create_app
from assistant.config import OidcRole, Settings
from assistant.db import crud
from assistant.db.engine import transaction
from assistant.db.models import ROLES, User
from assistant.services import Services
from assistant.sso import SignInRefusedError
from assistant.sso.accounts import Identity, identity_from_claims, role_from_claims, signed_in_user
from assistant.sso.sessions import LoginState, login_from_value, login_value, session_value, user_for_session
from tests.conftest import Participants
from tests.support.live_server import serving
from tests.support.oidc_provider import Misbehaviour, OidcProvider, TestUser

CLIENT_ID = "tandem-web"
CLIENT_SECRET = "provider-issued-secret"
SESSION_SECRET = "test-oidc-session-secret"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
API = "/api/v1"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider().running() as running:
        yield running


@pytest.fixture
def database_url(own_database_url: str) -> str:
    """An empty database per test: the tests count the users a sign-in created (none, or one)."""
    return own_database_url


@pytest.fixture
def oidc_overrides() -> dict[str, Any]:
    """Tests change single sign-on settings by parametrizing this."""
    return {}


@pytest.fixture
def settings(settings: Settings, provider: OidcProvider, oidc_overrides: dict[str, Any]) -> Settings:
    provider.reset()
    return settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_role_claim": "groups",
            "oidc_role_map": {"hr-team": "hr", "mentoring-mentors": "mentor", "mentoring-mentees": "mentee"},
            "oidc_provider_name": "Example ID",
            "oidc_session_secret": SecretStr(SESSION_SECRET),
            **oidc_overrides,
        }
    )


@pytest.fixture
def tandem(settings: Settings, services: Services, provider: OidcProvider) -> Iterator[str]:
    with serving(create_app(settings, services=services)) as url:
        provider.register_client(CLIENT_ID, CLIENT_SECRET, f"{url}/auth/oidc/callback")
        yield url


@pytest.fixture
def browser(tandem: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tandem, follow_redirects=True, timeout=20) as client:
        yield client


def sso_sign_in(browser: httpx.Client, next_path: str = "") -> httpx.Response:
    """The whole round trip: Tandem -> provider (auto-approves) -> Tandem's callback."""
    return browser.get("/auth/oidc/login", params={"next": next_path} if next_path else None)


def users(services: Services) -> list[User]:
    with services.db_factory() as db:
        return list(db.scalars(select(User).order_by(User.id)))


def user_count(services: Services) -> int:
    with services.db_factory() as db:
        return int(db.scalar(select(func.count()).select_from(User)) or 0)


def test_a_new_user_signs_in_with_the_role_from_the_claims_and_the_cookie_opens_pages_and_the_api(
    browser: httpx.Client, provider: OidcProvider, services: Services
) -> None:
    provider.user = TestUser(claims={"groups": ["staff", "mentoring-mentors"]})
    done = sso_sign_in(browser)
    assert done.status_code == 200 and "Welcome, Alice Smith." in done.text
    assert '<meta http-equiv="refresh" content="0; url=/app">' in done.text  # not a redirect: see signed_in()
    hops = [(response.url.port, response.url.path) for response in done.history]
    assert hops == [(browser.base_url.port, "/auth/oidc/login"), (urlsplit(provider.issuer).port, "/authorize")]
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("tandem_signin="))
    assert cookie.startswith("tandem_signin=sso.") and "HttpOnly" in cookie and "SameSite=strict" in cookie

    [user] = users(services)
    assert (user.name, user.role, user.email, user.oidc_subject) == (
        "Alice Smith",
        "mentor",
        "alice.smith@example.org",
        "idp-user-0001",
    )
    [asked] = provider.authorization_requests
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["scope"] == "openid email profile"
    [exchanged] = provider.token_requests
    assert exchanged["code_verifier"] and "client_secret" not in exchanged  # the secret went in the Basic header

    page = browser.get("/app")
    assert page.status_code == 200 and not page.history and "Alice Smith" in page.text
    assert browser.post(f"{API}/conversations", json={}, headers={"X-Tandem-CSRF": "1"}).status_code == 201
    with services.db_factory() as db:
        assert crud.count_conversations(db, user=user) == 1
    assert browser.get(f"{API}/conversations").json()["count"] == 1


def test_sign_in_goes_on_to_the_page_asked_for(browser: httpx.Client, provider: OidcProvider) -> None:
    provider.user = TestUser(claims={"groups": ["mentoring-mentees"]})
    assert browser.get("/goals").url.path == "/signin"
    done = sso_sign_in(browser, "/goals")
    assert '<meta http-equiv="refresh" content="0; url=/goals">' in done.text
    assert browser.get("/goals").status_code == 200


def test_a_second_sign_in_is_the_same_user_and_takes_the_new_role_from_the_claims(
    browser: httpx.Client, provider: OidcProvider, services: Services
) -> None:
    provider.user = TestUser(claims={"groups": ["mentoring-mentees"]})
    sso_sign_in(browser)
    browser.cookies.clear()
    provider.user = TestUser(email="new.address@example.org", claims={"groups": ["hr-team", "mentoring-mentees"]})
    assert sso_sign_in(browser).status_code == 200
    [user] = users(services)
    assert user.role == "hr" and user.email == "alice.smith@example.org"  # the most privileged role wins
    assert browser.get("/hr").status_code == 200


def test_an_existing_user_with_the_same_email_is_linked_and_keeps_their_token(
    browser: httpx.Client, provider: OidcProvider, services: Services, participants: Participants
) -> None:
    existing = participants.add("Alice S.", "mentee")
    with transaction(services.db_factory) as db:
        db.get(User, int(existing["id"])).email = "alice.smith@example.org"  # type: ignore[union-attr]
    before = users(services)[0].token_hash
    provider.user = TestUser(claims={"groups": ["mentoring-mentors"]})

    assert sso_sign_in(browser).status_code == 200
    [user] = users(services)
    assert (user.id, user.name, user.role, user.oidc_subject) == (
        int(existing["id"]),
        "Alice S.",
        "mentor",
        "idp-user-0001",
    )
    assert user.token_hash == before
    assert browser.post(f"{API}/conversations", json={}, headers={"X-Tandem-CSRF": "1"}).status_code == 201
    with httpx.Client(base_url=str(browser.base_url)) as api_client:
        listed = api_client.get(f"{API}/conversations", headers={"Authorization": existing["Authorization"]})
    assert listed.status_code == 200 and listed.json()["count"] == 1


def test_an_email_already_linked_to_another_identity_is_refused(
    browser: httpx.Client, provider: OidcProvider, services: Services
) -> None:
    provider.user = TestUser(claims={"groups": ["mentoring-mentees"]})
    sso_sign_in(browser)
    browser.cookies.clear()
    provider.user = TestUser(subject="someone-else", claims={"groups": ["mentoring-mentees"]})
    refused = sso_sign_in(browser)
    assert refused.status_code == 403 and "signs in with another identity" in refused.text
    assert user_count(services) == 1 and "tandem_signin" not in browser.cookies


def test_a_tampered_state_is_refused_and_the_code_is_never_exchanged(
    tandem: str, provider: OidcProvider, services: Services
) -> None:
    provider.user = TestUser(claims={"groups": ["mentoring-mentees"]})
    with httpx.Client(base_url=tandem, follow_redirects=False) as browser:
        to_provider = browser.get("/auth/oidc/login")
        assert to_provider.status_code == 302 and to_provider.headers["location"].startswith(provider.issuer)
        login_cookie = to_provider.headers["set-cookie"]
        assert "HttpOnly" in login_cookie and "SameSite=lax" in login_cookie and "Path=/auth/oidc" in login_cookie
        back = browser.get(to_provider.headers["location"]).headers["location"]
        query = parse_qs(urlsplit(back).query)
        tampered = browser.get("/auth/oidc/callback", params={"code": query["code"][0], "state": "forged-state"})
    assert tampered.status_code == 400
    assert "does not belong to the sign-in you started" in tampered.text and "Traceback" not in tampered.text
    assert provider.token_requests == [] and user_count(services) == 0
    assert "tandem_signin" not in tampered.headers.get("set-cookie", "")


def test_an_answer_without_the_sign_in_cookie_is_refused(tandem: str, provider: OidcProvider) -> None:
    """The callback opened in another browser (or after the 10 minutes): nothing to check the state against."""
    with httpx.Client(base_url=tandem) as elsewhere:
        answer = elsewhere.get("/auth/oidc/callback", params={"code": "some-code", "state": "some-state"})
    assert answer.status_code == 400 and "start again" in answer.text and provider.token_requests == []


def test_a_provider_error_is_a_one_sentence_page(
    browser: httpx.Client, provider: OidcProvider, services: Services
) -> None:
    provider.misbehaviour = Misbehaviour(deny="access_denied")
    refused = sso_sign_in(browser)
    assert refused.status_code == 400 and "did not sign you in (access_denied)." in refused.text
    assert user_count(services) == 0


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (Misbehaviour(nonce="a-nonce-from-another-sign-in"), "'nonce'"),
        (Misbehaviour(audience="another-client"), "'aud'"),
        (Misbehaviour(issuer="https://impostor.example"), "'iss'"),
        (Misbehaviour(lifetime_seconds=-600), "expired"),
        (Misbehaviour(foreign_key=True), "signature"),
    ],
    ids=["nonce", "audience", "issuer", "expired", "signature"],
)
def test_an_id_token_that_fails_a_check_is_refused(
    browser: httpx.Client,
    provider: OidcProvider,
    services: Services,
    wrong: Misbehaviour,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider.user = TestUser(claims={"groups": ["mentoring-mentees"]})
    provider.misbehaviour = wrong
    with caplog.at_level(logging.WARNING, logger="assistant.sso.oidc"):
        refused = sso_sign_in(browser)
    [logged] = [record.getMessage() for record in caplog.records if record.name == "assistant.sso.oidc"]
    assert logged.startswith("OIDC ID token refused") and reason in logged, logged
    assert refused.status_code == 400 and "could not be verified" in refused.text
    assert len(provider.token_requests) == 1  # it got as far as the exchange: the ID token itself was refused
    assert user_count(services) == 0 and "tandem_signin" not in browser.cookies
    assert browser.get("/app").url.path == "/signin"


def test_claims_that_map_to_no_role_are_refused_without_a_default_and_no_user_is_created(
    browser: httpx.Client, provider: OidcProvider, services: Services
) -> None:
    provider.user = TestUser(claims={"groups": ["finance", "staff"]})
    refused = sso_sign_in(browser)
    assert refused.status_code == 403 and "no Tandem role" in refused.text
    assert user_count(services) == 0


@pytest.mark.parametrize("oidc_overrides", [{"oidc_default_role": "mentee"}])
def test_with_a_default_role_a_user_without_a_mapped_role_gets_it(
    browser: httpx.Client, provider: OidcProvider, services: Services
) -> None:
    provider.user = TestUser(claims={"groups": ["finance"]})
    assert sso_sign_in(browser).status_code == 200
    assert [user.role for user in users(services)] == ["mentee"]


def test_an_inactive_user_is_refused(browser: httpx.Client, provider: OidcProvider, services: Services) -> None:
    provider.user = TestUser(claims={"groups": ["mentoring-mentees"]})
    sso_sign_in(browser)
    browser.cookies.clear()
    with transaction(services.db_factory) as db:
        db.scalars(select(User)).one().active = False
    refused = sso_sign_in(browser)
    assert refused.status_code == 403 and "inactive" in refused.text and "tandem_signin" not in browser.cookies


def test_deactivating_the_user_ends_the_single_sign_on_session(
    browser: httpx.Client, provider: OidcProvider, services: Services
) -> None:
    provider.user = TestUser(claims={"groups": ["mentoring-mentees"]})
    sso_sign_in(browser)
    assert browser.get(f"{API}/conversations").status_code == 200
    with transaction(services.db_factory) as db:
        db.scalars(select(User)).one().active = False
    assert browser.get(f"{API}/conversations").status_code == 401
    assert browser.get("/app").url.path == "/signin"


def test_the_token_sign_in_still_works_beside_the_sign_in_button(
    browser: httpx.Client, participants: Participants
) -> None:
    page = browser.get("/signin", params={"next": "/goals"})
    assert "Sign in with Example ID" in page.text and 'href="/auth/oidc/login?next=%2Fgoals"' in page.text
    mentee = participants.add("Token Person")
    signed_in = browser.post("/auth/signin", content=f"token={mentee['token']}", headers=FORM)
    assert signed_in.status_code == 200 and signed_in.url.path == "/app" and "Token Person" in signed_in.text
    assert browser.get(f"{API}/conversations").status_code == 200


@pytest.mark.parametrize("oidc_overrides", [{"oidc_issuer": ""}])
def test_with_single_sign_on_off_there_is_no_button_and_no_route(browser: httpx.Client) -> None:
    assert "Sign in with" not in browser.get("/signin").text
    assert browser.get("/auth/oidc/login").status_code == 404


def test_a_forged_or_foreign_session_cookie_signs_nobody_in(
    tandem: str, services: Services, participants: Participants
) -> None:
    person = participants.add()
    with services.db_factory() as db:
        user = db.get(User, int(person["id"]))
        assert user is not None
        forged = session_value(user, "not-the-server-secret")
        genuine = session_value(user, SESSION_SECRET)
    with httpx.Client(base_url=tandem) as client:
        assert client.get(f"{API}/conversations", headers={"Cookie": f"tandem_signin={forged}"}).status_code == 401
        assert client.get(f"{API}/conversations", headers={"Cookie": f"tandem_signin={genuine}"}).status_code == 200
        # a session is a cookie only: as a bearer token it is refused
        assert client.get(f"{API}/conversations", headers={"Authorization": f"Bearer {genuine}"}).status_code == 401


# The pieces on their own


def test_a_session_ends_when_the_user_gets_a_new_token(services: Services, participants: Participants) -> None:
    person = participants.add()
    with services.db_factory() as db:
        value = session_value(db.get(User, int(person["id"])), SESSION_SECRET)  # type: ignore[arg-type]
    found = user_for_session(services.db_factory, SESSION_SECRET, value)
    assert found is not None and found.id == int(person["id"])
    with transaction(services.db_factory) as db:
        db.get(User, int(person["id"])).token_hash = crud.hash_token("tdm_a-new-token")  # type: ignore[union-attr]
    assert user_for_session(services.db_factory, SESSION_SECRET, value) is None


def test_the_login_state_survives_only_with_the_right_secret() -> None:
    login = LoginState(state="s", nonce="n", code_verifier="v", next_path="/goals")
    value = login_value(login, SESSION_SECRET)
    assert login_from_value(value, SESSION_SECRET) == login
    assert login_from_value(value, "another-secret") is None
    assert login_from_value(value[:-2] + "xx", SESSION_SECRET) is None


@pytest.mark.parametrize(
    ("claims", "claim", "expected"),
    [
        ({"tandem_role": "mentor"}, "tandem_role", "mentor"),
        ({"tandem_role": "hr-team"}, "tandem_role", "hr"),
        ({"groups": ["mentoring-mentees", "hr-team"]}, "groups", "hr"),
        ({"groups": ["admin", "mentee"]}, "groups", "admin"),
        ({"groups": ["finance"]}, "groups", None),
        ({"groups": "boss"}, "groups", None),
        ({}, "groups", None),
        ({"realm_access": {"roles": ["offline", "mentoring-mentors"]}}, "realm_access.roles", "mentor"),
    ],
)
def test_role_mapping(claims: dict[str, Any], claim: str, expected: str | None) -> None:
    role_map = {"hr-team": "hr", "mentoring-mentors": "mentor", "mentoring-mentees": "mentee"}
    assert role_from_claims(claims, claim, role_map) == expected


def test_a_role_name_can_be_mapped_away() -> None:
    assert role_from_claims({"groups": ["admin"]}, "groups", {"admin": "mentee"}) == "mentee"


def test_an_unverified_email_is_neither_stored_nor_used_to_link() -> None:
    claims = {"sub": "x", "email": "Boss@Example.org", "email_verified": False, "given_name": "Ada", "family_name": "B"}
    identity = identity_from_claims(claims, role_claim="groups", role_map={})
    assert identity == Identity(subject="x", email=None, name="Ada B", role=None)


def test_claims_without_a_role_keep_an_existing_users_role_when_there_is_a_default(
    services: Services, participants: Participants
) -> None:
    person = participants.add("Mo Mentor", "mentor")
    identity = Identity(subject="sub-1", email="mo@example.org", name="Mo", role=None)
    with transaction(services.db_factory) as db:
        db.get(User, int(person["id"])).email = "mo@example.org"  # type: ignore[union-attr]
    with transaction(services.db_factory) as db:
        assert signed_in_user(db, identity, default_role="mentee").role == "mentor"
    with transaction(services.db_factory) as db, pytest.raises(SignInRefusedError) as refused:
        signed_in_user(db, identity, default_role="")
    assert refused.value.status_code == 403


def test_the_roles_single_sign_on_may_give_are_the_models_roles() -> None:
    assert set(get_args(OidcRole)) == set(ROLES)


def test_single_sign_on_needs_a_client_id_and_in_production_its_own_secret() -> None:
    with pytest.raises(ValueError, match="OIDC_CLIENT_ID"):
        Settings(_env_file=None, oidc_issuer="https://id.example")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="OIDC_SESSION_SECRET"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="production",
            theme_hmac_secret="set",
            oidc_issuer="https://id.example",
            oidc_client_id="tandem",
        )
