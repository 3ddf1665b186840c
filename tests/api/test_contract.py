"""The API keeps its OpenAPI contract: Schemathesis fuzzes every operation as three personas."""

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

from tests.conftest import ALPHA_HOST

CONFIG = schemathesis.Config.from_str(
    """
[generation]
max-examples = 8
no-shrink = true
[phases.coverage]
enabled = true
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
negative_data_rejection.enabled = true
positive_data_acceptance.enabled = true
"""
)

schema = schemathesis.openapi.from_dict(
    SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True), config=CONFIG
)
schema.app = WSGIHandler()


@pytest.fixture(autouse=True)
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection open across requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["alice", "bob", "carol"])
def token(request: pytest.FixtureRequest, world: Any) -> str:
    return Token.objects.create(user=getattr(world, request.param)).key


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_keeps_its_contract(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(base_url=f"http://{ALPHA_HOST}", headers={"Authorization": f"Token {token}"})
