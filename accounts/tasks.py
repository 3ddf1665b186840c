"""Mail sending on the "light" queue: an export never delays a password mail (QUALITY.md item 14).

The message is rendered when queued (the task needs no tenant); transient SMTP errors are
retried with backoff and jitter, a bounded number of times.
"""

from __future__ import annotations

import smtplib

from celery import Task
from celery.utils.time import get_exponential_backoff_interval

from accounts.mail import mail_send
from config.celery import app

MAX_RETRIES = 5


@app.task(bind=True, name="accounts.send_mail", queue="light", acks_late=True, max_retries=MAX_RETRIES)
def send_mail_task(self: Task, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    try:
        mail_send(to=to, subject=subject, body=body, html=html)
    except (smtplib.SMTPException, ConnectionError, TimeoutError) as exc:
        countdown = int(
            get_exponential_backoff_interval(factor=10, retries=self.request.retries, maximum=600, full_jitter=True)
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
