from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TenantClient, logged_in


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def alice_client(world: Any) -> TenantClient:
    return logged_in(world.alice)


@pytest.fixture
def bob_client(world: Any) -> TenantClient:
    return logged_in(world.bob)


@pytest.fixture
def carol_client(world: Any) -> TenantClient:
    return logged_in(world.carol)
