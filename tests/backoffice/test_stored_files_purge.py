"""The daily purge of stored files: expired exports, old uploads and orphans go; files in use stay.

Real files on disk under a temporary MEDIA_ROOT. Alpha's folders are purged while
beta's (the other syndicate) hold the same kinds of files, which must stay put.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from backoffice.tasks import stored_files_purge_all
from consumption.models import IngestionReport
from consumption.services import ingestion_files_purge
from perimeter.importing.models import ImportJob
from perimeter.importing.services import import_files_purge
from reports.models import ExportJob
from reports.services import exports_purge_expired
from tests.conftest import logged_in
from tests.factories import LotFactory

LONG_AGO = dt.timedelta(days=40)  # past the 30 days' retention and the orphans' grace


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORED_UPLOAD_RETENTION_DAYS = 30
    return settings.MEDIA_ROOT


def _file(media: Path, relative: str, *, age: dt.timedelta = dt.timedelta(0)) -> Path:
    path = media / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 stored")
    stamp = (timezone.now() - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _present(*paths: Path) -> list[Path]:
    return [path for path in paths if path.exists()]


def _missing(*paths: Path) -> list[Path]:
    return [path for path in paths if not path.exists()]


def _export(user: Any, schema: str, media: Path, *, status: str = "done", expires_in: dt.timedelta) -> ExportJob:
    now = timezone.now()
    job = ExportJob.objects.create(requested_by=user, member=user.member, report="perimeter_file", status=status)
    if status == "done":
        job.file_path = f"exports/{schema}/{user.member_id}/{job.id}.xlsx"
        job.finished_at, job.expires_at = now + expires_in - dt.timedelta(days=7), now + expires_in
        job.save()
        _file(media, job.file_path, age=dt.timedelta(days=7) - expires_in)
    return job


def test_expired_export_files_go_and_the_job_says_expired(world: Any, media: Path) -> None:
    expired = _export(world.alice, "alpha", media, expires_in=-dt.timedelta(hours=1))
    fresh = _export(world.alice, "alpha", media, expires_in=dt.timedelta(days=3))
    running = _export(world.alice, "alpha", media, status="running", expires_in=dt.timedelta(0))
    # A running build writes beside its final name; the file may be old if the build is long.
    partial = _file(media, f"exports/alpha/{world.member_a.pk}/.{running.id}.x1y2.part", age=LONG_AGO)
    orphan = _file(media, f"exports/alpha/{world.member_a.pk}/00000000-dead-4000-8000-000000000000.xlsx", age=LONG_AGO)
    young_orphan = _file(media, f"exports/alpha/all/.{'0' * 8}.part")
    expired_file = media / expired.file_path

    counts = exports_purge_expired()

    assert (counts.expired, counts.orphans) == (1, 1)
    assert _present(expired_file, orphan) == []
    assert _missing(media / fresh.file_path, partial, young_orphan) == []
    expired.refresh_from_db()
    assert (expired.status, expired.file_path) == ("done", "")  # the row stays
    page = logged_in(world.alice).get("/exports/")
    assert "Expiré" in page.content.decode()
    assert logged_in(world.alice).get(f"/exports/{expired.id}/telecharger/").status_code == 410
    event = AuditEvent.objects.get(action="export.files_purged")
    assert event.details == {"jobs": 1, "orphan_files": 1}
    # A second run finds nothing more to delete.
    assert exports_purge_expired().total == 0


def _import(lot: Any, media: Path, *, status: str, finished_ago: dt.timedelta | None) -> ImportJob:
    job = ImportJob(lot=lot, requested_by_email="mallory@fournisseur.test", original_name="listing.xlsx")
    job.file_path = f"imports/alpha/{job.id}.xlsx"
    job.status = status
    if finished_ago is not None:
        job.finished_at = timezone.now() - finished_ago
        job.error_report_path = f"imports/alpha/{job.id}-erreurs.xlsx"
        _file(media, job.error_report_path, age=finished_ago)
    job.created_at = timezone.now() - (finished_ago or LONG_AGO)
    job.save()
    _file(media, job.file_path, age=finished_ago or LONG_AGO)
    return job


def test_listings_go_after_the_retention_unless_still_in_use(world: Any, media: Path) -> None:
    lot = LotFactory(number=1)
    old = _import(lot, media, status="rejected", finished_ago=LONG_AGO)
    recent = _import(lot, media, status="done", finished_ago=dt.timedelta(days=2))
    stuck = _import(lot, media, status="validating", finished_ago=None)  # running for 40 days: still in use
    orphan = _file(media, "imports/alpha/lost.xlsx", age=LONG_AGO)
    old_files = [media / old.file_path, media / old.error_report_path]

    counts = import_files_purge()

    assert (counts.expired, counts.orphans) == (1, 1)
    assert _present(*old_files, orphan) == []
    assert _missing(media / recent.file_path, media / recent.error_report_path, media / stuck.file_path) == []
    old.refresh_from_db()
    assert (old.status, old.file_path, old.error_report_path) == ("rejected", "", "")
    assert AuditEvent.objects.filter(action="import.files_purged").exists()


def _ingestion(schema: str, media: Path, *, status: str, finished_ago: dt.timedelta | None) -> IngestionReport:
    report = IngestionReport.objects.create(file_name="R171.xml", checksum="0" * 64, status=status)
    report.file_path = f"ingestions/{schema}/{report.pk}.dat"
    if finished_ago is not None:
        report.finished_at = timezone.now() - finished_ago
    report.save()
    _file(media, report.file_path, age=finished_ago or LONG_AGO)
    return report


def test_meter_data_files_go_after_the_retention_and_other_syndicates_keep_theirs(
    world: Any, media: Path, beta_tenant: Any
) -> None:
    with tenant_context(beta_tenant):
        beta_old = _ingestion("beta", media, status="accepted", finished_ago=LONG_AGO)
    beta_orphan = _file(media, "ingestions/beta/999999.dat", age=LONG_AGO)
    beta_export = _file(media, "exports/beta/all/00000000-beef-4000-8000-000000000000.xlsx", age=LONG_AGO)
    old = _ingestion("alpha", media, status="partial", finished_ago=LONG_AGO)
    recent = _ingestion("alpha", media, status="accepted", finished_ago=dt.timedelta(days=1))
    queued = _ingestion("alpha", media, status="queued", finished_ago=None)
    orphan = _file(media, "ingestions/alpha/999999.dat", age=LONG_AGO)

    counts = ingestion_files_purge()
    exports_purge_expired()

    assert (counts.expired, counts.orphans) == (1, 1)
    assert _present(media / old.file_path, orphan) == []
    assert _missing(media / recent.file_path, media / queued.file_path) == []
    # Beta's files, old as they are, were not alpha's to delete.
    assert _missing(media / beta_old.file_path, beta_orphan, beta_export) == []


def test_the_daily_task_purges_every_syndicate(world: Any, media: Path, beta_tenant: Any) -> None:
    with tenant_context(beta_tenant):
        beta_old = _ingestion("beta", media, status="rejected", finished_ago=LONG_AGO)
    expired = _export(world.alice, "alpha", media, expires_in=-dt.timedelta(days=1))
    expired_file = media / expired.file_path

    result = stored_files_purge_all.delay().get()

    assert result["alpha"]["exports_expired"] == 1
    assert result["beta"]["ingestions_expired"] == 1
    assert _present(expired_file, media / beta_old.file_path) == []
    with tenant_context(beta_tenant):
        assert AuditEvent.objects.filter(action="consumption.files_purged").count() == 1
