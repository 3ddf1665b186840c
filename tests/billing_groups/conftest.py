from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def lock_journey(member: Any) -> None:
    """Validate the member's journey for real: an open campaign on its lot and a validated journey."""
    from datacollection.models import Journey
    from datacollection.services import campaign_create
    from tests.factories import LotFactory

    today = timezone.localdate()
    campaign = campaign_create(
        lot=LotFactory(number=1),
        name="Collecte 2025",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=10),
        switch_date=today + dt.timedelta(days=60),
    )
    member.lots.add(campaign.lot)
    Journey.objects.create(campaign=campaign, member=member, validated_at=timezone.now())
