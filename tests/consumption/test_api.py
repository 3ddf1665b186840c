"""The back-office ingestion endpoint: supplier staff only, enters the syndicate explicitly."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from openpyxl import load_workbook

from accounts.models import AuditEvent
from consumption.models import DailyEnergy, IngestionReport
from consumption.services import meter_file_receive
from tenants.db import connection
from tests.conftest import PUBLIC_HOST, TenantClient

URL = "/backoffice/api/consommation/ingestions/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def test_staff_upload_is_accepted_then_ingested_in_the_background(
    world: Any, gas_point: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client_as(world.mallory)
    upload = SimpleUploadedFile("gaz.csv", CSV.format(point=gas_point).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"syndicate": "alpha", "file": upload})

    assert response.status_code == 202, response.content
    answer = response.json()
    assert (answer["syndicate"], answer["file_name"], answer["status"]) == ("alpha", "gaz.csv", "queued")
    assert response["Location"] == answer["status_url"]
    assert answer["status_url"].endswith(f"{URL}alpha/{answer['id']}/")
    assert AuditEvent.objects.filter(action="consumption.file_received", actor=world.mallory).exists()

    body = _client_as(world.mallory).get(answer["status_url"]).json()
    assert (body["status"], body["finished"], body["accepted_rows"], body["rejected_rows"]) == ("partial", True, 1, 1)
    assert body["rejection_summary"] == [
        {"column": "point", "reason": "Point de livraison inconnu dans le parc du syndicat", "count": 1}
    ]
    assert body["rejected_rows_url"].endswith(f"{URL}alpha/{answer['id']}/lignes-rejetees.xlsx")
    connection.set_tenant(world.alpha)
    assert DailyEnergy.objects.get(site__delivery_point=gas_point).kwh == 1100.0
    report = IngestionReport.objects.get()
    assert (report.received_by, report.attempts) == (world.mallory.email, 1)
    # The syndicate's own trail names the manager too.
    assert AuditEvent.objects.filter(action="consumption.file_received", actor_email=world.mallory.email).exists()

    listing = _client_as(world.mallory).get(URL, {"syndicate": "alpha"})
    assert [r["file_name"] for r in listing.json()["reports"]] == ["gaz.csv"]


def test_the_rejected_rows_download_as_a_workbook(
    world: Any, gas_point: str, django_capture_on_commit_callbacks: Any
) -> None:
    content = CSV.format(point=gas_point) + f'{gas_point};2025-01-16;abc;11\n=HYPERLINK("x");2025-01-16;1;11\n'
    with django_capture_on_commit_callbacks(execute=True):
        answer = (
            _client_as(world.mallory)
            .post(URL, {"syndicate": "alpha", "content": content}, content_type="application/json")
            .json()
        )
    status = _client_as(world.mallory).get(answer["status_url"]).json()

    download = _client_as(world.mallory).get(status["rejected_rows_url"])

    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert f'filename="lignes-rejetees-alpha-{answer["id"]}.xlsx"' in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]  # type: ignore[attr-defined]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Ligne", "Colonne", "Valeur lue", "Message")
    assert len(rows) - 1 == status["rejected_rows"] == 3
    by_line = {row[0]: row for row in rows[1:]}
    assert by_line[3] == (3, "point", "99999999999999", "Point de livraison inconnu dans le parc du syndicat")
    assert by_line[4][1] == "volume_m3"
    assert by_line[5][2] == '\'=HYPERLINK("x")'  # shown as text, never run as a formula
    assert AuditEvent.objects.filter(action="consumption.rejected_rows_downloaded", actor=world.mallory).exists()


def test_an_unreadable_file_is_rejected_with_its_reason_and_no_workbook(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = (
            _client_as(world.mallory)
            .post(URL, {"syndicate": "alpha", "content": "a;b;c\n1;2;3\n"}, content_type="application/json")
            .json()
        )
    body = _client_as(world.mallory).get(answer["status_url"]).json()

    assert (body["status"], body["finished"], body["rejected_rows_url"]) == ("rejected", True, None)
    assert body["messages"] == ["En-tête CSV non reconnu : voir les formats attendus (séparateur « ; »)."]
    rows_url = f"{URL}alpha/{answer['id']}/lignes-rejetees.xlsx"
    assert _client_as(world.mallory).get(rows_url).status_code == 404


def test_another_syndicates_report_is_unknown_under_this_syndicate(world: Any, gas_point: str) -> None:
    connection.set_tenant(world.beta)
    report = meter_file_receive(
        upload=io.BytesIO(b"x"), file_name="beta.csv", size=1, received_by="mallory@fournisseur.test"
    )
    connection.set_tenant(world.alpha)
    assert not IngestionReport.objects.filter(pk=report.pk).exists()  # alpha has no report of that id

    client = _client_as(world.mallory)
    assert client.get(f"{URL}alpha/{report.pk}/").status_code == 404
    assert client.get(f"{URL}alpha/{report.pk}/lignes-rejetees.xlsx").status_code == 404
    assert client.get(f"{URL}beta/{report.pk}/").json()["file_name"] == "beta.csv"
    assert client.get(f"{URL}nope/{report.pk}/").status_code == 404


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
    assert {"202", "400", "403", "404", "413"} <= set(operations["post"]["responses"])
    assert set(body["paths"][f"{URL}{{syndicate}}/{{id}}/"]) == {"get"}
    assert f"{URL}{{syndicate}}/{{id}}/lignes-rejetees.xlsx" in body["paths"]
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
