"""Matrix entries of the data-collection journey pages (datacollection app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped

_MEMBERS = {"member_a": "member_a", "member_b": "member_b", "beta": "member_beta"}
_BETA_DELIVERY_POINT = "39999999999999"


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
            "switch_date": dt.date(today.year + 1, 3, 1),
        },
    )
    return campaign


def _site(world: Any, target: str) -> dict[str, Any]:
    _campaign()
    if target == "beta":
        from perimeter.models import Site
        from tests.factories import SiteFactory

        site = Site.objects.filter(delivery_point=_BETA_DELIVERY_POINT).first() or SiteFactory(
            member=world.member_beta, delivery_point=_BETA_DELIVERY_POINT
        )
        return {"pk": site.pk}
    return {"pk": getattr(world, f"site_{target[-1]}").pk}


def _contact(world: Any, target: str) -> dict[str, Any]:
    from perimeter.models import Contact

    member = getattr(world, _MEMBERS[target])
    contact, _ = Contact.objects.get_or_create(
        member=member, last_name=f"Interlocuteur {target}", defaults={"role": "technical"}
    )
    return {"pk": contact.pk}


def _status(world: Any, target: str) -> dict[str, Any]:
    return {"status": "switch_confirmed"}


def _with_campaign(world: Any, target: str) -> dict[str, Any]:
    _campaign()
    return {}


def _bulk_filtered_page(world: Any, target: str) -> dict[str, Any]:
    """ "Tous les sites correspondant au filtre": each user reaches its own member's sites only."""
    _campaign()
    return {
        "action": "fields",
        "fields_scope": "filtered",
        "filtres": "status=to_confirm",
        "status": "switch_confirmed",
    }


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
    Route("datacollection:journey", collection_page(), data=_with_campaign),
    Route("datacollection:start", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:validate", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:general", collection_page()),
    Route("datacollection:general", collection_page(write=True), method="post"),
    Route("datacollection:contact_create", collection_page(write=True)),
    Route("datacollection:contact_create", collection_page(write=True), method="post"),
    Route("datacollection:contact_edit", READ, kwargs=_contact),
    Route("datacollection:contact_edit", WRITE, kwargs=_contact, method="post"),
    Route("datacollection:contact_delete", WRITE, kwargs=_contact, method="post"),
    Route("datacollection:sites", collection_page(), data=_with_campaign),
    Route("datacollection:site_add", collection_page(write=True), data=_with_campaign),
    Route("datacollection:site_add", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:sites_bulk", collection_page(write=True), method="post", data=_with_campaign),
    Route("datacollection:sites_bulk", collection_page(write=True), method="post", data=_bulk_filtered_page),
    Route("datacollection:site_edit", READ, kwargs=_site),
    Route("datacollection:site_edit", WRITE, kwargs=_site, method="post"),
    Route("datacollection:site_status", WRITE, kwargs=_site, method="post", data=_status),
]


def journey_api(*, ok: int | set[int] = 200, coordinator: int | set[int] = 403) -> Any:
    """The journey API without an object: member users with Collecte; a coordinator reads with ?member."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return {401, 403}
        if persona == "bob":
            return 403
        if persona == "carol":
            return coordinator
        return ok

    return expect


def _bulk(world: Any, target: str) -> dict[str, Any]:
    _campaign()
    return {"sites": [world.site_a.pk], "status": "switch_confirmed"}


def _bulk_filtered(world: Any, target: str) -> dict[str, Any]:
    _campaign()
    return {"filter": {"status": "to_confirm"}, "status": "switch_confirmed"}


def _rename(world: Any, target: str) -> dict[str, Any]:
    return {"site_name": "Mairie (renommée)"}


ROUTES += [
    # A coordinator must say which member it reads: 400 without ?member.
    Route("api:journey", journey_api(coordinator=400), api=True, data=_with_campaign),
    Route("api:journey-start", journey_api(), api=True, method="post", data=_with_campaign),
    # Not complete yet: refused with the list of what is missing.
    Route("api:journey-validate", journey_api(ok=400), api=True, method="post", data=_with_campaign),
    # charlie names a site of member A: not his, nothing selected.
    Route(
        "api:journey-sites-bulk",
        lambda p, t: 400 if p == "charlie" else journey_api()(p, t),
        api=True,
        method="post",
        data=_bulk,
    ),
    # By filter, charlie reaches his own member's sites (member B's site to confirm).
    Route("api:journey-sites-bulk", journey_api(), api=True, method="post", data=_bulk_filtered),
    Route(
        "api:journey-site",
        member_scoped(Module.COLLECTION, write=True, api=True),
        api=True,
        method="patch",
        kwargs=_site,
        data=_rename,
    ),
]


def _general_data(world: Any, target: str) -> dict[str, Any]:
    return {"city": "Caen"}


def _contact_change(world: Any, target: str) -> dict[str, Any]:
    return {"job_title": "Directeur général des services"}


def _new_contact(world: Any, target: str) -> dict[str, Any]:
    return {"role": "billing", "last_name": "Durand", "phone": "0231000000", "email": "durand@a.test"}


_new_sites = iter(range(1, 1_000))


def _new_site(world: Any, target: str) -> dict[str, Any]:
    # Each persona that gets through creates a site: a fresh delivery point every time.
    lot = _campaign().lot
    lot.members.add(world.member_a, world.member_b)
    return {
        "lot": lot.pk,
        "fluid": "elec",
        "delivery_point": f"{31_000_000_000_000 + next(_new_sites)}",
        "site_name": "Nouveau vestiaire",
        "segment": "C5",
        "distributor": "ENEDIS",
        "tariff_formula": "BTINFCUST",
        "tariff_option": "BASE",
        "subscribed_power_kva": "9",
        "address_line": "3 rue du Stade",
        "postcode": "14000",
        "city": "Caen",
    }


API_WRITE = member_scoped(Module.COLLECTION, write=True, api=True)

ROUTES += [
    Route("api:journey-general-data", journey_api(coordinator=400), api=True),
    Route("api:journey-general-data", journey_api(), api=True, method="patch", data=_general_data),
    Route("api:journey-contacts", journey_api(coordinator=400), api=True),
    Route("api:journey-contacts", journey_api(ok=201), api=True, method="post", data=_new_contact),
    Route("api:journey-contact", API_WRITE, api=True, method="patch", kwargs=_contact, data=_contact_change),
    Route("api:journey-contact", API_WRITE, api=True, method="delete", kwargs=_contact),
    Route("api:journey-sites", journey_api(ok=201), api=True, method="post", data=_new_site),
]
