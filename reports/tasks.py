"""Background build of exports, on the "heavy" queue (config.settings.CELERY_TASK_ROUTES).

Thin: the task takes the job id and the schema, enters the tenant, calls the service.
acks_late (settings) gives a job back to the broker when a worker dies mid-build; the
service's per-job lock and the atomic file rename make the redelivery safe.
"""

from __future__ import annotations

import logging
import smtplib

from celery import Task
from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError
from django_tenants.utils import schema_context

from config.celery import app
from reports import services

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the mail server went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, smtplib.SMTPException, ConnectionError, TimeoutError)
MAX_RETRIES = 5


def retry_countdown(retries: int) -> int:
    """Exponential backoff with full jitter: up to 10 s, 20 s, 40 s… capped at 10 minutes."""
    return int(get_exponential_backoff_interval(factor=10, retries=retries, maximum=600, full_jitter=True))


@app.task(bind=True, name="reports.build_export", acks_late=True, max_retries=MAX_RETRIES)
def build_export(self: Task, job_id: str, schema_name: str) -> str:
    with schema_context(schema_name):
        try:
            job = services.export_run(job_id=job_id)
        except TRANSIENT_ERRORS as exc:
            if self.request.retries >= MAX_RETRIES:
                logger.exception("export %s failed after %s retries", job_id, self.request.retries)
                services.export_fail(
                    job_id=job_id, message="Le service est momentanément indisponible. Relancez l'export."
                )
                return "failed"
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
        except Exception:
            # A bug or bad data: retrying would fail the same way. The user sees the failure.
            logger.exception("export %s failed", job_id)
            services.export_fail(
                job_id=job_id, message="L'export n'a pas pu être produit. L'équipe technique a été prévenue."
            )
            return "failed"
        return str(job.status)
