"""Reminder e-mails on the light queue. Thin: enter the tenant, deliver each logged reminder once."""

from __future__ import annotations

import smtplib

from celery import Task
from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError
from django_tenants.utils import get_tenant_model, tenant_context

from config.celery import app

TRANSIENT_ERRORS = (OperationalError, InterfaceError, smtplib.SMTPException, ConnectionError, TimeoutError)
MAX_RETRIES = 5


@app.task(bind=True, name="followup.send_reminders", queue="light", acks_late=True, max_retries=MAX_RETRIES)
def send_reminders(self: Task, reminder_ids: list[int], schema_name: str) -> int:
    from datacollection.followup.services import reminder_deliver, reminders_failed

    sent = 0
    # The real tenant (not just its schema): the mail's link is built on the syndicate's address.
    tenant = get_tenant_model().objects.get(schema_name=schema_name)
    with tenant_context(tenant):
        try:
            for reminder_id in reminder_ids:
                sent += reminder_deliver(reminder_id=reminder_id)
        except TRANSIENT_ERRORS as exc:
            if self.request.retries >= MAX_RETRIES:
                reminders_failed(reminder_ids=reminder_ids, error=f"{type(exc).__name__}: {exc}")
                raise
            countdown = int(
                get_exponential_backoff_interval(factor=10, retries=self.request.retries, maximum=600, full_jitter=True)
            )
            raise self.retry(exc=exc, countdown=countdown) from exc
        except Exception as exc:  # not worth retrying: say so at once
            reminders_failed(reminder_ids=reminder_ids, error=f"{type(exc).__name__}: {exc}")
            raise
    return sent
