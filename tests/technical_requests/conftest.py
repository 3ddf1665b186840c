from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from perimeter.choices import SiteStatus

# A Monday without a public holiday near it: the tests pass their own "today".
TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def active_site(world: Any) -> Any:
    """Member A's site, supplied (most types need it)."""
    world.site_a.status = SiteStatus.ACTIVE
    world.site_a.save(update_fields=["status"])
    return world.site_a
