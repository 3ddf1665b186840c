"""Fixtures of the back-office tests: an open campaign on lot 1, members in three states, a manager's client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from datacollection.models import Journey
from perimeter.models import Site
from tenants.db import connection
from tests.conftest import TenantClient
from tests.datacollection.conftest import add_sites, complete_general_data, complete_journey
from tests.factories import LotFactory, MemberFactory


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


@pytest.fixture
def three_members(world: Any, campaign: Any) -> dict[str, Any]:
    """member_a not started; member_b in progress (general data done); member_c validated."""
    member_c = MemberFactory(legal_name="Zeta Syndicat des eaux")
    add_sites(member_c, 2)
    complete_journey(member_c)
    now = timezone.now()
    Journey.objects.create(campaign=campaign, member=member_c, started_at=now, validated_at=now)
    complete_general_data(world.member_b)
    Journey.objects.create(campaign=campaign, member=world.member_b, started_at=now)
    return {"not_started": world.member_a, "in_progress": world.member_b, "validated": member_c}
