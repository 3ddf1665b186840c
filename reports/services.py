"""Writes of export jobs. The status of a job changes only here.

export_request  → queued (and the task queued on commit)
export_request_staff → the same, asked by an account manager from the back-office
export_run      → running → done (idempotent: a done job is neither rebuilt nor re-emailed)
export_fail     → failed, with a message the user reads on "Mes exports"
exports_purge_expired → an expired job's file deleted (the job stays: "Expiré" on "Mes exports")
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.mail import mail_message, mail_render
from accounts.models import User
from config.storage import PurgeCounts, rows_files_purge
from reports.choices import ExportStatus
from reports.extensions import staff_links
from reports.links import LINK_VALIDITY, download_token
from reports.models import ExportJob
from reports.registry import (
    Params,
    ReportDefinition,
    Requester,
    StaffRequester,
    SyndicateReportDefinition,
    get_definition,
)
from spreadsheets.xlsx import write_xlsx
from tenants.db import current_schema
from tenants.models import Syndicate
from tenants.services import syndicate_url

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Direct (synchronous) downloads are allowed up to this many rows.
DIRECT_MAX_ROWS = 5_000
PROGRESS_EVERY = 20_000


def _definition_for(user: User, report: str, params: Params | None) -> tuple[ReportDefinition, Params]:
    definition = get_definition(report)
    if definition is None:
        raise ValidationError({"report": "Rapport inconnu."})
    if not definition.allowed_for(user):
        raise PermissionDenied("Vous n'avez pas accès à ce rapport.")
    cleaned = definition.clean_params(dict(params or {}))
    if definition.check_access is not None:
        definition.check_access(user, cleaned)
    return definition, cleaned


def _staff_definition(manager: User, report: str, params: Params | None) -> tuple[SyndicateReportDefinition, Params]:
    if not manager.is_account_manager:
        raise PermissionDenied("Réservé aux chargés de compte du fournisseur.")
    definition = get_definition(report)
    if definition is None:
        raise ValidationError({"report": "Rapport inconnu."})
    if not isinstance(definition, SyndicateReportDefinition):
        # Member-scoped reports are read for a user of the syndicate; staff ask for the whole syndicate only.
        raise PermissionDenied("Ce rapport n'est pas disponible depuis le back-office.")
    return definition, definition.clean_params(dict(params or {}))


def _requester(job: ExportJob) -> Requester:
    if job.requested_by is None:
        return StaffRequester(email=job.requested_by_staff)
    return job.requested_by


def _rows(definition: ReportDefinition, requester: Requester, params: Params) -> Iterable[Sequence[Any]]:
    if isinstance(requester, StaffRequester):
        if not isinstance(definition, SyndicateReportDefinition):
            raise PermissionDenied("Ce rapport n'est pas disponible depuis le back-office.")
        return definition.rows(requester, params)
    return definition.rows(requester, params)


def _audit_job(action: str, job: ExportJob, *, request: HttpRequest | None = None, details: dict[str, Any]) -> None:
    """One event in the syndicate's trail; staff are named by e-mail (no row for them here)."""
    if job.requested_by is None:
        audit_record(action=action, request=request, target=job, details=details, actor_email=job.requested_by_staff)
    else:
        audit_record(action=action, actor=job.requested_by, request=request, target=job, details=details)


def export_file_path(job: ExportJob, schema: str) -> str:
    """Where a job's file lives, relative to MEDIA_ROOT: the tenant and the member are in the path."""
    owner = str(job.member_id) if job.member_id is not None else "all"
    return f"exports/{schema}/{owner}/{job.id}.xlsx"


