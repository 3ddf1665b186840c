"""A received file's background ingestion: stored under the tenant, run once, retried, failed visibly."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.db import connections

from config.tasks import lock_key
from consumption.choices import IngestionStatus
from consumption.models import IngestionReport, LoadCurvePoint
from consumption.services import IngestionRefused, absolute_path, meter_file_receive
from consumption.tasks import ingest_meter_file
from tenants.db import connection

CURVE = (
    "point;horodate;puissance_w;pas_minutes\n"
    "{p};2025-01-15T10:00:00+01:00;1000;30\n"
    "{p};2025-01-15T10:30:00+01:00;abc;30\n"
)


def _receive(content: bytes, name: str = "cdc.csv") -> IngestionReport:
    return meter_file_receive(
        upload=io.BytesIO(content), file_name=name, size=len(content), received_by="mallory@fournisseur.test"
    )


@pytest.fixture
def received(base_site: Any, django_capture_on_commit_callbacks: Any) -> Callable[[], IngestionReport]:
    """Send the curve file; the task runs eagerly on commit; the refreshed report."""

    def send() -> IngestionReport:
        with django_capture_on_commit_callbacks(execute=True):
            report = _receive(CURVE.format(p=base_site.delivery_point).encode())
        report.refresh_from_db()
        return report

    return send


def test_the_file_is_stored_under_the_syndicate_then_ingested(received: Callable[[], IngestionReport]) -> None:
    report = received()

    assert report.file_path == f"ingestions/alpha/{report.pk}.dat"
    assert absolute_path(report.file_path).read_bytes().startswith(b"point;horodate")
    assert (report.status, report.accepted_rows, report.rejected_rows, report.attempts) == ("partial", 1, 1, 1)
    assert report.finished_at is not None
    assert report.progress_percent == 100
    assert report.error_report_path == f"ingestions/alpha/{report.pk}-rejets.xlsx"
    assert LoadCurvePoint.objects.count() == 1


def test_running_the_task_twice_ingests_once(received: Callable[[], IngestionReport]) -> None:
    report = received()
    finished_at = report.finished_at

    assert ingest_meter_file.delay(report.pk, "alpha").get() == IngestionStatus.PARTIAL

    assert IngestionReport.objects.count() == 1
    report.refresh_from_db()
    assert (report.attempts, report.inserted_rows, report.finished_at) == (1, 1, finished_at)
    assert not any("déjà reçu" in message for message in report.messages)
    assert LoadCurvePoint.objects.count() == 1


def test_a_second_delivery_leaves_a_running_ingestion_alone(base_site: Any) -> None:
    report = _receive(CURVE.format(p=base_site.delivery_point).encode())
    # Another worker holds the report's run (a redelivered task while the first still runs).
    other = psycopg.connect(**connections["default"].get_connection_params(), autocommit=True)
    try:
        other.execute(
            "SELECT pg_advisory_lock(%s, %s)", lock_key(ingest_meter_file.idempotency_key(report.pk, "alpha"))
        )
        assert ingest_meter_file.delay(report.pk, "alpha").get() == IngestionStatus.QUEUED
    finally:
        other.close()

    report.refresh_from_db()
    assert (report.status, report.attempts) == (IngestionStatus.QUEUED, 0)
    assert not LoadCurvePoint.objects.exists()
    assert ingest_meter_file.delay(report.pk, "alpha").get() == IngestionStatus.PARTIAL


@pytest.fixture
def worker_like_retries() -> Iterator[None]:
    """Eager tasks re-raise a retry by default; a worker runs it again instead (countdown aside)."""
    from config.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_a_file_lost_by_the_storage_fails_visibly_after_the_retries(base_site: Any, worker_like_retries: None) -> None:
    report = _receive(CURVE.format(p=base_site.delivery_point).encode())
    absolute_path(report.file_path).unlink()  # the storage lost it before the worker came

    assert ingest_meter_file.delay(report.pk, "alpha").get() == "failed"

    report.refresh_from_db()
    assert report.status == IngestionStatus.FAILED
    assert report.attempts == ingest_meter_file.max_retries + 1
    assert report.error_message == (
        "Le fichier reçu est introuvable dans le stockage : rien n'a été intégré. Renvoyez le fichier."
    )
    assert report.finished_at is not None
    assert not LoadCurvePoint.objects.exists()
    # A late redelivery changes nothing: the failure stays what the staff read.
    assert ingest_meter_file.delay(report.pk, "alpha").get() == IngestionStatus.FAILED


def test_a_file_over_the_limit_is_neither_stored_nor_recorded(
    base_site: Any, monkeypatch: pytest.MonkeyPatch, media_root: Any
) -> None:
    import consumption.services

    monkeypatch.setattr(consumption.services, "MAX_FILE_BYTES", 60)
    content = CURVE.format(p=base_site.delivery_point).encode()

    with pytest.raises(IngestionRefused, match="Fichier trop volumineux"):
        _receive(content)
    # A declared size that lies is caught while copying, and the partial copy removed.
    with pytest.raises(IngestionRefused):
        meter_file_receive(upload=io.BytesIO(content), file_name="x.csv", size=10, received_by="m@f.test")

    assert not IngestionReport.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_the_command_still_ingests_in_place(base_site: Any, alpha: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    path = tmp_path / "cdc.csv"
    path.write_text(CURVE.format(p=base_site.delivery_point))
    call_command("ingest_meter_data", "alpha", str(path), stdout=io.StringIO())

    connection.set_tenant(alpha)
    report = IngestionReport.objects.get()
    assert (report.status, report.received_by, report.file_path) == ("partial", "ingest_meter_data", "")
    assert report.error_report_path  # the rejected rows can be downloaded from the back-office too
