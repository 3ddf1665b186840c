"""Demo data: the open campaigns of the demo syndicate, created through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from datacollection.models import Campaign
from datacollection.services import campaign_create
from perimeter.extensions import DemoRun
from perimeter.models import Lot
from tenants.models import Syndicate

DEMO_LOTS = (1, 3)
WELCOME_TEXT = (
    "Bienvenue dans la collecte des données contractuelles. Vérifiez et complétez vos données générales, "
    "confirmez chacun de vos sites, puis regroupez-les en périmètres de facturation avant la date limite."
)


def _first_of_next_month(day: dt.date) -> dt.date:
    """The switch date: all sites switch on the first of the month after the collection closes."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def demo_campaigns(syndicate: Syndicate, run: DemoRun) -> str | None:
    """``seed_demo``'s generator (registered by ``DatacollectionConfig.ready``): the open campaigns."""
    campaigns = create_demo_campaigns(syndicate)
    return f"campagnes de collecte ouvertes : {', '.join(c.name for c in campaigns)}" if campaigns else None


def create_demo_campaigns(syndicate: Any) -> list[Campaign]:
    """Open campaigns for lots 1 and 3: opened a week ago, closing in ten days, switch the month after."""
    today = timezone.localdate()
    campaigns = []
    with schema_context(syndicate.schema_name):
        for lot in Lot.objects.filter(number__in=DEMO_LOTS):
            existing = Campaign.objects.filter(lot=lot).first()
            if existing is not None:
                campaigns.append(existing)
                continue
            campaigns.append(
                campaign_create(
                    lot=lot,
                    name=f"Collecte des données contractuelles — lot {lot.number}",
                    opens_on=today - dt.timedelta(days=7),
                    closes_on=today + dt.timedelta(days=10),
                    switch_date=_first_of_next_month(today + dt.timedelta(days=10)),
                    welcome_text=WELCOME_TEXT,
                )
            )
    return campaigns
