"""'Mes exports', downloads and links: member-scoped, expiring, bounded queries."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection as django_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.choices import ExportStatus
from reports.links import download_token
from reports.models import ExportJob
from tenants.db import connection
from tests.conftest import ALPHA_HOST, BETA_HOST, TenantClient


def _client(user, host=ALPHA_HOST):
    client = TenantClient(host)
    client.force_login(user)
    return client


def _done_job(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(user=user, report="perimeter_file")
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    return job


def test_page_lists_own_jobs_with_download_link(world, django_capture_on_commit_callbacks):
    job = _done_job(world.alice, django_capture_on_commit_callbacks)
    other = _done_job(world.charlie, django_capture_on_commit_callbacks)
    response = _client(world.alice).get(reverse("reports:job_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<caption>" in body
    assert "Fichier périmètre" in body
    assert reverse("reports:job_download", kwargs={"job_id": job.id}) in body
    assert str(other.id) not in body
    assert 'hx-trigger="every 2s"' not in body  # nothing running: no polling


def test_running_job_is_polled_and_shows_progress(world):
    ExportJob.objects.create(
        requested_by=world.alice, member=world.member_a, report="perimeter_file", status=ExportStatus.RUNNING,
        progress_rows=40_000,
    )  # fmt: skip
    client = _client(world.alice)
    body = client.get(reverse("reports:job_list")).content.decode()
    assert f'hx-get="{reverse("reports:job_rows")}"' in body
    assert 'hx-trigger="every 2s"' in body
    rows = client.get(reverse("reports:job_rows"), HTTP_HX_REQUEST="true").content.decode()
    assert "40000 lignes écrites" in rows or "40 000 lignes écrites" in rows or "40\u202f000" in rows


def test_failed_job_tells_the_user(world):
    ExportJob.objects.create(
        requested_by=world.alice, member=world.member_a, report="perimeter_file", status=ExportStatus.FAILED,
        error_message="L'export n'a pas pu être produit.",
    )  # fmt: skip
    body = _client(world.alice).get(reverse("reports:job_list")).content.decode()
    assert "Échec" in body
    assert "L&#x27;export n&#x27;a pas pu être produit." in body


def test_page_query_count_does_not_grow_with_jobs(world):
    client = _client(world.alice)
    url = reverse("reports:job_list")
    ctx_sql: list[str] = []

    def count() -> int:
        with CaptureQueriesContext(django_connection) as ctx:
            assert client.get(url).status_code == 200
        ctx_sql[:] = [q["sql"][:120] for q in ctx.captured_queries if not q["sql"].startswith("SET search_path")]
        return len(ctx_sql)

    ExportJob.objects.create(requested_by=world.alice, member=world.member_a, report="perimeter_file")
    few = count()
    for _ in range(20):
        ExportJob.objects.create(requested_by=world.alice, member=world.member_a, report="perimeter_file")
    # tenant domain, session, user, the jobs, the user's member (header), session save
    # (savepoint, update, release): eight, and none per job.
    assert count() == few, "\n".join(ctx_sql)
    assert few <= 8, "\n".join(ctx_sql)


def test_download_is_member_scoped(world, django_capture_on_commit_callbacks):
    job = _done_job(world.alice, django_capture_on_commit_callbacks)
    url = reverse("reports:job_download", kwargs={"job_id": job.id})
    response = _client(world.alice).get(url)
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.worksheets[0]["E2"].value == world.site_a.delivery_point
    assert _client(world.charlie).get(url).status_code == 404  # another member
    assert _client(world.bob).get(url).status_code == 404  # same member, not his export
    assert _client(world.carol).get(url).status_code == 404
    connection.set_tenant(world.beta)
    dave = _client(world.dave, BETA_HOST)
    assert dave.get(url, HTTP_HOST=BETA_HOST).status_code == 404  # another syndicate
    connection.set_tenant(world.alpha)


def test_expired_job_answers_410(world, django_capture_on_commit_callbacks):
    job = _done_job(world.alice, django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = _client(world.alice).get(reverse("reports:job_download", kwargs={"job_id": job.id}))
    assert response.status_code == 410
    assert "plus disponible" in response.content.decode()


def test_email_link_requires_the_same_user_and_expires(world, django_capture_on_commit_callbacks, time_machine):
    job = _done_job(world.alice, django_capture_on_commit_callbacks)
    token = download_token(schema="alpha", job_id=str(job.id))
    url = reverse("reports:link_download", kwargs={"token": token})
    assert _client(world.alice).get(url).status_code == 200
    assert _client(world.charlie).get(url).status_code == 404
    anonymous = TenantClient(ALPHA_HOST).get(url)
    assert anonymous.status_code == 302
    # A link signed for another syndicate's schema, replayed here: 404.
    foreign = download_token(schema="beta", job_id=str(job.id))
    assert _client(world.alice).get(reverse("reports:link_download", kwargs={"token": foreign})).status_code == 404
    forged = url.rstrip("/") + "x/"
    assert _client(world.alice).get(forged).status_code == 404
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    assert _client(world.alice).get(url).status_code == 410


def test_direct_download_of_a_small_export(world):
    response = _client(world.alice).get(
        reverse("reports:direct_download", kwargs={"report": "perimeter_file"}) + "?format=xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == services.XLSX_CONTENT_TYPE
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [r[4] for r in ws.iter_rows(min_row=2, values_only=True)] == [world.site_a.delivery_point]


def test_direct_download_too_large_becomes_a_job(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "DIRECT_MAX_ROWS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.alice).get(reverse("reports:direct_download", kwargs={"report": "perimeter_file"}))
    assert response.status_code == 302
    assert ExportJob.objects.get(requested_by=world.alice).status == ExportStatus.DONE


def test_request_from_the_page(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.alice).post(reverse("reports:job_create"), {"report": "perimeter_file"})
    assert response.status_code == 302
    assert ExportJob.objects.filter(requested_by=world.alice, status=ExportStatus.DONE).count() == 1
    assert _client(world.bob).post(reverse("reports:job_create"), {"report": "perimeter_file"}).status_code == 403


@pytest.mark.parametrize("report", ["nope"])
def test_unknown_report_direct_is_404(world, report):
    assert _client(world.alice).get(reverse("reports:direct_download", kwargs={"report": report})).status_code == 404
