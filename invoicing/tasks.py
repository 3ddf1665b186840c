"""Background work of the invoicing app: a billing run, and the calendar that starts them.

``billing_run_task`` is a tenant task (the run id and the schema), on the ``heavy`` queue,
idempotent by run id: one delivery at a time runs it (the policy's advisory lock), a
finished run is not run again, and a delivery after a lost worker resumes it (the run
skips the perimeters it already invoiced). When it gives up, the run is marked failed
with the error; a new request of the same run queues it again.

``render_run_pdfs`` (``heavy``, idempotent by run id) stores the PDF of each invoice of a
run, queued when the run completes.

``billing_runs_start_all`` (beat, daily): on the 1st and the 10th, each active syndicate's
run of the day's calendar is requested (``billing_run_request``: the same day twice gives
the same run), by the "calendrier".
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.celery import app
from config.tasks import DATABASE_ERRORS, KeyState, PolicyTask
from invoicing.choices import RunStatus
from invoicing.models import BillingRun, Invoice
from invoicing.services.pdfs import run_pdfs_render
from invoicing.services.runs import billing_run_execute, billing_run_fail, billing_run_request, runs_due
from tenants.models import Syndicate

logger = logging.getLogger(__name__)
SCHEDULER = "calendrier"


class BillingRunTask(PolicyTask):
    """Execute a billing run (``invoicing.services.runs.billing_run_execute``)."""

    name = "invoicing.run_billing"
    queue = "heavy"
    idempotent = True
    max_retries = 3
    transient_errors = DATABASE_ERRORS
    result_when_failed = RunStatus.FAILED.value

    def key_state(self, run_id: int, schema_name: str) -> KeyState:
        run = BillingRun.objects.get(pk=run_id)
        return KeyState(done=run.status == RunStatus.DONE, result=str(run.status))

    def run(self, run_id: int, schema_name: str) -> str:
        return str(billing_run_execute(run_id).status)

    def on_give_up(self, error: BaseException, run_id: int, schema_name: str) -> None:
        billing_run_fail(run_id=run_id, message=f"{type(error).__name__}: {error}")


billing_run_task = app.register_task(BillingRunTask())


class RenderRunPdfsTask(PolicyTask):
    """Store the PDF of every invoice of a run (``invoicing.services.pdfs.run_pdfs_render``), after the run.

    Idempotent by run id: done once every invoice of the run has its stored PDF; a
    redelivery renders only the missing ones. Giving up records nothing: the invoices
    without a PDF are rendered on their first download.
    """

    name = "invoicing.render_run_pdfs"
    queue = "heavy"
    idempotent = True
    max_retries = 3
    transient_errors = DATABASE_ERRORS
    result_when_failed = None

    def key_state(self, run_id: int, schema_name: str) -> KeyState:
        missing = Invoice.objects.filter(run_id=run_id, stored_pdf__isnull=True).exists()
        return KeyState(done=not missing, result="already done")

    def run(self, run_id: int, schema_name: str) -> dict[str, int]:
        return run_pdfs_render(run_id=run_id).as_dict()

    def on_give_up(self, error: BaseException, run_id: int, schema_name: str) -> None:
        logger.error("PDFs of run %s given up (%s): rendered on download instead", run_id, error)


render_run_pdfs = app.register_task(RenderRunPdfsTask())


@shared_task(base=PolicyTask, queue="light")
def billing_runs_start_all(day: str = "") -> dict[str, list[int]]:
    """Request the day's runs in every active syndicate (beat, daily; only the 1st and the 10th start any)."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    calendars = runs_due(today)
    started: dict[str, list[int]] = {}
    if not calendars:
        return started
    syndicates = Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(is_active=True)
    for syndicate in syndicates.order_by("schema_name"):
        with tenant_context(syndicate):
            started[syndicate.code] = [
                billing_run_request(calendar=calendar, issue_date=today, requested_by=SCHEDULER).pk
                for calendar in calendars
            ]
        logger.info("billing runs of %s on %s: %s", syndicate.code, today, started[syndicate.code])
    return started
