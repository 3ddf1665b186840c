"""Back-office pages of the pre-filled import: staff only, upload, progress polling, summary, error report, template."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.models import AuditEvent
from perimeter.importing.choices import ImportStatus
from perimeter.importing.models import ImportJob
from perimeter.models import Member, Site
from tenants.db import connection
from tests.conftest import TenantClient
from tests.factories import LotFactory, UserFactory
from tests.importing.workbooks import listing, member_row, site_row, small_listing

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(world: Any, public_client: TenantClient) -> TenantClient:
    connection.set_schema_to_public()
    public_client.force_login(world.mallory)
    connection.set_tenant(world.alpha)
    return public_client


@pytest.fixture
def lot(world: Any) -> Any:
    return LotFactory(number=1)


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs or None, urlconf=PUBLIC)


def _upload(client: TenantClient, lot: Any, content: bytes, capture: Any, name: str = "listing.xlsx") -> Any:
    with capture(execute=True):
        response = client.post(
            _url("import_upload", code="alpha"), {"lot": lot.pk, "listing": SimpleUploadedFile(name, content)}
        )
    connection.set_tenant(lot_tenant())
    return response


def _get(client: TenantClient, url: str, **extra: Any) -> Any:
    """A request on the public host leaves the connection in the public schema: come back to alpha."""
    response = client.get(url, **extra)
    connection.set_tenant(lot_tenant())
    return response


def lot_tenant() -> Any:
    from tenants.models import Syndicate

    return Syndicate.objects.get(code="alpha")


def test_upload_runs_the_import_and_shows_the_summary(
    staff: TenantClient, lot: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _upload(staff, lot, small_listing(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == _url("import_job", code="alpha", job_id=job.pk)
    assert job.requested_by_email == "mallory@fournisseur.test"
    assert Member.objects.filter(customer_number__startswith="IMP").count() == 3
    page = _get(staff, response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Terminé" in body
    assert "Résumé de l&#x27;import" in body or "Résumé de l'import" in body
    assert 'hx-trigger="every 2s"' not in body  # finished: no more polling
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(
        action="backoffice.import_requested", actor_email="mallory@fournisseur.test"
    ).exists()
    connection.set_tenant(world.alpha)
    assert AuditEvent.objects.filter(action="import.completed", actor_email="mallory@fournisseur.test").exists()


def test_reimport_says_no_change(staff: TenantClient, lot: Any, django_capture_on_commit_callbacks: Any) -> None:
    content = small_listing()
    _upload(staff, lot, content, django_capture_on_commit_callbacks)
    response = _upload(staff, lot, content, django_capture_on_commit_callbacks)
    page = _get(staff, response["Location"])
    assert "Aucun changement" in page.content.decode()


def test_running_job_is_polled_by_htmx(staff: TenantClient, lot: Any) -> None:
    job = ImportJob.objects.create(lot=lot, requested_by_email="m@f.test", original_name="l.xlsx", file_path="x")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, progress_percent=40)
    url = _url("import_job", code="alpha", job_id=job.pk)
    full = _get(staff, url).content.decode()
    assert 'hx-trigger="every 2s"' in full
    assert 'value="40"' in full
    partial = _get(staff, url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="import-status"')
    assert "<html" not in partial


def test_bad_file_offers_the_error_report(
    staff: TenantClient, lot: Any, django_capture_on_commit_callbacks: Any
) -> None:
    content = listing([member_row(1, SIRET="123")], [site_row(1, 1)])
    response = _upload(staff, lot, content, django_capture_on_commit_callbacks)
    page = _get(staff, response["Location"]).content.decode()
    assert "Télécharger le rapport d" in page
    job = ImportJob.objects.get()
    report = _get(staff, _url("import_errors", code="alpha", job_id=job.pk))
    assert report.status_code == 200
    content = b"".join(report.streaming_content)
    sheet: Any = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Membres", 2, "SIRET")
    assert not Site.objects.filter(delivery_point__startswith="5000000000").exists()


def test_macro_file_is_refused_on_the_form(
    staff: TenantClient, lot: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _upload(staff, lot, small_listing(), django_capture_on_commit_callbacks, name="listing.xlsm")
    assert response.status_code == 200
    assert "macros" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_template_download_is_a_valid_listing(
    staff: TenantClient, lot: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _get(staff, _url("import_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Instructions", "Membres", "Interlocuteurs", "Sites"]
    assert workbook["Sites"]["B1"].value == "Point de livraison"
    # The example rows themselves import cleanly.
    _upload(staff, lot, response.content, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE, job.error_message


def test_pages_refuse_non_staff(world: Any, public_client: TenantClient, lot: Any) -> None:
    urls = [_url("import_home"), _url("import_template"), _url("import_upload", code="alpha")]
    for url in urls:
        assert public_client.get(url).status_code == 302  # anonymous: to the login page
    connection.set_schema_to_public()
    outsider: Any = UserFactory(email="not-staff@public.test", role=Role.COORDINATOR, member=None)
    public_client.force_login(outsider)
    connection.set_tenant(world.alpha)
    for url in urls:
        assert _get(public_client, url).status_code == 403


def test_unknown_syndicate_or_job_is_404(staff: TenantClient, lot: Any) -> None:
    assert _get(staff, _url("import_upload", code="nope")).status_code == 404
    assert _get(staff, _url("import_job", code="alpha", job_id=uuid.uuid4())).status_code == 404
