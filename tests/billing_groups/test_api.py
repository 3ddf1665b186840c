"""The billing perimeter API: CRUD and bulk attach / detach, member-scoped, in the schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from billing_groups.models import BillingPerimeter
from billing_groups.selectors import attached_sites
from tests.billing_groups.conftest import lock_journey
from tests.billing_groups.factories import BillingPerimeterFactory, ConfirmedSiteFactory
from tests.conftest import TenantClient, logged_in
from tests.factories import valid_siret


@pytest.fixture
def alice_api(world: Any) -> TenantClient:
    return logged_in(world.alice)


def _payload(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Périmètre de facture N° 03 - Écoles",
        "segment": "C5",
        "billing_type": "multi_site",
        "payment_mode": "direct_debit",
        "billing_rhythm": "monthly",
        "invoice_delivery": "chorus",
        "chorus_siret": valid_siret(11),
        "chorus_service_code": "ECOLES",
        "chorus_commitment_number": "EJ-42",
        "budget_reference": "6061",
        **extra,
    }


def test_crud(world: Any, alice_api: TenantClient) -> None:
    url = reverse("api:billing-perimeter-list")
    created = alice_api.post(url, _payload(), content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["member"] == world.member_a.pk
    assert body["site_count"] == 0
    detail = reverse("api:billing-perimeter-detail", kwargs={"pk": body["id"]})
    patched = alice_api.patch(detail, {"billing_rhythm": "bimonthly"}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["billing_rhythm"] == "bimonthly"
    listed = alice_api.get(url, {"segment": "C5"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert alice_api.delete(detail).status_code == 204
    assert not BillingPerimeter.objects.filter(pk=body["id"]).exists()


def test_create_errors_are_field_errors_in_french(alice_api: TenantClient) -> None:
    response = alice_api.post(
        reverse("api:billing-perimeter-list"), _payload(chorus_siret=""), content_type="application/json"
    )
    assert response.status_code == 400
    assert "obligatoire pour un envoi par ChorusPro" in response.json()["chorus_siret"][0]


def test_attach_detach_and_sites(world: Any, alice_api: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    sites = ConfirmedSiteFactory.create_batch(250, member=world.member_a)
    attach = reverse("api:billing-perimeter-attach", kwargs={"pk": perimeter.pk})
    response = alice_api.post(attach, {"sites": [s.pk for s in sites]}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"perimeter": perimeter.pk, "changed": 250, "site_count": 250}
    listed = alice_api.get(reverse("api:billing-perimeter-sites", kwargs={"pk": perimeter.pk})).json()
    assert listed["count"] == 250
    assert set(listed["results"][0]) == {"id", "site_name", "delivery_point", "city", "segment", "status"}
    detach = reverse("api:billing-perimeter-detach", kwargs={"pk": perimeter.pk})
    response = alice_api.post(detach, {"sites": [s.pk for s in sites[:50]]}, content_type="application/json")
    assert response.json()["site_count"] == 200


def test_attach_refusal_is_400_with_messages(world: Any, alice_api: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a, segment="C4")
    site = ConfirmedSiteFactory.create(member=world.member_a, site_name="Gymnase")
    response = alice_api.post(
        reverse("api:billing-perimeter-attach", kwargs={"pk": perimeter.pk}),
        {"sites": [site.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        f"Le site « Gymnase » ({site.delivery_point}) est de segment C5, ce périmètre est C4."
    ]
    bad = alice_api.post(
        reverse("api:billing-perimeter-attach", kwargs={"pk": perimeter.pk}),
        {"sites": []},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_isolation(world: Any) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    site = ConfirmedSiteFactory.create(member=world.member_a)
    detail = reverse("api:billing-perimeter-detail", kwargs={"pk": perimeter.pk})
    attach = reverse("api:billing-perimeter-attach", kwargs={"pk": perimeter.pk})
    charlie = logged_in(world.charlie)
    assert charlie.get(detail).status_code == 404
    assert charlie.post(attach, {"sites": [site.pk]}, content_type="application/json").status_code == 404
    assert perimeter.name not in charlie.get(reverse("api:billing-perimeter-list")).content.decode()
    bob = logged_in(world.bob)
    assert bob.get(detail).status_code == 403
    carol = logged_in(world.carol)
    assert carol.get(detail).status_code == 200
    assert carol.post(attach, {"sites": [site.pk]}, content_type="application/json").status_code == 403
    assert carol.delete(detail).status_code == 403
    assert not attached_sites(perimeter).exists()


def test_foreign_site_ids_are_refused_without_detail(world: Any, alice_api: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    foreign = ConfirmedSiteFactory.create(member=world.member_b, site_name="Secret de Bravo")
    response = alice_api.post(
        reverse("api:billing-perimeter-attach", kwargs={"pk": perimeter.pk}),
        {"sites": [foreign.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Secret de Bravo" not in response.content.decode()


def test_locked_journey_refuses_writes(world: Any, alice_api: TenantClient) -> None:
    perimeter = BillingPerimeterFactory.create(member=world.member_a)
    lock_journey(world.member_a)
    response = alice_api.post(
        reverse("api:billing-perimeter-attach", kwargs={"pk": perimeter.pk}),
        {"sites": [world.site_a.pk]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "Votre parcours est validé" in response.json()["detail"]
    response = alice_api.post(reverse("api:billing-perimeter-list"), _payload(), content_type="application/json")
    assert response.status_code == 403
    assert alice_api.get(reverse("api:billing-perimeter-detail", kwargs={"pk": perimeter.pk})).status_code == 200


def test_schema_describes_the_endpoints(alpha: Any) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/v1/billing-perimeters/" in paths
    attach = paths["/api/v1/billing-perimeters/{id}/attach/"]["post"]
    assert attach["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SiteIdsRequest")
    assert "AttachmentResult" in attach["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(paths["/api/v1/billing-perimeters/{id}/"]) >= {"get", "put", "patch", "delete"}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "Écoles\x07", "caractère de contrôle"),
        ("chorus_siret", "00000000000000", "n'existe pas"),
        ("chorus_siret", "12345678901234", "clé de contrôle"),
        ("chorus_commitment_number", "EJ\x01", "Lettres sans accent"),
        ("chorus_service_code", "SERVICE\ue000", "Lettres sans accent"),
        ("budget_reference", "6061\x1b", "caractère de contrôle"),
    ],
)
def test_bad_routing_fields_are_refused_and_nothing_changes(
    world: Any, alice_api: TenantClient, field: str, value: str, words: str
) -> None:
    """The park's field rules hold for billing perimeters too, on creation and on PATCH."""
    url = reverse("api:billing-perimeter-list")
    created = alice_api.post(url, _payload(**{field: value}), content_type="application/json")
    assert created.status_code == 400, created.json()
    assert words in " ".join(created.json()[field])
    perimeter = BillingPerimeterFactory(member=world.member_a, **_payload())
    before = BillingPerimeter.objects.filter(pk=perimeter.pk).values().get()
    detail = reverse("api:billing-perimeter-detail", kwargs={"pk": perimeter.pk})
    patched = alice_api.patch(detail, {field: value}, content_type="application/json")
    assert patched.status_code == 400, patched.json()
    assert words in " ".join(patched.json()[field])
    assert BillingPerimeter.objects.filter(pk=perimeter.pk).values().get() == before
