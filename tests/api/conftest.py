"""Fixtures of the API tests: logged-in clients per persona, query capture without search_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

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
def assert_num_queries() -> Callable[[int], Any]:
    """Like pytest-django's ``django_assert_num_queries``, without django-tenants' ``SET search_path``.

    django-tenants runs ``SET search_path`` before every statement, and the plain fixture
    counts them: the count would double and hide what the endpoint itself does. On
    failure the remaining SQL is printed.
    """

    @contextmanager
    def expect(count: int) -> Iterator[list[str]]:
        statements: list[str] = []
        with CaptureQueriesContext(db_connection) as context:
            yield statements
        statements[:] = [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path")]
        assert len(statements) == count, f"{len(statements)} queries, expected {count}:\n" + "\n".join(
            sql[:200] for sql in statements
        )

    return expect
