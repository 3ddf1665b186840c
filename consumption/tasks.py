"""Background work of the consumption app: a received file's ingestion, partitions ahead of need, the inbox.

``ingest_meter_file`` is a tenant task (it takes the report id and the schema, like
every tenant task). Beat tasks run without a tenant; they iterate the syndicates
explicitly and enter each one with ``tenant_context`` (the per-syndicate work is
short and idempotent: creating an existing partition or re-ingesting a file changes
nothing).
"""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django_tenants.utils import tenant_context

from config.celery import app
from config.tasks import DATABASE_ERRORS, STORAGE_ERRORS, KeyState, PolicyTask
from consumption import services
from consumption.models import IngestionReport
from consumption.partitions import partitions_ensure
from consumption.services import file_size_refusal, meter_file_ingest
from tenants.models import Syndicate

logger = logging.getLogger(__name__)
PARTITIONS_AHEAD_MONTHS = 3


class IngestMeterFile(PolicyTask):
    """Ingest a received file (``services.meter_file_receive``) into its report."""

    name = "consumption.ingest_meter_file"
    queue = "heavy"
    idempotent = True
    max_retries = 3
    # The database or the file storage unavailable for a while (OSError covers a file not
    # found on a storage that lost it, and network mounts).
    transient_errors = DATABASE_ERRORS + STORAGE_ERRORS
    result_when_failed = "failed"

    def key_state(self, report_id: int, schema_name: str) -> KeyState:
        report = IngestionReport.objects.get(pk=report_id)
        return KeyState(done=report.is_finished, result=str(report.status))

    def run(self, report_id: int, schema_name: str) -> str:
        return str(services.ingestion_run(report_id=report_id).status)

    def on_retry_wait(self, error: BaseException, countdown: int, report_id: int, schema_name: str) -> None:
        attempt = self.request.retries + 1
        services.ingestion_retry_wait(
            report_id=report_id,
            message=f"Incident passager, nouvel essai dans {countdown} s ({attempt}/{self.max_retries}).",
        )

    def on_give_up(self, error: BaseException, report_id: int, schema_name: str) -> None:
        # Nothing was written: the report says why (a bug gets the technical failure message).
        message = _transient_message(error) if self.is_transient(error) else services.TECHNICAL_FAILURE
        services.ingestion_fail(report_id=report_id, message=message)


def _transient_message(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        return "Le fichier reçu est introuvable dans le stockage : rien n'a été intégré. Renvoyez le fichier."
    if isinstance(error, OSError):
        return "Le stockage des fichiers est indisponible : rien n'a été intégré. Renvoyez le fichier."
    return "Le service est momentanément indisponible : rien n'a été intégré. Renvoyez le fichier."


ingest_meter_file = app.register_task(IngestMeterFile())


def _syndicates() -> list[Syndicate]:
    return list(Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(is_active=True))


@shared_task(base=PolicyTask, queue="light")
def partitions_ensure_all(ahead_months: int = PARTITIONS_AHEAD_MONTHS) -> dict[str, int]:
    """Create the coming months' partitions in every syndicate."""
    created: dict[str, int] = {}
    for syndicate in _syndicates():
        with tenant_context(syndicate):
            created[syndicate.code] = len(partitions_ensure(ahead_months=ahead_months))
    return created


def inbox_dir(syndicate_code: str) -> Path:
    return Path(settings.METER_DATA_INBOX) / syndicate_code


def inbox_process(syndicate: Syndicate) -> int:
    """Ingest the files waiting in a syndicate's inbox, then move each to ``done/`` (or ``failed/``)."""
    folder = inbox_dir(syndicate.code)
    if not folder.is_dir():
        return 0
    count = 0
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        target = folder / "done"
        refusal = file_size_refusal(path.stat().st_size)
        if refusal:  # not read into memory: it waits in failed/ for the staff
            logger.error("Ingestion of %s refused: %s", path, refusal)
            path.replace(_mkdir(folder / "failed") / path.name)
            count += 1
            continue
        try:
            with tenant_context(syndicate):
                meter_file_ingest(content=path.read_bytes(), file_name=path.name, received_by="inbox")
        except Exception:  # one broken file must not block the others; the file waits in failed/
            logger.exception("Ingestion of %s failed", path)
            target = folder / "failed"
        path.replace(_mkdir(target) / path.name)
        count += 1
    return count


def _mkdir(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    return folder


@shared_task(base=PolicyTask, queue="heavy")
def inbox_watch() -> dict[str, int]:
    """Ingest every syndicate's waiting files (beat, every few minutes)."""
    return {syndicate.code: inbox_process(syndicate) for syndicate in _syndicates()}


@shared_task(base=PolicyTask, queue="light")
def alerts_compute_all() -> dict[str, dict[str, int]]:
    """Compute the consumption alerts of every syndicate, then send the daily digests (beat, daily)."""
    from consumption.alerts import alerts_compute, alerts_digest_send

    result: dict[str, dict[str, int]] = {}
    for syndicate in _syndicates():
        with tenant_context(syndicate):
            counts = alerts_compute()
            counts["digests"] = alerts_digest_send()
            result[syndicate.code] = counts
    return result
