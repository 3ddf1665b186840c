"""The journey API: the same journey as the pages, member-scoped, refused once validated."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from datacollection import services
from datacollection.filtersets import JourneySiteFilterSet
from perimeter.choices import SiteStatus
from perimeter.models import Contact, Member, Site
from tests.conftest import TenantClient, logged_in
from tests.datacollection.conftest import (
    GYMNASIUMS_TO_CONFIRM,
    LargestMember,
    add_sites,
    attach_all,
    complete_general_data,
    complete_journey,
)


@pytest.fixture
def alice_api(world: Any) -> TenantClient:
    return logged_in(world.alice)


def _patch(client: TenantClient, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type="application/json")


def _post(client: TenantClient, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def test_journey_state_follows_the_data(world: Any, campaign: Any, alice_api: TenantClient) -> None:
    state = alice_api.get(reverse("api:journey")).json()
    assert state["has_campaign"]
    assert not state["started"]
    assert not state["complete"]
    assert state["deadline"] == campaign.closes_on.isoformat()
    assert [step["number"] for step in state["steps"]] == [1, 2, 3]
    assert any(f"/collecte/sites/{world.site_a.pk}/" in item["url"] for item in state["missing"])

    started = _post(alice_api, reverse("api:journey-start")).json()
    assert started["started"] is True

    complete_journey(world.member_a)
    state = alice_api.get(reverse("api:journey")).json()
    assert state["complete"] is True
    assert state["percent"] == 100
    assert state["missing"] == []


def test_validation_refused_while_incomplete_then_locks_everything(
    world: Any, campaign: Any, alice_api: TenantClient, django_capture_on_commit_callbacks: Any
) -> None:
    refused = _post(alice_api, reverse("api:journey-validate"))
    assert refused.status_code == 400
    assert "pas complet" in refused.json()["non_field_errors"][0]

    complete_journey(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        validated = _post(alice_api, reverse("api:journey-validate"))
    assert validated.status_code == 200, validated.json()
    assert validated.json()["validated"] is True
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments
    assert AuditEvent.objects.filter(action="journey.validated").exists()

    # Every write of the journey is now refused with the message, nothing changes.
    site_url = reverse("api:journey-site", kwargs={"pk": world.site_a.pk})
    writes = [
        _patch(alice_api, site_url, {"site_name": "Changé"}),
        _patch(alice_api, reverse("api:journey-general-data"), {"city": "Bayeux"}),
        _post(
            alice_api,
            reverse("api:journey-contacts"),
            {"role": "billing", "last_name": "X", "phone": "1", "email": "x@a.test"},
        ),
        _post(alice_api, reverse("api:journey-sites-bulk"), {"sites": [world.site_a.pk], "status": "not_mine"}),
        _post(alice_api, reverse("api:journey-validate")),
    ]
    for response in writes:
        assert response.status_code == 403
        assert "plus modifiable sans un appel ou un mail" in response.json()["detail"]
    world.site_a.refresh_from_db()
    world.member_a.refresh_from_db()
    assert world.site_a.site_name != "Changé"
    assert world.member_a.city != "Bayeux"


def test_site_update_status_and_field_errors(world: Any, campaign: Any, alice_api: TenantClient) -> None:
    url = reverse("api:journey-site", kwargs={"pk": world.site_a.pk})
    done = _patch(alice_api, url, {"status": "switch_confirmed", "site_name": "Mairie", "internal_reference": "BAT-01"})
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == SiteStatus.SWITCH_CONFIRMED
    site = Site.objects.get(pk=world.site_a.pk)
    assert (site.site_name, site.internal_reference) == ("Mairie", "BAT-01")
    assert site.status_history.filter(to_status=SiteStatus.SWITCH_CONFIRMED).exists()

    bad_point = _patch(alice_api, url, {"delivery_point": "1234"})
    assert bad_point.status_code == 400
    assert "14 chiffres" in " ".join(bad_point.json()["delivery_point"])
    status_of_supplier = _patch(alice_api, url, {"status": "terminated"})
    assert status_of_supplier.status_code == 400
    foreign_contact = Contact.objects.create(member=world.member_b, role="technical", last_name="B")
    refused = _patch(alice_api, url, {"contact": foreign_contact.pk})
    assert refused.status_code == 400
    assert "contact" in refused.json()
    assert _patch(alice_api, reverse("api:journey-site", kwargs={"pk": world.site_b.pk}), {}).status_code == 404


def test_bulk_update_of_300_sites_in_one_request(world: Any, campaign: Any, alice_api: TenantClient) -> None:
    sites = add_sites(world.member_a, 300)
    contact = Contact.objects.create(member=world.member_a, role="technical", last_name="Leroy")
    ids = [site.pk for site in sites] + [world.site_b.pk]  # member B's site is ignored, not touched
    response = _post(
        alice_api,
        reverse("api:journey-sites-bulk"),
        {"sites": ids, "status": "switch_confirmed", "distributor_state": "in_service", "contact": contact.pk},
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"updated": 300}
    confirmed = Site.objects.filter(member=world.member_a, status=SiteStatus.SWITCH_CONFIRMED, contact=contact)
    assert confirmed.count() == 300
    world.site_b.refresh_from_db()
    assert world.site_b.status != SiteStatus.SWITCH_CONFIRMED
    nothing = _post(alice_api, reverse("api:journey-sites-bulk"), {"sites": [world.site_b.pk], "status": "not_mine"})
    assert nothing.status_code == 400


def test_general_data_and_contacts(world: Any, campaign: Any, alice_api: TenantClient) -> None:
    url = reverse("api:journey-general-data")
    assert alice_api.get(url).json()["legal_name"] == world.member_a.legal_name
    bad = _patch(alice_api, url, {"siret": "12345678901234"})
    assert bad.status_code == 400
    assert "siret" in bad.json()
    changed = _patch(alice_api, url, {"chorus_service_code": "FINANCES", "address_line": "Esplanade"})
    assert changed.status_code == 200, changed.json()
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.chorus_service_code, member.address_line) == ("FINANCES", "Esplanade")

    contacts = reverse("api:journey-contacts")
    missing_phone = _post(alice_api, contacts, {"role": "billing", "last_name": "Durand", "email": "d@a.test"})
    assert missing_phone.status_code == 400
    assert "phone" in missing_phone.json()
    created = _post(
        alice_api, contacts, {"role": "billing", "last_name": "Durand", "phone": "0231000000", "email": "d@a.test"}
    )
    assert created.status_code == 201, created.json()
    contact_url = reverse("api:journey-contact", kwargs={"pk": created.json()["id"]})
    assert _patch(alice_api, contact_url, {"job_title": "Comptable"}).json()["job_title"] == "Comptable"
    assert [c["last_name"] for c in alice_api.get(contacts).json()] == ["Durand"]
    assert alice_api.delete(contact_url).status_code == 204
    assert not Contact.objects.filter(member=world.member_a).exists()


def test_new_site_goes_to_the_campaign_lot_and_waits_for_its_status(
    world: Any, campaign: Any, alice_api: TenantClient
) -> None:
    world.member_a.lots.add(campaign.lot)
    payload = {
        "lot": campaign.lot_id,
        "fluid": "elec",
        "delivery_point": "31234567890123",
        "site_name": "Vestiaires du stade",
        "segment": "C5",
        "distributor": "ENEDIS",
        "tariff_formula": "BTINFCUST",
        "tariff_option": "BASE",
        "subscribed_power_kva": "9",
        "address_line": "3 rue du Stade",
        "postcode": "14000",
        "city": "Caen",
    }
    created = _post(alice_api, reverse("api:journey-sites"), payload)
    assert created.status_code == 201, created.json()
    site = Site.objects.get(pk=created.json()["id"])
    assert (site.member_id, site.status) == (world.member_a.pk, SiteStatus.TO_CONFIRM)
    again = _post(alice_api, reverse("api:journey-sites"), payload)
    assert again.status_code == 400
    assert "delivery_point" in again.json()
    no_lot = _post(
        alice_api, reverse("api:journey-sites"), {**payload, "lot": 999_999, "delivery_point": "31234567890124"}
    )
    assert no_lot.status_code == 400
    assert "lot" in no_lot.json()


def test_coordinator_reads_any_member_and_never_writes(world: Any, campaign: Any) -> None:
    carol = logged_in(world.carol)
    assert carol.get(reverse("api:journey")).status_code == 400  # which member?
    state = carol.get(reverse("api:journey"), {"member": world.member_b.pk}).json()
    assert state["member_name"] == world.member_b.legal_name
    url = reverse("api:journey-site", kwargs={"pk": world.site_b.pk})
    assert _patch(carol, url, {"site_name": "Non"}).status_code == 403
    assert _post(carol, reverse("api:journey-start") + f"?member={world.member_b.pk}").status_code == 403


def test_bob_without_collecte_is_refused(world: Any, campaign: Any) -> None:
    assert logged_in(world.bob).get(reverse("api:journey")).status_code == 403


def test_journey_endpoints_in_the_schema(alice_api: TenantClient) -> None:
    schema = alice_api.get(reverse("api:schema"), {"format": "json"}).json()
    for path in (
        "/api/v1/journey/",
        "/api/v1/journey/start/",
        "/api/v1/journey/validate/",
        "/api/v1/journey/general-data/",
        "/api/v1/journey/contacts/",
        "/api/v1/journey/contacts/{id}/",
        "/api/v1/journey/sites/",
        "/api/v1/journey/sites/bulk-update/",
        "/api/v1/journey/sites/{id}/",
    ):
        assert path in schema["paths"], path


def test_state_endpoint_in_bounded_queries(
    world: Any, campaign: Any, alice_api: TenantClient, max_queries: Any
) -> None:
    add_sites(world.member_a, 200)
    complete_general_data(world.member_a)
    attach_all(world.member_a)
    # Session, user, member, campaigns, journeys, then the progress aggregates: none per site.
    with max_queries(16):
        assert alice_api.get(reverse("api:journey")).status_code == 200


# --- Bulk update by filter ------------------------------------------------------------------

NEITHER = "Indiquez les sites concernés : « sites » (leurs identifiants) ou « filter » (les filtres du tableau)."
BOTH = "« sites » et « filter » s'excluent : donnez les identifiants des sites ou les filtres, pas les deux."


def _changed(before: dict[int, Any], after: dict[int, Any]) -> set[int]:
    return {pk for pk, values in after.items() if before[pk] != values}


def test_bulk_update_by_filter_reaches_every_matching_site(
    world: Any, largest_member: LargestMember, alice_api: TenantClient, max_queries: Any
) -> None:
    contact = Contact.objects.create(member=world.member_a, role="technical", last_name="Leroy")
    before = largest_member.snapshot()
    payload = {"filter": GYMNASIUMS_TO_CONFIRM, "status": "not_mine", "contact": contact.pk}
    # Queries: domain, session, user, member; the lock (view, then service); the contact;
    # campaigns, journeys; the 150 sites read and locked; one UPDATE of their contact and its
    # audit; their status change (read, one INSERT of the history, one UPDATE, audit); their
    # release from billing perimeters (one DELETE); the session; 8 savepoint statements. None per site.
    with max_queries(26):
        response = _post(alice_api, reverse("api:journey-sites-bulk"), payload)
    assert response.status_code == 200, response.json()
    assert response.json() == {"updated": 150}
    assert _changed(before, largest_member.snapshot()) == largest_member.matching
    assert Site.objects.filter(status=SiteStatus.NOT_MINE, contact=contact).count() == 150


def test_bulk_update_by_filter_takes_the_page_filter_names(
    world: Any, largest_member: LargestMember, alice_api: TenantClient
) -> None:
    # "À compléter seulement" is a boolean here: the 150 gymnasiums to confirm, and one confirmed without its city.
    incomplete = Site.objects.filter(site_name="Gymnase confirmé 001").get()
    Site.objects.filter(pk=incomplete.pk).update(city="")
    before = largest_member.snapshot()
    payload = {"filter": {"q": "Gymnase", "a_completer": True, "fluid": "elec"}, "distributor_state": "cut"}
    response = _post(alice_api, reverse("api:journey-sites-bulk"), payload)
    assert response.status_code == 200, response.json()
    assert _changed(before, largest_member.snapshot()) == {*largest_member.matching, incomplete.pk}


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"status": "not_mine"}, {"non_field_errors": [NEITHER]}),
        ({"sites": [1], "filter": {}, "status": "not_mine"}, {"non_field_errors": [BOTH]}),
        (
            {"filter": {"statut": "to_confirm"}, "status": "not_mine"},
            {"filter": ["Filtre inconnu : statut. Filtres possibles : q, status, fluid, segment, a_completer."]},
        ),
        ({"filter": {"a_completer": "1"}}, {"filter": {"a_completer": ["Un booléen est attendu (true ou false)."]}}),
        ({"filter": {"q": ["Gymnase"]}}, {"filter": {"q": ["Une chaîne de caractères est attendue."]}}),
        ({"filter": "status=to_confirm"}, {"filter": ['Un objet est attendu, par exemple {"status": "to_confirm"}.']}),
        (
            {"filter": {"q": "Piscine"}, "status": "not_mine"},
            {"non_field_errors": ["Aucun site ne correspond au filtre."]},
        ),
    ],
    ids=["neither", "both", "unknown-filter", "not-a-boolean", "not-a-string", "not-an-object", "nothing-matches"],
)
def test_bulk_update_refusals_change_nothing(
    world: Any, largest_member: LargestMember, alice_api: TenantClient, payload: Any, errors: Any
) -> None:
    before = largest_member.snapshot()
    response = _post(alice_api, reverse("api:journey-sites-bulk"), payload)
    assert response.status_code == 400
    assert response.json() == errors
    assert largest_member.snapshot() == before


def test_bulk_update_refuses_a_filter_value_the_page_would_drop(
    world: Any, largest_member: LargestMember, alice_api: TenantClient
) -> None:
    # The page ignores a filter it cannot read; here it would widen the action to all 510 sites.
    before = largest_member.snapshot()
    response = _post(
        alice_api, reverse("api:journey-sites-bulk"), {"filter": {"status": "bogus"}, "status": "not_mine"}
    )
    assert response.status_code == 400
    assert "bogus" in response.json()["filter"]["status"][0]
    assert largest_member.snapshot() == before


def test_bulk_update_by_filter_refused_on_a_locked_journey_and_to_a_coordinator(
    world: Any, campaign: Any, alice_api: TenantClient, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("api:journey-sites-bulk")
    carol = logged_in(world.carol)
    refused = carol.post(
        f"{url}?member={world.member_a.pk}", {"filter": {}, "status": "not_mine"}, content_type="application/json"
    )
    assert refused.status_code == 403
    complete_journey(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.journey_validate(member=world.member_a, actor=world.alice)
    for payload in ({"filter": {}, "status": "not_mine"}, {}):  # the lock is said first, even to a bad request
        response = _post(alice_api, url, payload)
        assert response.status_code == 403
        assert "plus modifiable sans un appel ou un mail" in response.json()["detail"]
    assert not Site.objects.filter(member=world.member_a, status=SiteStatus.NOT_MINE).exists()


def test_bulk_update_schema_documents_sites_or_filter(alice_api: TenantClient) -> None:
    schema = alice_api.get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/journey/sites/bulk-update/"]["post"]
    assert "Tous les sites correspondant au filtre" in operation["description"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "sites" not in body.get("required", [])
    site_filter = body["properties"]["filter"]
    assert set(site_filter["properties"]) == set(JourneySiteFilterSet.base_filters)
    assert site_filter["properties"]["a_completer"]["type"] == "boolean"
    assert "to_confirm" in site_filter["properties"]["status"]["enum"]
    assert site_filter["additionalProperties"] is False
    assert set(operation["responses"]) >= {"200", "400", "403"}
