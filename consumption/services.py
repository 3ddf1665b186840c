"""Writes of the consumption app: ingestion of a meter-data file, with its report."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from django.db import connection, transaction

from consumption.choices import FileKind, IngestionStatus
from consumption.copy import lock_tenant_ingestion
from consumption.ingestion.daily_index import daily_index_load, daily_index_prepare, readings_store
from consumption.ingestion.energy import daily_energy_load
from consumption.ingestion.gas_daily import gas_daily_prepare
from consumption.ingestion.load_curve import load_curve_load, load_curve_prepare
from consumption.ingestion.parsing import FileFormatError, parse
from consumption.ingestion.report import Rejections
from consumption.models import IngestionReport

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
    readings, energy = daily_index_load(rows, rejections)
    clock.lap("differences")
    reading_counts = readings_store(readings)
    energy_counts = daily_energy_load(energy)
    clock.lap("load")
    return reading_counts[0] + energy_counts[0], reading_counts[1] + energy_counts[1]


PREPARERS: dict[str, Callable[[pd.DataFrame, Rejections], pd.DataFrame]] = {
    FileKind.DAILY_INDEX: daily_index_prepare,
    FileKind.LOAD_CURVE: load_curve_prepare,
    FileKind.GAS_DAILY: gas_daily_prepare,
}


def meter_file_ingest(
    *, content: bytes, file_name: str, kind: str | None = None, received_by: str = ""
) -> IngestionReport:
    """Ingest one distributor file in the current syndicate's schema and return its report.

    Good rows are written (all of them or none: one transaction), bad rows are listed
    in the report with their reason. Idempotent: sending the same file again changes
    no stored value, and the report says the file was already received.
    """
    clock = _Clock()
    checksum = hashlib.sha256(content).hexdigest()
    previous = IngestionReport.objects.filter(checksum=checksum).order_by("created_at", "id").first()
    report = IngestionReport(
        file_name=file_name[:255],
        kind=kind or "",
        file_format="",
        checksum=checksum,
        received_by=received_by,
        duplicate_of=previous,
    )
    rejections = Rejections()
    try:
        refusal = file_size_refusal(len(content))
        if refusal:
            raise FileFormatError(refusal)
        report.file_format, report.kind, frame = parse(content, kind=kind)
    except FileFormatError as error:
        report.status = IngestionStatus.REJECTED
        report.messages = [str(error)]
        report.timings = clock.timings
        report.save()
        return report
    clock.lap("parse")
    report.received_rows = len(frame)
    with transaction.atomic():
        rows = PREPARERS[report.kind](frame, rejections)
        clock.lap("validate")
        report.inserted_rows, report.updated_rows = _write(report.kind, rows, rejections, clock)
        report.rejected_rows = rejections.count
        report.accepted_rows = report.received_rows - report.rejected_rows
        report.rejected = rejections.sorted_details()
        messages = list(rejections.messages)
        if previous is not None:
            messages.insert(0, f"Fichier déjà reçu le {previous.created_at:%d/%m/%Y à %H:%M} (même contenu).")
        if report.inserted_rows == 0 and report.updated_rows == 0 and report.accepted_rows:
            messages.append("Aucune donnée nouvelle ou modifiée : tout était déjà enregistré.")
        report.messages = messages
        if report.accepted_rows == 0:
            report.status = IngestionStatus.REJECTED
        elif report.rejected_rows:
            report.status = IngestionStatus.PARTIAL
        else:
            report.status = IngestionStatus.ACCEPTED
        report.timings = clock.timings
        report.save()
    return report


def report_summary(report: IngestionReport) -> dict[str, Any]:
    """The report as plain data (API answer, command output)."""
    return {
        "id": report.pk,
        "file_name": report.file_name,
        "kind": report.kind,
        "format": report.file_format,
        "status": report.status,
        "checksum": report.checksum,
        "received_rows": report.received_rows,
        "accepted_rows": report.accepted_rows,
        "rejected_rows": report.rejected_rows,
        "inserted_rows": report.inserted_rows,
        "updated_rows": report.updated_rows,
        "already_received": report.duplicate_of_id is not None,
        "messages": report.messages,
        "rejected": report.rejected,
        "timings": report.timings,
    }