def export_absolute_path(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file_path


@transaction.atomic
def export_request(
    *, user: User, report: str, params: Params | None = None, request: HttpRequest | None = None
) -> ExportJob:
    """Record an export job and queue its build on the heavy queue once the job is committed."""
    from reports.tasks import build_export

    _definition, cleaned = _definition_for(user, report, params)
    job = ExportJob.objects.create(requested_by=user, member_id=user.member_id, report=report, parameters=cleaned)
    audit_record(action="export.requested", actor=user, request=request, target=job, details={"report": report})
    schema = current_schema()
    transaction.on_commit(lambda: build_export.delay(str(job.id), schema))
    return job


@transaction.atomic
def export_request_staff(
    *, manager: User, report: str, params: Params | None = None, request: HttpRequest | None = None
) -> ExportJob:
    """Record a syndicate-wide export asked by an account manager, and queue its build.

    The caller (the back-office) has entered the syndicate's schema explicitly; the job
    keeps the manager's e-mail, holds the whole syndicate (no member) and is built,
    retried and e-mailed like any other.
    """
    from reports.tasks import build_export

    _definition, cleaned = _staff_definition(manager, report, params)
    job = ExportJob.objects.create(
        requested_by=None, requested_by_staff=manager.email, member=None, report=report, parameters=cleaned
    )
    _audit_job("export.requested", job, request=request, details={"report": report, "by": "backoffice"})
    schema = current_schema()
    transaction.on_commit(lambda: build_export.delay(str(job.id), schema))
    return job


def export_direct(*, user: User, report: str, params: Params | None, out: IO[bytes], request: HttpRequest) -> int:
    """Write a small export straight into ``out`` (same definition as the background one).

    Raises ``ExportTooLarge`` when the report has more rows than a request should build.
    """
    definition, cleaned = _definition_for(user, report, params)
    count = definition.count(user, cleaned)
    if count > DIRECT_MAX_ROWS:
        raise ExportTooLarge(count)
    result = write_xlsx(
        out, columns=definition.columns, rows=definition.rows(user, cleaned), sheet_title=definition.title
    )
    audit_record(
        action="export.downloaded_direct",
        actor=user,
        request=request,
        details={"report": report, "params": cleaned, "rows": result.rows},
    )
    return result.rows


class ExportTooLarge(Exception):
    def __init__(self, rows: int) -> None:
        super().__init__(f"{rows} rows")
        self.rows = rows


def export_run(*, job_id: str) -> ExportJob:
    """Build a job's file, then email it. Safe to run twice: a done job is only (re)notified once.

    The task (``reports.tasks.BuildExport``) runs it under the job's advisory lock, so two
    deliveries never build at once.
    """
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status == ExportStatus.FAILED:
        return job
    if job.status != ExportStatus.DONE:
        job = _build(job)
    export_notify(job=job)
    return job


def _build(job: ExportJob) -> ExportJob:
    definition = get_definition(job.report)
    if definition is None:
        raise ValueError(f"Unknown report {job.report!r}")
    requester = _requester(job)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=now, progress_rows=0, attempts=job.attempts + 1
    )
    relative = export_file_path(job, current_schema())
    final = Path(settings.MEDIA_ROOT) / relative
    final.parent.mkdir(parents=True, exist_ok=True)

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress_rows=rows)

    # Written beside the final file and renamed at the end: a worker lost mid-build leaves
    # no half file under the job's name, and the rebuild starts from scratch.
    fd, partial = tempfile.mkstemp(dir=final.parent, prefix=f".{job.id}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            result = write_xlsx(
                out,
                columns=definition.columns,
                rows=_rows(definition, requester, job.parameters),
                sheet_title=definition.title,
                on_progress=progress,
                progress_every=PROGRESS_EVERY,
            )
        os.replace(partial, final)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    finished = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        progress_rows=result.rows,
        row_count=result.rows,
        finished_at=finished,
        file_path=relative,
        file_size=final.stat().st_size,
        error_message="",
        expires_at=finished + LINK_VALIDITY,
    )
    job.refresh_from_db()
    _audit_job(
        "export.completed",
        job,
        details={"report": job.report, "rows": result.rows, "sheets": result.sheets, "seconds": _seconds(job)},
    )
    return job


