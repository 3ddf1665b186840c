"""Clients of the Facturation tests (the personas of tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TenantClient, logged_in


@pytest.fixture
def alice_client(world: Any) -> TenantClient:
    return logged_in(world.alice)


@pytest.fixture
def bob_client(world: Any) -> TenantClient:
    return logged_in(world.bob)


@pytest.fixture
def charlie_client(world: Any) -> TenantClient:
    return logged_in(world.charlie)


@pytest.fixture
def carol_client(world: Any) -> TenantClient:
    return logged_in(world.carol)
