"""Fixtures of the API tests: logged-in clients per persona, query capture without search_path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

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
