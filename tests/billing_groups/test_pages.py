"""The billing perimeter pages: list, form, attachment screen (search, pagination, bulk actions)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from billing_groups import services
from billing_groups.choices import BillingType
from billing_groups.models import BillingPerimeter
from billing_groups.selectors import attached_sites
from tests.billing_groups.conftest import lock_journey
from tests.billing_groups.factories import BillingPerimeterFactory, ConfirmedSiteFactory
from tests.conftest import ALPHA_HOST, TenantClient
from tests.factories import valid_siret


@pytest.fixture
def alice_client(world: Any) -> TenantClient:
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.alice)
    return client


@pytest.fixture
def carol_client(world: Any) -> TenantClient:
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.carol)
    return client


def _form(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Périmètre de facture N° 02 - Assainissement",
        "segment": "C5",
        "billing_type": "multi_site",
        "payment_mode": "administrative_mandate",
        "billing_rhythm": "bimonthly",
        "invoice_delivery": "paper",
        "budget_reference": "Budget annexe assainissement",
        **extra,
    }


def test_list_shows_own_perimeters_with_counts(world: Any, alice_client: TenantClient) -> None:
    mine = BillingPerimeterFactory.create(member=world.member_a, name="Écoles")
    BillingPerimeterFactory.create(member=world.member_b, name="Secret de Bravo")
    services.attach_sites(perimeter=mine, sites=ConfirmedSiteFactory.create_batch(3, member=world.member_a), actor=None)
    response = alice_client.get(reverse("billing_groups:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Écoles" in body
    assert "Secret de Bravo" not in body
    assert "Créer un périmètre de facturation" in body
    assert response.context["perimeters"][0].site_count == 3


def test_coordinator_reads_without_write_links(world: Any, carol_client: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_b, name="Bravo")
    body = carol_client.get(reverse("billing_groups:list")).content.decode()
    assert "Bravo" in body
    assert "Créer un périmètre de facturation" not in body
    response = carol_client.get(reverse("billing_groups:attach", kwargs={"pk": perimeter.pk}))
    assert response.status_code == 200
    assert "Rattacher la sélection" not in response.content.decode()
    response = carol_client.post(reverse("billing_groups:attach", kwargs={"pk": perimeter.pk}), {"action": "attach"})
    assert response.status_code == 403


def test_list_query_count_does_not_grow(world: Any, alice_client: TenantClient, max_queries: Any) -> None:
    for i in range(30):
        BillingPerimeterFactory.create(member=world.member_a, name=f"P{i:02d}")
    # tenant domain, session, user, perimeters with their site counts (one aggregate),
    # count of sites left to attach, the journey lock, the header's member name; session
    # save (savepoint, update, release) — none per row.
    with max_queries(10):
        response = alice_client.get(reverse("billing_groups:list"))
    assert len(response.context["perimeters"]) == 30


def test_create_then_land_on_attachment(world: Any, alice_client: TenantClient) -> None:
    response = alice_client.post(reverse("billing_groups:create"), _form())
    perimeter = BillingPerimeter.objects.get(member=world.member_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})
    assert perimeter.payment_mode == "administrative_mandate"


def test_form_shows_chorus_fields_and_messages(alice_client: TenantClient) -> None:
    body = alice_client.get(reverse("billing_groups:create")).content.decode()
    assert 'data-delivery="chorus"' in body
    assert "SIRET destinataire ChorusPro" in body
    response = alice_client.post(reverse("billing_groups:create"), _form(invoice_delivery="chorus"))
    assert response.status_code == 200
    assert "obligatoire pour un envoi par ChorusPro" in response.content.decode()
    response = alice_client.post(
        reverse("billing_groups:create"), _form(invoice_delivery="chorus", chorus_siret="12345678901234")
    )
    assert "clé de contrôle incorrecte" in response.content.decode()
    response = alice_client.post(
        reverse("billing_groups:create"),
        _form(invoice_delivery="chorus", chorus_siret=valid_siret(7), chorus_service_code="SERV"),
    )
    assert response.status_code == 302


def test_edit_refuses_mono_site_with_two_sites(world: Any, alice_client: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    services.attach_sites(
        perimeter=perimeter, sites=ConfirmedSiteFactory.create_batch(2, member=world.member_a), actor=None
    )
    response = alice_client.post(
        reverse("billing_groups:edit", kwargs={"pk": perimeter.pk}),
        _form(name=perimeter.name, billing_type=BillingType.MONO_SITE),
    )
    assert response.status_code == 200
    assert "mono-site ne contient qu&#x27;un site" in response.content.decode()


def test_delete(world: Any, alice_client: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    url = reverse("billing_groups:delete", kwargs={"pk": perimeter.pk})
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url).status_code == 302
    assert not BillingPerimeter.objects.filter(pk=perimeter.pk).exists()


def _attach_setup(world: Any) -> tuple[BillingPerimeter, list[Any]]:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    sites = [
        ConfirmedSiteFactory.create(
            member=world.member_a, site_name=f"École {i:03d}", city="Caen" if i % 2 else "Bayeux"
        )
        for i in range(120)
    ]
    return perimeter, sites


def test_attachment_page_search_and_pagination(world: Any, alice_client: TenantClient) -> None:
    perimeter, sites = _attach_setup(world)
    url = reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})
    response = alice_client.get(url)
    available = response.context["available"]["page"]
    assert available.paginator.count == 120
    assert len(available.object_list) == 50
    assert "Sites associés à ce périmètre de facturation" in response.content.decode()
    response = alice_client.get(url, {"dispo-city": "bayeux", "dispo-page": "2"})
    page = response.context["available"]["page"]
    assert page.paginator.count == 60
    assert page.number == 2
    assert {site.city for site in page} == {"Bayeux"}
    response = alice_client.get(url, {"dispo-delivery_point": sites[5].delivery_point})
    assert [s.pk for s in response.context["available"]["page"]] == [sites[5].pk]
    response = alice_client.get(url, {"dispo-site_name": "École 01"})
    assert response.context["available"]["page"].paginator.count == 10


def test_attach_and_detach_selected_without_js(world: Any, alice_client: TenantClient) -> None:
    perimeter, sites = _attach_setup(world)
    url = reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})
    response = alice_client.post(f"{url}?dispo-city=Caen", {"action": "attach", "sites": [s.pk for s in sites[:100]]})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?dispo-city=Caen"
    assert attached_sites(perimeter).count() == 100
    response = alice_client.post(url, {"action": "detach", "sites": [s.pk for s in sites[:10]]}, follow=True)
    assert "10 site(s) détaché(s) du périmètre." in response.content.decode()
    assert attached_sites(perimeter).count() == 90


def test_attach_with_htmx_returns_both_lists(world: Any, alice_client: TenantClient, max_queries: Any) -> None:
    perimeter, sites = _attach_setup(world)
    url = reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})
    # tenant domain, session, user, perimeter; the service (savepoint, lock, sites,
    # savepoint + insert + release, audit, release); per list a count and a page (4);
    # the session save (3): bounded whatever the number of sites.
    with max_queries(20):
        response = alice_client.post(url, {"action": "attach", "sites": [s.pk for s in sites]}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="attachment-lists"')
    assert "<html" not in body
    assert "120 site(s) rattaché(s) au périmètre." in body
    assert response.context["attached"]["page"].paginator.count == 120


def test_attach_filtered_applies_the_search(world: Any, alice_client: TenantClient) -> None:
    perimeter, _sites = _attach_setup(world)
    url = reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})
    alice_client.post(f"{url}?dispo-city=Bayeux", {"action": "attach_filtered"})
    assert {s.city for s in attached_sites(perimeter)} == {"Bayeux"}
    assert attached_sites(perimeter).count() == 60
    alice_client.post(f"{url}?associes-site_name=École 00", {"action": "detach_filtered"})
    assert attached_sites(perimeter).count() == 55


def test_attach_page_query_count(world: Any, alice_client: TenantClient, max_queries: Any) -> None:
    perimeter, sites = _attach_setup(world)
    services.attach_sites(perimeter=perimeter, sites=sites[:60], actor=None)
    # tenant domain, session, user, perimeter; available list count + page; attached
    # list count + page; the header's member name; the session save (3).
    with max_queries(13):
        alice_client.get(reverse("billing_groups:attach", kwargs={"pk": perimeter.pk}))


def test_refusal_is_shown(world: Any, alice_client: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a, billing_type=BillingType.MONO_SITE)
    sites = ConfirmedSiteFactory.create_batch(2, member=world.member_a)
    response = alice_client.post(
        reverse("billing_groups:attach", kwargs={"pk": perimeter.pk}),
        {"action": "attach", "sites": [s.pk for s in sites]},
        HTTP_HX_REQUEST="true",
    )
    assert "Un périmètre mono-site ne contient qu&#x27;un site." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not attached_sites(perimeter).exists()


def test_locked_journey_on_pages(world: Any, alice_client: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    site = ConfirmedSiteFactory.create(member=world.member_a)
    lock_journey(world.member_a)
    response = alice_client.post(
        reverse("billing_groups:attach", kwargs={"pk": perimeter.pk}),
        {"action": "attach", "sites": [site.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert "Votre parcours est validé" in response.content.decode()
    assert alice_client.post(reverse("billing_groups:create"), _form()).status_code == 403


def test_bob_without_collecte_is_refused(world: Any) -> None:
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.bob)
    assert client.get(reverse("billing_groups:list")).status_code == 403


def test_charlie_gets_404_on_alices_perimeter(world: Any) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.charlie)
    assert client.get(reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})).status_code == 404


LOCKED = "Votre parcours est validé : il n&#x27;est plus modifiable sans un appel ou un mail auprès de nos services."


def test_locked_journey_forms_answer_with_the_reason(world: Any, alice_client: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a, name="Écoles")
    lock_journey(world.member_a)
    edit = reverse("billing_groups:edit", kwargs={"pk": perimeter.pk})
    delete = reverse("billing_groups:delete", kwargs={"pk": perimeter.pk})
    # A form left open in another tab, posted after the validation; or the form asked for again.
    for url, data in ((reverse("billing_groups:create"), _form()), (edit, _form(name="Autre")), (delete, {})):
        for response in (alice_client.get(url), alice_client.post(url, data)):
            assert response.status_code == 403
            assert LOCKED in response.content.decode()
    perimeter.refresh_from_db()
    assert perimeter.name == "Écoles"


def test_locked_journey_pages_are_read_only(world: Any, alice_client: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a, name="Écoles")
    ConfirmedSiteFactory.create(member=world.member_a, segment=perimeter.segment)
    lock_journey(world.member_a)
    pages = (
        alice_client.get(reverse("billing_groups:list")).content.decode(),
        alice_client.get(reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})).content.decode(),
    )
    for page in pages:
        assert "Parcours validé — non modifiable sans un appel ou un mail auprès de nos services" in page
    assert "Créer un périmètre de facturation" not in pages[0]
    assert reverse("billing_groups:edit", kwargs={"pk": perimeter.pk}) not in pages[0]
    assert "Voir les sites" in pages[0]
    assert 'type="checkbox"' not in pages[1]
    assert "Rattacher la sélection" not in pages[1]


def test_list_says_to_confirm_sites_first_when_none_is_confirmed(world: Any, alice_client: TenantClient) -> None:
    # world.site_a is still "à confirmer": nothing is attachable, nothing is done either.
    page = alice_client.get(reverse("billing_groups:list")).content.decode()
    assert "confirmez vos sites à l'étape 2 (Périmètre)" in page
    assert "Tous vos sites confirmés sont rattachés" not in page
    ConfirmedSiteFactory.create(member=world.member_a)
    page = alice_client.get(reverse("billing_groups:list")).content.decode()
    assert "1 site confirmé reste à rattacher à un périmètre." in page
