"""Fixtures of the back-office tests: an open campaign on lot 1 and an account manager's client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from perimeter.models import Site
from tenants.db import connection
from tests.conftest import TenantClient
from tests.factories import LotFactory


@pytest.fixture
def campaign(world: Any) -> Any:
    from datacollection.services import campaign_create

    today = timezone.localdate()
    lot = LotFactory(number=1)
    Site.objects.filter(pk__in=[world.site_a.pk, world.site_b.pk]).update(lot=lot)
    return campaign_create(
        lot=lot,
        name="Collecte lot 1",
        opens_on=today - dt.timedelta(days=7),
        closes_on=today + dt.timedelta(days=10),
        switch_date=dt.date(today.year + 1, 3, 1),
    )


@pytest.fixture
def staff(world: Any, public_client: TenantClient) -> TenantClient:
    connection.set_schema_to_public()
    public_client.force_login(world.mallory)
    connection.set_tenant(world.alpha)
    return public_client
