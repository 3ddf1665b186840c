"""Scheduled work of the consumption app: partitions ahead of need, the inbox of distributor files.

Beat tasks run without a tenant; they iterate the syndicates explicitly and enter
each one with ``tenant_context`` (the per-syndicate work is short and idempotent:
creating an existing partition or re-ingesting a file changes nothing).
"""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django_tenants.utils import tenant_context

from consumption.partitions import partitions_ensure
from consumption.services import file_size_refusal, meter_file_ingest
from tenants.models import Syndicate

logger = logging.getLogger(__name__)
PARTITIONS_AHEAD_MONTHS = 3


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
