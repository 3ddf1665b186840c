"""Mail sending on the "light" queue: an export never delays a password mail (QUALITY.md item 14).

The message is rendered when queued (the task needs no tenant and has no record of its
own: no idempotency key, a redelivery may send twice); transient SMTP errors are retried
by the base's policy (``config.tasks.PolicyTask``).
"""

from __future__ import annotations

from accounts.mail import mail_send
from config.celery import app
from config.tasks import MAIL_ERRORS, PolicyTask


class SendMail(PolicyTask):
    """Send one rendered message (``accounts.mail.mail_send``)."""

    name = "accounts.send_mail"
    queue = "light"
    max_retries = 5
    transient_errors = MAIL_ERRORS

    def run(self, to: list[str], subject: str, body: str, html: str | None = None) -> None:
        mail_send(to=to, subject=subject, body=body, html=html)


send_mail_task = app.register_task(SendMail())
