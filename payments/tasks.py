"""Background work of payments: the daily reminders of overdue invoices (beat).

``payment_reminders_all`` (beat, daily): in each active syndicate, one reminder per overdue
invoice and stage reached (``payments.services.payment_reminders_send``: logged, never twice
per stage); the mails leave on the light queue.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django_tenants.utils import tenant_context

from config.tasks import PolicyTask
from payments.services import payment_reminders_send
from tenants.models import Syndicate

logger = logging.getLogger(__name__)


@shared_task(base=PolicyTask, queue="light")
def payment_reminders_all() -> dict[str, int]:
    """Send the reminders due today in every active syndicate; how many per syndicate."""
    sent: dict[str, int] = {}
    syndicates = Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(is_active=True)
    for syndicate in syndicates.order_by("schema_name"):
        with tenant_context(syndicate):
            sent[syndicate.code] = len(payment_reminders_send())
    logger.info("payment reminders sent: %s", sent)
    return sent
