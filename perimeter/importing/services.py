"""Writes of import jobs. The status of a job changes only here.

import_request → queued (file stored under MEDIA_ROOT/imports/<schema>/, task queued on commit)
import_run     → validating → rejected (error report) | writing → done (summary of the changes)
import_fail    → failed, with a message the account manager reads on the job's page
import_files_purge → a finished job's listing and error report deleted after the retention period
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from config.storage import PurgeCounts, rows_files_purge
from perimeter.importing.choices import FINISHED_STATUSES, ImportStatus
from perimeter.importing.models import ImportJob
from perimeter.importing.planning import listing_plan, listing_write
from perimeter.importing.reading import MAX_FILE_BYTES, CellError, ListingRefused, check_file, read_listing
from perimeter.importing.report import error_report_write
from perimeter.models import Lot
from tenants.db import current_schema

logger = logging.getLogger(__name__)

# Share of the progress bar per phase: reading the cells, checking, writing.
READ_SHARE, CHECK_SHARE = 50, 70


def import_dir(schema: str) -> Path:
    """Where a syndicate's listings and error reports live: the tenant is in the path."""
    return Path(settings.MEDIA_ROOT) / "imports" / schema


def absolute_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def listing_store(*, upload: IO[bytes], original_name: str, size: int, schema: str, job_id: str) -> str:
    """Copy the uploaded file under the tenant's import folder, then refuse it if it must not be opened."""
    if size > MAX_FILE_BYTES:
        # Refused before a single byte is copied.
        check_file(Path("/nonexistent"), original_name=original_name, size=size)
    relative = f"imports/{schema}/{job_id}.xlsx"
    target = absolute_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            out.write(chunk)
    try:
        check_file(target, original_name=original_name, size=target.stat().st_size)
    except ListingRefused:
        target.unlink(missing_ok=True)
        raise
    return relative


@transaction.atomic
def import_request(*, lot: Lot, upload: IO[bytes], original_name: str, size: int, requested_by_email: str) -> ImportJob:
    """Store the listing, record the job and queue its run on the heavy queue once committed.

    Raises ``ListingRefused`` (nothing recorded) when the file is refused outright.
    """
    from perimeter.importing.tasks import run_import

    schema = current_schema()
    job = ImportJob(lot=lot, requested_by_email=requested_by_email, original_name=original_name[:255])
    job.file_path = listing_store(
        upload=upload, original_name=original_name, size=size, schema=schema, job_id=str(job.id)
    )
    job.file_size = absolute_path(job.file_path).stat().st_size
    job.save()
    audit_record(
        action="import.requested",
        actor_email=requested_by_email,
        target=job,
        details={"lot": lot.number, "file": job.original_name, "size": job.file_size},
    )
    job_id = str(job.id)
    transaction.on_commit(lambda: run_import.delay(job_id, schema))
    return job


def _progress(job_id: str, percent: int, label: str, **fields: object) -> None:
    ImportJob.objects.filter(pk=job_id).update(progress_percent=min(percent, 100), progress_label=label[:200], **fields)


def import_run(*, job_id: str) -> ImportJob:
    """Check the whole listing, then write it all or not at all. A finished job is left as it is.

    The task (``perimeter.importing.tasks.RunImport``) runs it under the job's advisory lock,
    so two deliveries never run it at once.
    """
    job = ImportJob.objects.select_related("lot").get(pk=job_id)
    if job.status in FINISHED_STATUSES:
        return job
    return _run(job)


def _run(job: ImportJob) -> ImportJob:
    job_id = str(job.id)
    _progress(
        job_id,
        0,
        _("Lecture du fichier…"),
        status=ImportStatus.VALIDATING,
        started_at=timezone.now(),
        attempts=job.attempts + 1,
    )

    def on_read(read: int, total: int) -> None:
        share = READ_SHARE * read // total if total else 0
        _progress(job_id, share, _("%(n)d lignes lues…") % {"n": read}, rows_read=read)

    path = absolute_path(job.file_path)
    try:
        check_file(path, original_name=job.original_name, size=path.stat().st_size)
        listing = read_listing(path, on_progress=on_read)
    except ListingRefused as refusal:
        return _reject(job, message=refusal.message, errors=[])
    _progress(job_id, READ_SHARE, _("Contrôle des lignes…"), rows_read=listing.row_count)
    plan, errors = listing_plan(listing, lot=job.lot)
    if plan is None:
        return _reject(job, message=_("Le fichier contient des erreurs : rien n'a été importé."), errors=errors)
    _progress(job_id, CHECK_SHARE, _("Écriture…"), status=ImportStatus.WRITING)
    summary = plan.summary()
    with transaction.atomic():
        listing_write(plan=plan)
        # The job is done in the same transaction as the writes: a worker lost in between leaves neither.
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.DONE,
            progress_percent=100,
            progress_label=_("Import terminé.") if plan.has_changes else _("Import terminé : aucun changement."),
            summary=summary,
            finished_at=timezone.now(),
        )
        audit_record(
            action="import.completed",
            actor_email=job.requested_by_email,
            target=job,
            details={"lot": job.lot.number, "file": job.original_name, "counts": summary["counts"]},
        )
    job.refresh_from_db()
    return job


def _reject(job: ImportJob, *, message: str, errors: list[CellError]) -> ImportJob:
    fields: dict[str, object] = {}
    if errors:
        relative = f"imports/{current_schema()}/{job.id}-erreurs.xlsx"
        error_report_write(absolute_path(relative), errors)
        fields["error_report_path"] = relative
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.REJECTED,
        progress_percent=100,
        progress_label=message[:200],
        error_message=message[:500],
        error_count=len(errors),
        finished_at=timezone.now(),
        **fields,
    )
    audit_record(
        action="import.rejected",
        actor_email=job.requested_by_email,
        target=job,
        details={"file": job.original_name, "errors": len(errors), "message": message},
    )
    job.refresh_from_db()
    return job


def import_fail(*, job_id: str, message: str) -> ImportJob:
    """A technical failure (not the file's fault): the job says so; nothing was written."""
    ImportJob.objects.filter(pk=job_id).exclude(status__in=FINISHED_STATUSES).update(
        status=ImportStatus.FAILED,
        error_message=message[:500],
        progress_label=message[:200],
        finished_at=timezone.now(),
    )
    return ImportJob.objects.get(pk=job_id)


def import_files_purge(*, now: datetime | None = None) -> PurgeCounts:
    """Delete the listings (and error reports) of the current syndicate's finished imports past the retention.

    ``settings.STORED_UPLOAD_RETENTION_DAYS`` after a job finished, its files go and its
    row stays (what was imported is in the summary); a job still queued or running keeps
    its file whatever its age. Orphan files of the import folder go too.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.STORED_UPLOAD_RETENTION_DAYS)
    counts = rows_files_purge(
        past=ImportJob.objects.filter(status__in=FINISHED_STATUSES, finished_at__lte=cutoff),
        every=ImportJob.objects.all(),
        fields=("file_path", "error_report_path"),
        folder=f"imports/{current_schema()}",
        now=now,
    )
    if counts.total:
        audit_record(action="import.files_purged", details={"jobs": counts.expired, "orphan_files": counts.orphans})
    return counts
