"""Fixtures of the journey tests: an open campaign on lot 1 and helpers to complete each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from perimeter.choices import ContactRole, SiteStatus
from perimeter.models import Contact, Member, Site
from tests.factories import LotFactory, SiteFactory


@pytest.fixture
def campaign(world: Any) -> Any:
    from datacollection.services import campaign_create

    today = timezone.localdate()
    return campaign_create(
        lot=LotFactory(number=1),
        name="Collecte lot 1",
        opens_on=today - dt.timedelta(days=7),
        closes_on=today + dt.timedelta(days=10),
        switch_date=dt.date(today.year + 1, 3, 1),
        welcome_text="Bienvenue dans votre parcours.",
    )


def complete_general_data(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(address_line="1 place de la Mairie", postcode="14000", city="Caen")
    member.refresh_from_db()
    for role in (ContactRole.ADMINISTRATIVE, ContactRole.BILLING, ContactRole.TECHNICAL):
        Contact.objects.create(
            member=member, role=role, last_name=f"Martin {role}", email=f"{role}@a.test", phone="0231000000"
        )


def add_sites(member: Member, count: int, **extra: Any) -> list[Site]:
    defaults = {"address_line": "2 rue du Port", "postcode": "14000", "city": "Caen"}
    return [SiteFactory(member=member, lot=LotFactory(number=1), **{**defaults, **extra}) for _ in range(count)]


def confirm_all(member: Member) -> None:
    Site.objects.filter(member=member).update(
        status=SiteStatus.SWITCH_CONFIRMED, address_line="2 rue du Port", postcode="14000", city="Caen"
    )


def attach_all(member: Member) -> None:
    from billing_groups.models import BillingPerimeter, BillingPerimeterSite

    perimeter = BillingPerimeter.objects.create(member=member, name="Périmètre de facture N° 01", segment="C5")
    BillingPerimeterSite.objects.bulk_create(
        [
            BillingPerimeterSite(perimeter=perimeter, site=site)
            for site in Site.objects.filter(member=member, status=SiteStatus.SWITCH_CONFIRMED)
        ]
    )


def complete_journey(member: Member) -> None:
    complete_general_data(member)
    confirm_all(member)
    attach_all(member)
