"""Writes of the consumption app: ingestion of a meter-data file, with its report.

Two ways in, one ingestion (``_ingest``):

- in place (``meter_file_ingest``: the command, the inbox task): the report is created
  ``running`` and finished before the function returns;
- in the background (``meter_file_receive``: the staff API, the back-office page): the
  file is stored under ``MEDIA_ROOT/ingestions/<schema>/``, the report is recorded
  ``queued`` and the task ``consumption.ingest_meter_file`` is queued on the heavy
  queue once committed; ``ingestion_run`` then ingests it (once, whatever the number of
  deliveries), ``ingestion_fail`` records a technical failure after the last retry.

A report's status changes only in ``_status_change``. ``ingestion_files_purge`` deletes
the stored files of finished reports after the retention period (the report stays).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.audit import audit_record
from config.storage import PurgeCounts, rows_files_purge
from consumption.choices import INGESTION_FINISHED, FileKind, IngestionStatus, ReadingSource
from consumption.copy import lock_tenant_ingestion
from consumption.ingestion.daily_index import daily_index_load, daily_index_prepare
from consumption.ingestion.energy import daily_energy_load
from consumption.ingestion.gas_daily import gas_daily_prepare
from consumption.ingestion.load_curve import load_curve_load, load_curve_prepare
from consumption.ingestion.parsing import FileFormatError, parse
from consumption.ingestion.periodic import periodic_readings_load, periodic_readings_prepare
from consumption.ingestion.readings import readings_store
from consumption.ingestion.report import MAX_DETAILED_REJECTIONS, Rejections, rejected_rows_write
from consumption.models import IngestionReport
from tenants.db import current_schema

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024


def file_size_refusal(size: int) -> str | None:
    """Why a file of ``size`` bytes cannot be ingested (French), or None.

    Callers that hold a file on disk or an upload check its size with this *before*
    reading it into memory; ``meter_file_ingest`` checks again as the last guard.
    """
    if size > MAX_FILE_BYTES:
        return f"Fichier trop volumineux (maximum {MAX_FILE_BYTES // (1024 * 1024)} Mo)."
    return None


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._start = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._start, 4)
        self._start = now


def _write(kind: str, rows: pd.DataFrame, rejections: Rejections, clock: _Clock) -> tuple[int, int]:
    with connection.cursor() as cursor:
        lock_tenant_ingestion(cursor)
    if kind == FileKind.LOAD_CURVE:
        counts = load_curve_load(rows)
        clock.lap("load")
        return counts
    if kind == FileKind.GAS_DAILY:
        counts = daily_energy_load(rows[["site_id", "day", "kwh"]])
        clock.lap("load")
        return counts
    if kind == FileKind.PERIODIC:
        readings = periodic_readings_load(rows, rejections)
        clock.lap("checks")
        counts = readings_store(readings, source=ReadingSource.PERIODIC)
        clock.lap("load")
        return counts
    readings, energy = daily_index_load(rows, rejections)
    clock.lap("differences")
    reading_counts = readings_store(readings, source=ReadingSource.DAILY_FLOW)
    energy_counts = daily_energy_load(energy)
    clock.lap("load")
    return reading_counts[0] + energy_counts[0], reading_counts[1] + energy_counts[1]


PREPARERS: dict[str, Callable[[pd.DataFrame, Rejections], pd.DataFrame]] = {
    FileKind.DAILY_INDEX: daily_index_prepare,
    FileKind.LOAD_CURVE: load_curve_prepare,
    FileKind.GAS_DAILY: gas_daily_prepare,
    FileKind.PERIODIC: periodic_readings_prepare,
}
# The outcomes a later file with the same content is compared with ("déjà reçu").
RECEIVED = (IngestionStatus.ACCEPTED, IngestionStatus.PARTIAL, IngestionStatus.REJECTED)
TECHNICAL_FAILURE = (
    "L'intégration n'a pas pu être exécutée : rien n'a été enregistré. L'équipe technique a été prévenue."
)


class IngestionRefused(Exception):
    """A file refused before anything is recorded (too large); ``message`` is for the sender (French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def stored_path(name: str) -> str:
    """Where a syndicate's received files and rejected-row reports live (relative to MEDIA_ROOT): the tenant
    is in the path."""
    return f"ingestions/{current_schema()}/{name}"


def absolute_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _status_change(report: IngestionReport, status: str, **fields: Any) -> None:
    """The one place a report's status changes (the instance follows the row)."""
    fields["status"] = status
    if status in INGESTION_FINISHED:
        fields.setdefault("finished_at", timezone.now())
        fields.setdefault("progress_percent", 100)
    for name, value in fields.items():
        setattr(report, name, value)
    if report.pk is None:
        report.save()
    else:
        report.save(update_fields=[*fields, "checksum", "kind", "file_format", "duplicate_of"])


def _progress(report: IngestionReport, percent: int, label: str) -> None:
    # Outside the ingestion's transaction, so that the status page sees it while the file runs.
    IngestionReport.objects.filter(pk=report.pk).update(progress_percent=percent, progress_label=label[:200])


def meter_file_ingest(
    *, content: bytes, file_name: str, kind: str | None = None, received_by: str = ""
) -> IngestionReport:
    """Ingest one distributor file in the current syndicate's schema and return its report.

    Good rows are written (all of them or none: one transaction), bad rows are listed
    in the report with their reason. Idempotent: sending the same file again changes
    no stored value, and the report says the file was already received.
    """
    report = IngestionReport(
        file_name=file_name[:255], kind=kind or "", received_by=received_by, file_size=len(content)
    )
    _status_change(report, IngestionStatus.RUNNING, attempts=1, started_at=timezone.now())
    try:
        _ingest(report, content)
    except Exception:
        # Nothing was written (the data and the outcome share one transaction): say so, then let it raise.
        ingestion_fail(report_id=report.pk, message=TECHNICAL_FAILURE)
        raise
    return report


def _ingest(report: IngestionReport, content: bytes) -> None:
    clock = _Clock()
    report.checksum = hashlib.sha256(content).hexdigest()
    report.duplicate_of = (
        IngestionReport.objects.filter(checksum=report.checksum, status__in=RECEIVED)
        .exclude(pk=report.pk)
        .order_by("created_at", "id")
        .first()
    )
    previous = report.duplicate_of
    rejections = Rejections()
    try:
        refusal = file_size_refusal(len(content))
        if refusal:
            raise FileFormatError(refusal)
        report.file_format, report.kind, frame = parse(content, kind=report.kind or None)
    except FileFormatError as error:
        _status_change(
            report,
            IngestionStatus.REJECTED,
            messages=[str(error)],
            progress_label=str(error)[:200],
            timings=clock.timings,
        )
        return
    clock.lap("parse")
    _progress(report, 30, "Contrôle des lignes…")
    received = len(frame)
    rows = PREPARERS[report.kind](frame, rejections)
    clock.lap("validate")
    _progress(report, 60, "Écriture des données…")
    with transaction.atomic():
        inserted, updated = _write(report.kind, rows, rejections, clock)
        details = rejections.sorted_details()
        fields: dict[str, Any] = {
            "received_rows": received,
            "rejected_rows": rejections.count,
            "accepted_rows": received - rejections.count,
            "inserted_rows": inserted,
            "updated_rows": updated,
            "rejected": details[:MAX_DETAILED_REJECTIONS],
            "rejection_summary": rejections.summary(),
        }
        if details:
            relative = stored_path(f"{report.pk}-rejets.xlsx")
            rejected_rows_write(absolute_path(relative), details)
            fields["error_report_path"] = relative
            clock.lap("report")
        messages = list(rejections.messages)
        if previous is not None:
            messages.insert(0, f"Fichier déjà reçu le {previous.created_at:%d/%m/%Y à %H:%M} (même contenu).")
        if inserted == 0 and updated == 0 and fields["accepted_rows"]:
            messages.append("Aucune donnée nouvelle ou modifiée : tout était déjà enregistré.")
        if fields["accepted_rows"] == 0:
            status = IngestionStatus.REJECTED
        elif fields["rejected_rows"]:
            status = IngestionStatus.PARTIAL
        else:
            status = IngestionStatus.ACCEPTED
        # Finished in the same transaction as the data: a worker lost in between leaves neither.
        _status_change(
            report,
            status,
            messages=messages,
            progress_label=str(IngestionStatus(status).label),
            timings=clock.timings,
            **fields,
        )


def _store(upload: IO[bytes], target: Path) -> tuple[int, str]:
    """Copy the upload by chunks (never whole in memory); (size, SHA-256). Refused past the size limit."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            size += len(chunk)
            refusal = file_size_refusal(size)
            if refusal:  # the declared size lied
                out.close()
                target.unlink(missing_ok=True)
                raise IngestionRefused(refusal)
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


@transaction.atomic
def meter_file_receive(
    *, upload: IO[bytes], file_name: str, size: int, kind: str | None = None, received_by: str
) -> IngestionReport:
    """Store a distributor file, record its report ``queued`` and queue its ingestion once committed.

    Raises ``IngestionRefused`` (nothing recorded, nothing stored) for a file over the limit.
    """
    from consumption.tasks import ingest_meter_file

    refusal = file_size_refusal(size)
    if refusal:  # refused before a single byte is copied
        raise IngestionRefused(refusal)
    schema = current_schema()
    report = IngestionReport(file_name=file_name[:255], kind=kind or "", received_by=received_by)
    _status_change(report, IngestionStatus.QUEUED, progress_label="En attente de traitement…")
    report.file_path = stored_path(f"{report.pk}.dat")
    report.file_size, report.checksum = _store(upload, absolute_path(report.file_path))
    report.save(update_fields=["file_path", "file_size", "checksum"])
    audit_record(
        action="consumption.file_received",
        actor_email=received_by,
        target=report,
        details={"file": report.file_name, "size": report.file_size, "kind": report.kind},
    )
    report_id = report.pk
    transaction.on_commit(lambda: ingest_meter_file.delay(report_id, schema))
    return report


def ingestion_run(*, report_id: int) -> IngestionReport:
    """Ingest a received file into its report. A finished report is left as it is.

    The task (``consumption.tasks.IngestMeterFile``) runs it under the report's advisory
    lock, so two deliveries never run it at once. Raises ``OSError`` when the stored file
    cannot be read (the task retries).
    """
    report = IngestionReport.objects.get(pk=report_id)
    if report.is_finished:
        return report
    _status_change(
        report,
        IngestionStatus.RUNNING,
        attempts=report.attempts + 1,
        started_at=timezone.now(),
        progress_percent=5,
        progress_label="Lecture du fichier…",
    )
    content = absolute_path(report.file_path).read_bytes()
    _ingest(report, content)
    return report


def ingestion_retry_wait(*, report_id: int, message: str) -> None:
    """A transient failure: the report waits for the task's next attempt and says so."""
    report = IngestionReport.objects.get(pk=report_id)
    if not report.is_finished:
        _status_change(report, IngestionStatus.QUEUED, progress_percent=0, progress_label=message[:200])


def ingestion_fail(*, report_id: int, message: str) -> IngestionReport:
    """A technical failure (not the file's fault): the report says so; nothing was written."""
    report = IngestionReport.objects.get(pk=report_id)
    if not report.is_finished:
        _status_change(report, IngestionStatus.FAILED, error_message=message[:500], progress_label=message[:200])
    return report


def report_summary(report: IngestionReport) -> dict[str, Any]:
    """The report as plain data (API answer, command output)."""
    return {
        "id": report.pk,
        "file_name": report.file_name,
        "kind": report.kind,
        "format": report.file_format,
        "status": report.status,
        "finished": report.is_finished,
        "progress_percent": report.progress_percent,
        "progress_label": report.progress_label,
        "error_message": report.error_message,
        "received_at": report.created_at.isoformat() if report.created_at else None,
        "finished_at": report.finished_at.isoformat() if report.finished_at else None,
        "checksum": report.checksum,
        "received_rows": report.received_rows,
        "accepted_rows": report.accepted_rows,
        "rejected_rows": report.rejected_rows,
        "inserted_rows": report.inserted_rows,
        "updated_rows": report.updated_rows,
        "already_received": report.duplicate_of_id is not None,
        "messages": report.messages,
        "rejection_summary": report.rejection_summary,
        "rejected": report.rejected,
        "has_rejected_rows_report": bool(report.error_report_path),
        "timings": report.timings,
    }


def ingestion_files_purge(*, now: datetime | None = None) -> PurgeCounts:
    """Delete the stored meter-data files (and rejected-rows workbooks) of finished reports past the retention.

    ``settings.STORED_UPLOAD_RETENTION_DAYS`` after a report finished its files go (the
    data is in the tables, the counts and reasons in the report); a report still queued
    or running keeps its file whatever its age. Orphan files of the folder go too.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.STORED_UPLOAD_RETENTION_DAYS)
    counts = rows_files_purge(
        past=IngestionReport.objects.filter(status__in=INGESTION_FINISHED, finished_at__lte=cutoff),
        every=IngestionReport.objects.all(),
        fields=("file_path", "error_report_path"),
        folder=f"ingestions/{current_schema()}",
        now=now,
    )
    if counts.total:
        audit_record(
            action="consumption.files_purged", details={"reports": counts.expired, "orphan_files": counts.orphans}
        )
    return counts
