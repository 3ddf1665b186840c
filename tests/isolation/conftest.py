"""The matrix's world: foreign ids far from every sequence; files in a temporary media folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tenants.db import connection
from tests.conftest import World, world_build

# Member A's objects take alpha's sequence ids (small); member B's are pinned at 5,000,000
# and beta's at 9,000,000, and beta's sequences restart above 9,100,000 so that what the
# route builders create in beta is far too (route modules need no pins of their own): an
# id of beta never exists in alpha by chance (each schema has its own sequences).
MATRIX_PKS = {
    "member_b": 5_000_001,
    "site_b": 5_000_002,
    "charlie": 5_000_003,
    "member_beta": 9_000_001,
    "site_beta": 9_000_002,
    "dave": 9_000_003,
}
BETA_SEQUENCES_FROM = 9_100_000
ALPHA_SEQUENCES_BELOW = 5_000_000


def _sequences_of(schema: str) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || sequencename, COALESCE(last_value, 0) FROM pg_sequences WHERE schemaname = %s",
            [schema],
        )
        return list(cursor.fetchall())


@pytest.fixture
def world(alpha: Any, beta_tenant: Any) -> World:
    # setval is not rolled back with the test's transaction: later tests of the run simply get
    # beta ids above 9,100,000, which nothing relies on.
    with connection.cursor() as cursor:
        for sequence, last_value in _sequences_of(beta_tenant.schema_name):
            if last_value < BETA_SEQUENCES_FROM:
                cursor.execute("SELECT setval(%s, %s)", [sequence, BETA_SEQUENCES_FROM])
    world = world_build(alpha, beta_tenant, pks=MATRIX_PKS)
    high = [name for name, value in _sequences_of(alpha.schema_name) if value >= ALPHA_SEQUENCES_BELOW]
    assert not high, f"alpha's sequences reach the pinned foreign ids: {high}"
    return world


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
