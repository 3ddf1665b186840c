"""The back-office ingestion endpoint: supplier staff only, enters the syndicate explicitly."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from consumption.models import DailyEnergy, IngestionReport
from tenants.db import connection
from tests.conftest import PUBLIC_HOST, TenantClient

URL = "/backoffice/api/consommation/ingestions/"
CSV = "point;jour_gazier;volume_m3;coefficient\n{point};2025-01-15;100;11\n99999999999999;2025-01-15;1;11\n"


@pytest.fixture
def gas_point(world: Any) -> Any:
    from tests.factories import SiteFactory

    site = SiteFactory(
        member=world.member_a,
        fluid="gas",
        delivery_point="GI000777",
        distributor="GRDF",
        segment="T2",
        tariff_formula="T2",
        tariff_option="GAS",
        subscribed_power_kva=None,
        car_kwh=150000,
    )
    return site.delivery_point


def _client_as(user: Any) -> TenantClient:
    client = TenantClient(PUBLIC_HOST)
    connection.set_schema_to_public()
    client.force_login(user)
    return client


def test_staff_uploads_a_file_for_a_syndicate(world: Any, gas_point: str) -> None:
    client = _client_as(world.mallory)
    upload = SimpleUploadedFile("gaz.csv", CSV.format(point=gas_point).encode(), content_type="text/csv")
    response = client.post(URL, {"syndicate": "alpha", "file": upload})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["accepted_rows"], body["rejected_rows"]) == ("partial", 1, 1)
    assert body["rejected"][0]["reason"] == "Point de livraison inconnu dans le parc du syndicat"
    assert AuditEvent.objects.filter(action="consumption.file_ingested", actor=world.mallory).exists()
    connection.set_tenant(world.alpha)
    assert DailyEnergy.objects.get(site__delivery_point=gas_point).kwh == 1100.0
    assert IngestionReport.objects.get().received_by == world.mallory.email

    listing = _client_as(world.mallory).get(URL, {"syndicate": "alpha"})
    assert [r["file_name"] for r in listing.json()["reports"]] == ["gaz.csv"]


def test_staff_gets_404_for_an_unknown_syndicate(world: Any) -> None:
    response = _client_as(world.mallory).post(
        URL, {"syndicate": "nope", "content": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_member_user_and_anonymous_are_refused(world: Any, gas_point: str) -> None:
    content = CSV.format(point=gas_point)
    anonymous = TenantClient(PUBLIC_HOST).post(
        URL, {"syndicate": "alpha", "content": content}, content_type="application/json"
    )
    assert anonymous.status_code in {401, 403}
    connection.set_tenant(world.alpha)
    member = TenantClient("alpha.localhost")
    member.force_login(world.alice)
    # Alice's session belongs to alpha's address: on the supplier's host she is nobody.
    refused = member.post(
        URL, {"syndicate": "alpha", "content": content}, content_type="application/json", HTTP_HOST=PUBLIC_HOST
    )
    assert refused.status_code in {401, 403}
    connection.set_tenant(world.alpha)
    assert not DailyEnergy.objects.exists()
