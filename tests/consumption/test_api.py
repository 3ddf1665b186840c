"""The back-office ingestion endpoint: supplier staff only, enters the syndicate explicitly."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

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


def test_the_supplier_api_schema_describes_the_ingestion_endpoint_for_staff_only(world: Any) -> None:
    schema = _client_as(world.mallory).get("/api/schema/", {"format": "json"})

    assert schema.status_code == 200
    body = schema.json()
    assert body["info"]["title"] == "API du fournisseur (back-office)"
    operations = body["paths"][URL]
    assert set(operations) == {"get", "post"}
    assert set(operations["post"]["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    assert {"200", "400", "403", "404", "413"} <= set(operations["post"]["responses"])
    assert "/api/v1/sites/" not in body["paths"]  # the members' API is described on the syndicates' addresses
    report = body["components"]["schemas"]["IngestionReport"]["properties"]
    assert {"status", "accepted_rows", "rejected", "already_received"} <= set(report)

    assert TenantClient(PUBLIC_HOST).get("/api/schema/").status_code in {401, 403}
    assert TenantClient(PUBLIC_HOST).get("/api/docs/").status_code in {401, 403}


def test_the_supplier_api_docs_page_loads_its_assets_locally(world: Any) -> None:
    client = _client_as(world.mallory)
    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)  # no inline script (CSP)
    assert "/api/schema/" in client.get("/api/docs/?script=").content.decode()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    world: Any, gas_point: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import consumption.services

    monkeypatch.setattr(consumption.services, "MAX_FILE_BYTES", 60)
    upload = SimpleUploadedFile("gaz.csv", CSV.format(point=gas_point).encode(), content_type="text/csv")
    body = encode_multipart(BOUNDARY, {"syndicate": "alpha", "file": upload})
    # From here on, reading an upload fails the test: the size must be checked without it.
    monkeypatch.setattr(InMemoryUploadedFile, "read", lambda *a, **k: pytest.fail("the upload was read"))

    response = _client_as(world.mallory).generic("POST", URL, body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 413
    assert response.json()["detail"] == "Fichier trop volumineux (maximum 0 Mo)."
    connection.set_tenant(world.alpha)
    assert not IngestionReport.objects.exists()


def test_a_request_declared_over_the_limit_is_refused_before_its_body_is_parsed(world: Any) -> None:
    declared = 200 * 1024 * 1024 + 2 * 1024 * 1024  # 202 MB: over the limit with the multipart room

    for client in (_client_as(world.mallory), TenantClient(PUBLIC_HOST)):
        response = client.post(
            URL,
            {"syndicate": "alpha", "content": "x"},
            content_type="application/json",
            CONTENT_LENGTH=str(declared),
        )
        assert response.status_code == 413
        assert "Fichier trop volumineux (maximum 200 Mo)" in response.json()["detail"]
        assert "syndicates" not in response.json()
