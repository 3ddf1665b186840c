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

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db import connection as db_connection
from django_tenants.utils import schema_context, tenant_context

from consumption.partitions import partitions_ensure
from consumption.services import file_size_refusal, meter_file_ingest
from tenants.models import Syndicate

logger = logging.getLogger(__name__)
PARTITIONS_AHEAD_MONTHS = 3

# The database or the file storage unavailable for a while (OSError covers a file not
# found on a storage that lost it, and network mounts).
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)
MAX_RETRIES = 3


def _transient_message(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        return "Le fichier reçu est introuvable dans le stockage : rien n'a été intégré. Renvoyez le fichier."
    if isinstance(error, OSError):
        return "Le stockage des fichiers est indisponible : rien n'a été intégré. Renvoyez le fichier."
    return "Le service est momentanément indisponible : rien n'a été intégré. Renvoyez le fichier."


@shared_task(bind=True, name="consumption.ingest_meter_file", queue="heavy", acks_late=True, max_retries=MAX_RETRIES)
def ingest_meter_file(self: Task, report_id: int, schema_name: str) -> str:
    """Ingest a received file (``services.meter_file_receive``); retried with backoff on transient errors."""
    from consumption import services

    with schema_context(schema_name):
        try:
            return str(services.ingestion_run(report_id=report_id).status)
        except TRANSIENT_ERRORS as error:
            if not db_connection.in_atomic_block:  # a broken connection is replaced before the report is written to
                db_connection.close_if_unusable_or_obsolete()
            message = _transient_message(error)
            if self.request.retries >= MAX_RETRIES:
                logger.exception("ingestion %s/%s failed after %s retries", schema_name, report_id, MAX_RETRIES)
                services.ingestion_fail(report_id=report_id, message=message)
                return "failed"
            countdown = int(
                get_exponential_backoff_interval(factor=10, retries=self.request.retries, maximum=600, full_jitter=True)
            )
            attempt = self.request.retries + 1
            services.ingestion_retry_wait(
                report_id=report_id,
                message=f"Incident passager, nouvel essai dans {countdown} s ({attempt}/{MAX_RETRIES}).",
            )
            raise self.retry(exc=error, countdown=countdown) from error
        except Exception:
            # A bug: retrying would fail the same way; the report shows the failure, nothing was written.
            logger.exception("ingestion %s/%s failed", schema_name, report_id)
            services.ingestion_fail(report_id=report_id, message=services.TECHNICAL_FAILURE)
            return "failed"


def _syndicates() -> list[Syndicate]:
    return list(Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(is_active=True))


@shared_task(queue="light")
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


@shared_task(queue="heavy")
def inbox_watch() -> dict[str, int]:
    """Ingest every syndicate's waiting files (beat, every few minutes)."""
    return {syndicate.code: inbox_process(syndicate) for syndicate in _syndicates()}


@shared_task(queue="light")
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
