"""Background work of e-invoicing: send a deposit, follow the deposits (beat).

``deposit_send_task`` (light queue, idempotent by deposit id): the service sends only a
pending deposit, so a second delivery sends nothing; ChorusPro unreachable is transient
(``NETWORK_ERRORS``: the deposit went back to pending, the task retries with backoff).

``chorus_poll_all`` (beat, hourly): in each active syndicate, the ChorusPro invoices issued
without a deposit are deposited, and every deposit still moving has its status asked for.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django_tenants.utils import tenant_context

from config.celery import app
from config.tasks import DATABASE_ERRORS, NETWORK_ERRORS, KeyState, PolicyTask
from einvoicing.choices import DepositStatus
from einvoicing.models import Deposit
from einvoicing.services import deposit_poll, deposit_send, deposits_request_due, deposits_to_poll
from tenants.models import Syndicate

logger = logging.getLogger(__name__)
SCHEDULER = "calendrier"


class DepositSendTask(PolicyTask):
    """Send one ChorusPro deposit (``einvoicing.services.deposit_send``)."""

    name = "einvoicing.deposit_send"
    queue = "light"
    idempotent = True
    transient_errors = DATABASE_ERRORS + NETWORK_ERRORS
    result_when_failed = DepositStatus.PENDING.value

    def key_state(self, deposit_id: int, schema_name: str) -> KeyState:
        status = Deposit.objects.filter(pk=deposit_id).values_list("status", flat=True).first()
        return KeyState(done=status not in (None, DepositStatus.PENDING), result=status)

    def run(self, deposit_id: int, schema_name: str) -> str:
        return str(deposit_send(deposit_id=deposit_id).status)


deposit_send_task = app.register_task(DepositSendTask())


class DepositPollTask(PolicyTask):
    """Ask ChorusPro for one deposit's status (``einvoicing.services.deposit_poll``)."""

    name = "einvoicing.deposit_poll"
    queue = "light"
    idempotent = True
    transient_errors = DATABASE_ERRORS + NETWORK_ERRORS
    result_when_failed = ""

    def run(self, deposit_id: int, schema_name: str) -> str:
        return str(deposit_poll(deposit_id=deposit_id).status)


deposit_poll_task = app.register_task(DepositPollTask())


@shared_task(base=PolicyTask, queue="light")
def chorus_poll_all() -> dict[str, int]:
    """Deposit what is due and queue a status poll of every moving deposit, in every active syndicate."""
    asked: dict[str, int] = {}
    syndicates = Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(is_active=True)
    for syndicate in syndicates.order_by("schema_name"):
        with tenant_context(syndicate):
            deposits_request_due(by=SCHEDULER)
            ids = deposits_to_poll()
            for deposit_id in ids:
                deposit_poll_task.delay(deposit_id, syndicate.schema_name)
            asked[syndicate.code] = len(ids)
    logger.info("chorus polls queued: %s", asked)
    return asked
