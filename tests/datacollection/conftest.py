"""Fixtures of the journey tests: an open campaign on lot 1 and helpers to complete each step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


def many_sites(member: Member, count: int, *, name: str, lot: Any = None, **extra: Any) -> list[Site]:
    """``count`` sites of a member in one INSERT, named "<name> 001"…: the largest member has hundreds."""
    from tests.factories import SiteFactory

    lot = lot or LotFactory(number=1)
    defaults = {"address_line": "2 rue du Port", "postcode": "14000", "city": "Caen"}
    return Site.objects.bulk_create(
        [
            SiteFactory.build(member=member, lot=lot, site_name=f"{name} {i:03d}", **{**defaults, **extra})
            for i in range(1, count + 1)
        ]
    )


# The largest member's filter of step 2: its gymnasiums still to confirm.
GYMNASIUMS_TO_CONFIRM = {"q": "Gymnase", "status": SiteStatus.TO_CONFIRM}


@dataclass
class LargestMember:
    """Member A grown to 510 journey sites (Ville de Caen's size), and sites no filter of A may reach."""

    matching: set[int]  # the 150 gymnasiums to confirm: what GYMNASIUMS_TO_CONFIRM selects
    others: set[int]  # every other site of the schema (A's other 360, A's outside the campaign, B's)

    def snapshot(self) -> dict[int, tuple[Any, ...]]:
        """What a bulk action may change, for every site of the schema."""
        rows = Site.objects.values_list("pk", "status", "distributor_state", "contact_id", "updated_at")
        return {pk: tuple(values) for pk, *values in rows}


@pytest.fixture
def largest_member(world: Any, campaign: Any) -> LargestMember:
    member_a, member_b = world.member_a, world.member_b
    matching = many_sites(member_a, 150, name="Gymnase")
    others = [
        world.site_a,
        *many_sites(member_a, 339, name="Mairie annexe"),
        *many_sites(member_a, 20, name="Gymnase confirmé", status=SiteStatus.SWITCH_CONFIRMED),
        # The same names elsewhere: a lot without a campaign, another member.
        *many_sites(member_a, 2, name="Gymnase hors campagne", lot=LotFactory(number=2)),
        *many_sites(member_b, 3, name="Gymnase de B"),
        world.site_b,
    ]
    assert Site.objects.filter(member=member_a, lot__number=1).count() == 510
    return LargestMember(matching={s.pk for s in matching}, others={s.pk for s in others})
