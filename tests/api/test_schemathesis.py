"""Property-based tests from the OpenAPI schema: every operation, as every role, never a 5xx and never a
response that contradicts the schema."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from assistant.app import create_app
from assistant.config import Settings
from assistant.services import Services
from tests.conftest import Participants

ROLES = ("mentee", "mentor", "hr", "admin")
TOKENS: dict[str, str] = {}
APP = create_app(Settings(_env_file=None, data_dir=Path(tempfile.mkdtemp(prefix="tandem-schema-"))))  # type: ignore[call-arg]
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def wired_app(settings: Settings, services: Services) -> Iterator[None]:
    """The module's app, given this test's services (its lifespan never runs here)."""
    services.settings.rate_limit_per_minute = 0
    APP.state.services = services
    APP.state.rate_limiter = None
    people = Participants(services)
    for role in ROLES:
        TOKENS[role] = people.add(f"Schema {role}", role)["token"]
    yield


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    for role in ROLES:
        response = case.call(headers={"Authorization": f"Bearer {TOKENS[role]}"})
        case.validate_response(
            response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
        )
