"""The recap mail of a validated journey, on the light queue. Thin: enter the tenant, call the service."""

from __future__ import annotations

import smtplib

from celery import Task
from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError
from django_tenants.utils import schema_context

from config.celery import app

TRANSIENT_ERRORS = (OperationalError, InterfaceError, smtplib.SMTPException, ConnectionError, TimeoutError)
MAX_RETRIES = 5


@app.task(bind=True, name="datacollection.send_recap", queue="light", acks_late=True, max_retries=MAX_RETRIES)
def send_recap(self: Task, journey_ids: list[int], schema_name: str) -> bool:
    from datacollection.services import journey_recap_failed, journey_send_recap

    with schema_context(schema_name):
        try:
            return journey_send_recap(journey_ids=journey_ids)
        except TRANSIENT_ERRORS as exc:
            if self.request.retries >= MAX_RETRIES:
                journey_recap_failed(journey_ids=journey_ids, reason=f"{type(exc).__name__}: {exc}")
                raise
            countdown = int(
                get_exponential_backoff_interval(factor=10, retries=self.request.retries, maximum=600, full_jitter=True)
            )
            raise self.retry(exc=exc, countdown=countdown) from exc
        except Exception as exc:  # not worth retrying: say so at once
            journey_recap_failed(journey_ids=journey_ids, reason=f"{type(exc).__name__}: {exc}")
            raise
