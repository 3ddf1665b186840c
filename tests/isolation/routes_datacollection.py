"""Matrix entries of the data-collection journey pages (datacollection app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped

_MEMBERS = {"member_a": "member_a", "member_b": "member_b", "beta": "member_beta"}
# Ids are per schema: beta's objects get ids alpha never reaches, so that a 404 on them
# proves scoping by schema, not a lucky miss.
_BETA_SITE_PK = 900_000_011
_BETA_CONTACT_PK = 900_000_012


def _campaign() -> Any:
    """An open campaign on lot 1 in the current schema (the builders run on the target's schema)."""
    from django.utils import timezone

    from datacollection.models import Campaign
    from tests.factories import LotFactory

    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        lot=LotFactory(number=1),
        defaults={
            "name": "Collecte matrice",
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=5),
            "switch_date": dt.date(today.year + 1, 1, 1),
        },
    )
    return campaign


def _site(world: Any, target: str) -> dict[str, Any]:
    _campaign()
    if target == "beta":
        from perimeter.models import Site
        from tests.factories import SiteFactory

        site = Site.objects.filter(pk=_BETA_SITE_PK).first() or SiteFactory(
            pk=_BETA_SITE_PK, member=world.member_beta, delivery_point="39999999999999"
        )
        return {"pk": site.pk}
    return {"pk": getattr(world, f"site_{target[-1]}").pk}


def _contact(world: Any, target: str) -> dict[str, Any]:
    from perimeter.models import Contact

    member = getattr(world, _MEMBERS[target])
    extra = {"pk": _BETA_CONTACT_PK} if target == "beta" else {}
    contact, _ = Contact.objects.get_or_create(
        member=member, last_name=f"Interlocuteur {target}", defaults={"role": "technical", **extra}
    )
    return {"pk": contact.pk}


def _status(world: Any, target: str) -> dict[str, Any]:
    return {"status": "switch_confirmed"}


def _with_campaign(world: Any, target: str) -> dict[str, Any]:
    _campaign()
    return {}


def _leak(world: Any) -> list[str]:
    return [world.member_b.legal_name, world.member_beta.legal_name, world.site_b.site_name]


def collection_page(*, write: bool = False) -> Any:
    """A journey page without an object: every member user with Collecte; coordinators read."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return 302
        if persona == "bob" or (persona == "carol" and write):
            return 403
        return {200, 302} if write else 200

    return expect


READ = member_scoped(Module.COLLECTION)
WRITE = member_scoped(Module.COLLECTION, write=True)

ROUTES = [
    Route("datacollection:journey", collection_page(), data=_with_campaign, leak=_leak),
    Route("datacollection:start", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:validate", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:general", collection_page(), leak=_leak),
    Route("datacollection:general", collection_page(write=True), method="post"),
    Route("datacollection:contact_create", collection_page(write=True)),
    Route("datacollection:contact_create", collection_page(write=True), method="post"),
    Route("datacollection:contact_edit", READ, kwargs=_contact),
    Route("datacollection:contact_edit", WRITE, kwargs=_contact, method="post"),
    Route("datacollection:contact_delete", WRITE, kwargs=_contact, method="post"),
    Route("datacollection:sites", collection_page(), data=_with_campaign, leak=_leak),
    Route("datacollection:site_add", collection_page(write=True), data=_with_campaign),
    Route("datacollection:site_add", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:sites_bulk", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:site_edit", READ, kwargs=_site),
    Route("datacollection:site_edit", WRITE, kwargs=_site, method="post"),
    Route("datacollection:site_status", WRITE, kwargs=_site, method="post", data=_status),
]
