"""Fixtures of the API tests: logged-in clients per persona, query capture without search_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from tenants.db import connection
from tests.conftest import ALPHA_HOST, BETA_HOST, TenantClient


@pytest.fixture
def api_client(world: Any) -> Callable[[str], TenantClient]:
    """A session client of a persona on its syndicate's address (``api_client("alice")``)."""

    def make(persona: str) -> TenantClient:
        user = getattr(world, persona)
        tenant = world.beta if persona == "dave" else world.alpha
        client = TenantClient(BETA_HOST if persona == "dave" else ALPHA_HOST)
        connection.set_tenant(tenant)
        client.force_login(user)
        connection.set_tenant(world.alpha)
        return client

    return make


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection (and its transaction) across requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
