"""The import's background run, on the heavy queue. Thin: enter the tenant, call the service."""

from __future__ import annotations

import logging

from celery import Task
from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError
from django_tenants.utils import schema_context

from config.celery import app

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 3


@app.task(bind=True, name="importing.run_import", queue="heavy", acks_late=True, max_retries=MAX_RETRIES)
def run_import(self: Task, job_id: str, schema_name: str) -> str:
    from perimeter.importing import services

    with schema_context(schema_name):
        try:
            return str(services.import_run(job_id=job_id).status)
        except TRANSIENT_ERRORS as exc:
            if self.request.retries >= MAX_RETRIES:
                logger.exception("import %s failed after %s retries", job_id, self.request.retries)
                services.import_fail(
                    job_id=job_id, message="Le service est momentanément indisponible. Relancez l'import."
                )
                return "failed"
            countdown = int(
                get_exponential_backoff_interval(factor=10, retries=self.request.retries, maximum=600, full_jitter=True)
            )
            raise self.retry(exc=exc, countdown=countdown) from exc
        except Exception:
            # A bug: retrying would fail the same way; the page shows the failure, nothing was written.
            logger.exception("import %s failed", job_id)
            services.import_fail(
                job_id=job_id, message="L'import n'a pas pu être exécuté. L'équipe technique a été prévenue."
            )
            return "failed"