def _seconds(job: ExportJob) -> float | None:
    if job.started_at is None or job.finished_at is None:
        return None
    return round((job.finished_at - job.started_at).total_seconds(), 3)


def export_fail(*, job_id: str, message: str) -> ExportJob:
    """Mark a job failed with a message the user can read; a done job stays done."""
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, finished_at=now, error_message=message[:500]
    )
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    _audit_job("export.failed", job, details={"error": message[:500]})
    return job


def export_notify(*, job: ExportJob) -> bool:
    """Email the finished export once: ``emailed_at`` is claimed before sending.

    The claim is a conditional UPDATE, so two runs of the task cannot both send; if the
    mail server refuses, the claim is released and the task's retry sends it.
    """
    if job.status != ExportStatus.DONE:
        return False
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job.pk, emailed_at__isnull=True).update(emailed_at=now)
    if not claimed:
        return False
    try:
        _send_completion_email(job)
    except Exception:
        ExportJob.objects.filter(pk=job.pk, emailed_at=now).update(emailed_at=None)
        raise
    job.emailed_at = now
    return True


def _syndicate() -> Syndicate:
    # Workers enter the schema by name only: load the syndicate to know its address and name.
    return Syndicate.objects.get(schema_name=current_schema())


def _mail_links(job: ExportJob, token: str, syndicate: Syndicate) -> tuple[str, str]:
    """Where the mail sends its reader: "Mes exports" and the file's link, for who asked."""
    if job.is_staff_job:
        # Supplier staff log in on the public host: the back-office's pages, not the syndicate's.
        return staff_links(token)
    base = syndicate_url(syndicate).rstrip("/")
    return (
        base + reverse("reports:job_list", urlconf=settings.ROOT_URLCONF),
        base + reverse("reports:link_download", kwargs={"token": token}, urlconf=settings.ROOT_URLCONF),
    )


def _send_completion_email(job: ExportJob) -> None:
    definition = get_definition(job.report)
    title = definition.title if definition is not None else job.report
    # Small files travel attached; larger ones as a link (the threshold is a setting).
    attach = job.file_size is not None and job.file_size < settings.EXPORT_ATTACHMENT_MAX_BYTES
    token = download_token(schema=current_schema(), job_id=str(job.id))
    syndicate = _syndicate()
    exports_url, link_url = _mail_links(job, token, syndicate)
    subject = f"Votre export « {title} » est prêt"
    if job.is_staff_job:
        subject += f" ({syndicate.name})"  # staff export for several syndicates
    context: dict[str, Any] = {
        "job": job,
        "title": title,
        "attached": attach,
        "exports_url": exports_url,
        "link_url": link_url,
        "expires_at": job.expires_at,
    }
    body, html = mail_render(template="reports/email_export_done", context=context)
    message = mail_message(to=[job.requester_email], subject=subject, body=body, html=html)
    if attach:
        message.attach(
            f"{job.report}-{job.created_at:%Y%m%d-%H%M}.xlsx", export_absolute_path(job).read_bytes(), XLSX_CONTENT_TYPE
        )
    message.send()


def exports_purge_expired(*, now: datetime | None = None) -> PurgeCounts:
    """Delete the current syndicate's expired export files, and the orphans of its export folder.

    An expired job keeps its row (the list says "Expiré", the download answers 410) and
    loses its file path. A queued or running job is never touched, nor its temporary file.
    """
    now = now or timezone.now()
    in_progress = ExportJob.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
    counts = rows_files_purge(
        past=ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now),
        every=ExportJob.objects.all(),
        fields=("file_path",),
        folder=f"exports/{current_schema()}",
        now=now,
        in_use={str(pk) for pk in in_progress.values_list("pk", flat=True)},
    )
    if counts.total:
        audit_record(action="export.files_purged", details={"jobs": counts.expired, "orphan_files": counts.orphans})
    return counts
