"""Back-office pages of the meter-data ingestion: list, upload (background job), progress partial, rejected rows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from consumption.choices import IngestionStatus
from consumption.models import IngestionReport
from tenants.db import connection
from tests.conftest import TenantClient
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"
CURVE = (
    "point;horodate;puissance_w;pas_minutes\n"
    "{p};2025-01-15T10:00:00+01:00;1000;30\n"
    "99999999999999;2025-01-15T10:00:00+01:00;5;30\n"
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site(world: Any) -> Any:
    return SiteFactory(member=world.member_a, delivery_point="30000000000901")


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs or None, urlconf=PUBLIC)


def _get(client: TenantClient, url: str, world: Any, **extra: Any) -> Any:
    """A request on the public host leaves the connection in the public schema: come back to alpha."""
    response = client.get(url, **extra)
    connection.set_tenant(world.alpha)
    return response


def _send(client: TenantClient, world: Any, content: str, capture: Any, **data: Any) -> Any:
    upload = SimpleUploadedFile("cdc.csv", content.encode(), content_type="text/csv")
    with capture(execute=True):
        response = client.post(_url("ingestion_list", code="alpha"), {"meter_file": upload, **data})
    connection.set_tenant(world.alpha)
    return response


def test_the_back_office_home_links_to_the_ingestion_pages(staff: TenantClient, world: Any) -> None:
    home = _get(staff, _url("home"), world).content.decode()
    assert _url("ingestion_home") in home
    page = _get(staff, _url("ingestion_home"), world).content.decode()
    assert _url("ingestion_list", code="alpha") in page
    assert _url("ingestion_list", code="beta") in page


def test_a_file_sent_by_the_browser_is_ingested_and_reported(
    staff: TenantClient, world: Any, site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _send(staff, world, CURVE.format(p=site.delivery_point), django_capture_on_commit_callbacks)

    report = IngestionReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("ingestion_report", code="alpha", report_id=report.pk)
    assert (report.status, report.received_by, report.file_path) == (
        IngestionStatus.PARTIAL,
        "mallory@fournisseur.test",
        f"ingestions/alpha/{report.pk}.dat",
    )
    page = _get(staff, response["Location"], world).content.decode()
    assert "Intégré partiellement" in page
    assert "Point de livraison inconnu dans le parc du syndicat" in page  # the reasons, counted
    assert _url("ingestion_rejected_rows", code="alpha", report_id=report.pk) in page
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling
    assert AuditEvent.objects.filter(action="consumption.file_received", actor_email=world.mallory.email).exists()
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.meter_file_sent", actor=world.mallory).exists()
    assert AuditEvent.objects.filter(action="backoffice.ingestion_viewed", actor=world.mallory).exists()


def test_the_kind_chosen_on_the_form_is_used(
    staff: TenantClient, world: Any, site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # A load curve declared as gas: the gas columns are missing, the file is refused for it.
    _send(staff, world, CURVE.format(p=site.delivery_point), django_capture_on_commit_callbacks, kind="gas_daily")
    report = IngestionReport.objects.get()
    assert (report.kind, report.status) == ("gas_daily", IngestionStatus.REJECTED)


def test_a_form_without_a_file_says_so_and_stores_nothing(staff: TenantClient, world: Any, media_root: Path) -> None:
    response = staff.post(_url("ingestion_list", code="alpha"), {"kind": ""})
    connection.set_tenant(world.alpha)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not IngestionReport.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.dat"))


def test_a_running_file_is_polled_by_htmx(staff: TenantClient, world: Any) -> None:
    report = IngestionReport.objects.create(
        file_name="cdc.csv", status=IngestionStatus.RUNNING, progress_percent=60, progress_label="Écriture…"
    )
    url = _url("ingestion_report", code="alpha", report_id=report.pk)

    full = _get(staff, url, world).content.decode()
    assert 'hx-trigger="every 2s"' in full
    assert 'value="60"' in full
    assert "Écriture…" in full
    partial = _get(staff, url, world, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="ingestion-status"')
    assert "<html" not in partial

    IngestionReport.objects.filter(pk=report.pk).update(
        status=IngestionStatus.FAILED, error_message="Le fichier reçu est introuvable dans le stockage."
    )
    done = _get(staff, url, world, HTTP_HX_REQUEST="true").content.decode()
    assert "Échec technique" in done
    assert "introuvable dans le stockage" in done
    assert "hx-trigger" not in done


def test_the_rejected_rows_download_reads_back(
    staff: TenantClient, world: Any, site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _send(staff, world, CURVE.format(p=site.delivery_point), django_capture_on_commit_callbacks)
    report = IngestionReport.objects.get()

    download = _get(staff, _url("ingestion_rejected_rows", code="alpha", report_id=report.pk), world)

    assert download.status_code == 200
    assert f'filename="lignes-rejetees-alpha-{report.pk}.xlsx"' in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Ligne", "Colonne", "Valeur lue", "Message"),
        (3, "point", "99999999999999", "Point de livraison inconnu dans le parc du syndicat"),
    ]
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.rejected_rows_downloaded", actor=world.mallory).exists()


def test_a_report_without_rejected_rows_has_no_download(staff: TenantClient, world: Any) -> None:
    report = IngestionReport.objects.create(file_name="cdc.csv", status=IngestionStatus.ACCEPTED)
    response = _get(staff, _url("ingestion_rejected_rows", code="alpha", report_id=report.pk), world)
    assert response.status_code == 404


def test_the_list_is_paginated_with_a_bounded_number_of_queries(
    staff: TenantClient, world: Any, max_queries: Any
) -> None:
    IngestionReport.objects.bulk_create(
        [
            IngestionReport(
                file_name=f"cdc-{n:02d}.csv",
                kind="load_curve",
                status=IngestionStatus.PARTIAL,
                accepted_rows=10,
                rejected_rows=n,
                error_report_path=f"ingestions/alpha/{n}-rejets.xlsx",
                rejected=[{"line": 2, "column": "point", "value": "x", "reason": "y"}] * 100,
            )
            for n in range(60)
        ]
    )
    url = _url("ingestion_list", code="alpha")
    connection.set_schema_to_public()
    # domain, session, user, syndicate, count, page of reports, audit row, session touch (savepoint, update, release)
    with max_queries(10) as statements:
        response = staff.get(url, {"page": 2})
    connection.set_tenant(world.alpha)

    body = response.content.decode()
    assert response.status_code == 200
    assert "60 fichiers reçus" in body
    assert "Page 2 sur 3" in body
    assert body.count(">Télécharger<") == 25
    page_query = next(sql for sql in statements if "LIMIT 25" in sql)
    assert '"consumption_ingestionreport"."rejected"' not in page_query  # the detail lists stay in the database


def test_a_syndicate_code_that_does_not_exist_is_404(staff: TenantClient, world: Any) -> None:
    assert _get(staff, _url("ingestion_list", code="nope"), world).status_code == 404
