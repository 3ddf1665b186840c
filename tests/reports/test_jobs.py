"""Export jobs: request, background build, idempotency, failure, email (QUALITY.md item 13)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied

from accounts.models import AuditEvent
from perimeter.choices import SiteStatus
from perimeter.models import SiteStatusChange
from reports import services, tasks
from reports.choices import ExportStatus
from reports.definitions import PERIMETER_COLUMNS
from reports.models import ExportJob
from reports.registry import ReportDefinition, register, unregister
from spreadsheets.xlsx import Column
from tests.factories import SiteFactory


def _request(user, django_capture_on_commit_callbacks, report="perimeter_file", params=None):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(user=user, report=report, params=params)
    job.refresh_from_db()
    return job


def _readings(site):
    from django.db import connection

    rows = [
        (dt.date(2025, 1, 31), "HP", 11_000_000, "real"),
        (dt.date(2025, 6, 28), "HP", 12_345_678, "real"),
        (dt.date(2025, 6, 28), "HC", 4_321_000, "real"),
        (dt.date(2025, 6, 30), "HP", 12_400_000, "estimated"),
    ]
    with connection.cursor() as cursor:
        for read_on, post, index_wh, nature in rows:
            cursor.execute(
                "INSERT INTO consumption_reading (site_id, read_on, source, post, nature, index_wh, meter_turnover)"
                " VALUES (%s, %s, 'periodic', %s, %s, %s, false)",
                [site.pk, read_on, post, nature, index_wh],
            )


def test_perimeter_file_job_builds_file_and_emails_it(world, django_capture_on_commit_callbacks):
    terminated = SiteFactory(
        member=world.member_a,
        site_name='=HYPERLINK("http://evil")',
        status=SiteStatus.TERMINATED,
        activation_date=dt.date(2020, 1, 15),
        termination_date=dt.date(2025, 6, 30),
    )
    SiteStatusChange.objects.create(
        site=terminated,
        from_status=SiteStatus.ACTIVE,
        to_status=SiteStatus.TERMINATED,
    )
    _readings(terminated)
    job = _request(world.alice, django_capture_on_commit_callbacks)

    assert job.status == ExportStatus.DONE
    assert job.row_count == 2
    assert job.progress_rows == 2
    assert job.member_id == world.member_a.pk
    assert job.file_path == f"exports/alpha/{world.member_a.pk}/{job.id}.xlsx"
    assert job.started_at <= job.finished_at
    assert job.expires_at == job.finished_at + dt.timedelta(days=7)
    wb = openpyxl.load_workbook(Path(settings.MEDIA_ROOT) / job.file_path)
    ws = wb.worksheets[0]
    assert ws.title == "Fichier périmètre"
    assert [c.value for c in ws[1]] == [c.header for c in PERIMETER_COLUMNS]
    assert len(PERIMETER_COLUMNS) == 27
    rows: dict[Any, Any] = {r[4]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {world.site_a.delivery_point, terminated.delivery_point}  # nothing of member B
    row = rows[terminated.delivery_point]
    assert row[0] == "Ville d'Alpha"
    assert row[5] == '\'=HYPERLINK("http://evil")'
    assert row[20] == "Résilié"
    assert row[21] == dt.datetime(2020, 1, 15)
    assert row[22] == dt.datetime(2025, 6, 30)
    assert isinstance(row[23], dt.datetime)
    assert row[16] == 12
    assert row[17] == 8000
    assert row[25] == dt.datetime(2025, 6, 28)  # the latest real reading, not the later estimate
    assert row[26] == "HC 4321 ; HP 12345"
    assert rows[world.site_a.delivery_point][25] is None  # never read
    assert ws.freeze_panes == "A2"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@a.test"]
    assert "Fichier périmètre" in message.subject
    assert len(message.attachments) == 1  # small file: attached
    assert set(AuditEvent.objects.filter(target_id=str(job.id)).values_list("action", flat=True)) == {
        "export.requested",
        "export.completed",
    }


def test_coordinator_exports_the_whole_syndicate(world, django_capture_on_commit_callbacks):
    job = _request(world.carol, django_capture_on_commit_callbacks)
    assert job.member_id is None
    assert job.row_count == 2
    assert job.file_path.startswith("exports/alpha/all/")


def test_running_the_task_twice_sends_one_email_and_keeps_one_file(world, django_capture_on_commit_callbacks):
    job = _request(world.alice, django_capture_on_commit_callbacks)
    first = (job.file_path, job.finished_at)
    assert tasks.build_export.delay(str(job.id), "alpha").get() == ExportStatus.DONE
    tasks.build_export.apply(args=[str(job.id), "alpha"])
    job.refresh_from_db()
    assert (job.file_path, job.finished_at) == first  # not rebuilt
    assert len(mail.outbox) == 1
    files = list((Path(settings.MEDIA_ROOT) / "exports/alpha").rglob("*"))
    assert [f.name for f in files if f.is_file()] == [f"{job.id}.xlsx"]


def test_redelivery_after_a_lost_worker_rebuilds_once(world, django_capture_on_commit_callbacks):
    job = _request(world.alice, django_capture_on_commit_callbacks)
    # The worker died after marking the job running (acks_late: the broker delivers again).
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, emailed_at=None, row_count=None)
    mail.outbox.clear()
    tasks.build_export.apply(args=[str(job.id), "alpha"])
    tasks.build_export.apply(args=[str(job.id), "alpha"])
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.row_count == 1
    assert job.attempts == 2
    assert len(mail.outbox) == 1


def test_large_file_is_sent_as_an_expiring_link(world, django_capture_on_commit_callbacks, settings):
    settings.EXPORT_ATTACHMENT_MAX_BYTES = 10
    _request(world.alice, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.attachments == []
    assert "http://alpha.localhost:8000/exports/lien/" in message.body


@pytest.fixture
def broken_report():
    def rows(user, params):
        raise RuntimeError("database on fire")
        yield ()

    definition = register(
        ReportDefinition(name="broken", title="Rapport cassé", columns=[Column("A")], rows=rows, count=lambda u, p: 0)
    )
    yield definition
    unregister("broken")


def test_a_failing_definition_ends_in_a_visible_failed_state(world, broken_report, django_capture_on_commit_callbacks):
    job = _request(world.alice, django_capture_on_commit_callbacks, report="broken")
    assert job.status == ExportStatus.FAILED
    assert "n'a pas pu être produit" in job.error_message
    assert job.finished_at is not None
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="export.failed", target_id=str(job.id)).exists()
    assert not list((Path(settings.MEDIA_ROOT)).rglob("*.part"))


def _request_retried(user, django_capture_on_commit_callbacks, monkeypatch):
    # Eager Celery replays a retry in place only when it does not propagate the Retry.
    monkeypatch.setitem(tasks.build_export.app.conf, "task_eager_propagates", False)
    return _request(user, django_capture_on_commit_callbacks)


def test_transient_errors_are_retried_with_backoff_then_fail(world, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import OperationalError

    calls = []

    def flaky(*, job_id):
        calls.append(job_id)
        raise OperationalError("connection lost")

    monkeypatch.setattr(services, "export_run", flaky)
    job = _request_retried(world.alice, django_capture_on_commit_callbacks, monkeypatch)
    assert len(calls) == tasks.build_export.max_retries + 1  # bounded
    assert job.status == ExportStatus.FAILED
    assert "indisponible" in job.error_message


def test_transient_error_then_success(world, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import OperationalError

    real = services.export_run
    calls = []

    def once_flaky(*, job_id):
        calls.append(job_id)
        if len(calls) == 1:
            raise OperationalError("connection lost")
        return real(job_id=job_id)

    monkeypatch.setattr(services, "export_run", once_flaky)
    job = _request_retried(world.alice, django_capture_on_commit_callbacks, monkeypatch)
    assert len(calls) == 2
    assert job.status == ExportStatus.DONE
    assert len(mail.outbox) == 1


def test_task_is_routed_to_the_heavy_queue():
    assert settings.CELERY_TASK_ROUTES["reports.*"] == {"queue": "heavy"}
    assert tasks.build_export.name.startswith("reports.")


def test_rights_and_parameters_are_checked(world):
    with pytest.raises(PermissionDenied):
        services.export_request(user=world.bob, report="perimeter_file")  # bob has no Parc right
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.export_request(user=world.alice, report="nope")
    with pytest.raises(ValidationError):
        services.export_request(user=world.alice, report="perimeter_file", params={"member": world.member_b.pk})


def test_direct_export_uses_the_same_definition(world, rf):
    request = rf.get("/")
    request.user = world.alice
    out = io.BytesIO()
    assert services.export_direct(user=world.alice, report="perimeter_file", params={}, out=out, request=request) == 1
    out.seek(0)
    assert openpyxl.load_workbook(out).worksheets[0]["E2"].value == world.site_a.delivery_point
