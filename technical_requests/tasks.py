"""Background work of technical requests: the distributor exchange, every quarter of an hour (beat)."""

from __future__ import annotations

from celery import shared_task

from config.tasks import PolicyTask
from technical_requests.exchange import exchange_all_syndicates


@shared_task(base=PolicyTask, queue="heavy")
def exchange_all() -> list[str]:
    """Write the distributors' outbox files and apply their answers, in every syndicate."""
    return exchange_all_syndicates()
