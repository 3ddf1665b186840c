"""The API keeps its OpenAPI contract: Schemathesis fuzzes every operation as three personas.

The schema is the one the API serves (drf-spectacular with ``config.api_schema``); the
requests go through Django's WSGI application on the syndicate's address, inside the
test's transaction (rolled back at its end: generated writes never reach other tests).
Personas: alice (member administrator, every phase including the coverage phase's
negative and boundary cases), bob (restricted member user) and carol (the read-only
coordinator), with fewer examples. Bounded: about two minutes in all on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import ALPHA_HOST

CHECKS = """
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
negative_data_rejection.enabled = true
positive_data_acceptance.enabled = true

# A consumption period is one year at most: a rule between two documented dates that a
# schema cannot say, so schema-valid dates far apart are rightly refused (400, documented).
[[operations]]
include-path-regex = "^/api/v1/consumption/.*/(energy|load-curve)/$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]

# Writes whose acceptance depends on the data already there, which no schema can say:
# a billing perimeter's name is unique per member; a journey starts only with an open
# campaign and is validated only when complete; a new site goes into one of the
# campaign's lots, a bulk update onto the member's own sites. The service's refusal is
# a documented 400; negative data is still checked on them, and syntax by the schema.
[[operations]]
include-path-regex = "^/api/v1/(billing-perimeters/|journey/(start|validate|sites)/)"
include-method = ["POST", "PUT", "PATCH"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]
"""

FULL = schemathesis.Config.from_str(
    CHECKS
    + """
[generation]
max-examples = 6
no-shrink = true
[phases.coverage]
enabled = true
"""
)
LIGHT = schemathesis.Config.from_str(
    CHECKS
    + """
[generation]
max-examples = 4
no-shrink = true
[phases.coverage]
enabled = false
"""
)


def _schema(config: schemathesis.Config) -> Any:
    raw = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = WSGIHandler()
    return schema


administrator_schema = _schema(FULL)
other_personas_schema = _schema(LIGHT)


@pytest.fixture(autouse=True)
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection (and its transaction) across requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call(case: schemathesis.Case, user: Any) -> None:
    token = Token.objects.get_or_create(user=user)[0].key
    excluded = []
    if user.is_coordinator and case.path.startswith("/api/v1/journey/"):
        # ``member`` is optional in the schema (member users read their own journey) and
        # required of the coordinator, who reads any member's: the 400 asking for it is right.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(
        base_url=f"http://{ALPHA_HOST}", headers={"Authorization": f"Token {token}"}, excluded_checks=excluded
    )


@administrator_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_member_administrator_gets_what_the_schema_says(case: schemathesis.Case, world: Any) -> None:
    _call(case, world.alice)


@other_personas_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.parametrize("persona", ["bob", "carol"])
def test_restricted_user_and_coordinator_get_what_the_schema_says(
    case: schemathesis.Case, world: Any, persona: str
) -> None:
    _call(case, getattr(world, persona))
