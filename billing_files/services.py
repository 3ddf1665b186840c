"""The Direct View mailed after each billing run to the users who subscribe (issue 10 §1).

- ``subscription_set``: a user with the Facturation right subscribes (or not); a member user
  receives its member's invoices, the coordinator the whole syndicate's;
- ``run_files_queue`` (registered on ``invoicing.extensions.run_completed``): queues
  ``run_files_send`` on commit, on the heavy queue;
- ``run_files_send``: for each subscriber who may still read Facturation and has invoices in the
  run, one export job of the ``direct_view`` report with ``run`` — built, stored and mailed by the
  reports framework (attached under ``EXPORT_ATTACHMENT_MAX_BYTES``, else a signed expiring link).
  Each (run, subscriber) is asked once (``BillingFileDispatch``), so a redelivered task or a run
  completed twice sends nothing twice.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.access import can_read
from accounts.audit import audit_record
from accounts.choices import Module
from accounts.models import User
from billing_files import extensions
from billing_files.models import BillingFileDispatch, BillingFileSubscription
from invoicing.models import BillingRun, Invoice
from perimeter.selectors import members_for
from tenants.db import current_schema

REPORT = "direct_view"


@transaction.atomic
def subscription_set(*, user: User, subscribed: bool, request: HttpRequest | None = None) -> bool:
    """Subscribe ``user`` (who may read Facturation: the caller checked) or unsubscribe it; returns the state."""
    if subscribed:
        _subscription, created = BillingFileSubscription.objects.get_or_create(user=user)
        if created:
            audit_record(action="billing_files.subscribed", actor=user, request=request, target=user)
    else:
        deleted, _details = BillingFileSubscription.objects.filter(user=user).delete()
        if deleted:
            audit_record(action="billing_files.unsubscribed", actor=user, request=request, target=user)
    return subscribed


def run_files_queue(*, run_id: int) -> None:
    """Queue the run's mails once the current transaction commits (the run's invoices with it)."""
    from billing_files.tasks import send_run_files

    schema = current_schema()
    transaction.on_commit(lambda: send_run_files.delay(run_id, schema))


def run_files_send(*, run_id: int) -> int:
    """Ask the Direct View of the run for every subscriber concerned; returns how many were asked."""
    run = BillingRun.objects.get(pk=run_id)
    invoices = Invoice.objects.filter(run=run)
    asked = 0
    subscriptions = BillingFileSubscription.objects.select_related("user", "user__member").order_by("id")
    for subscription in subscriptions:
        user = subscription.user
        if not user.is_active or not can_read(user, Module.BILLING):
            continue
        if not invoices.filter(member_id__in=members_for(user).order_by().values("pk")).exists():
            continue
        try:
            with transaction.atomic():
                dispatch = BillingFileDispatch.objects.create(run=run, user=user)
                job = extensions.export_request(user, REPORT, {"run": run.pk})
                dispatch.export_job = getattr(job, "pk", None)
                dispatch.save(update_fields=["export_job"])
        except IntegrityError:
            continue  # already asked for this run
        asked += 1
    audit_record(action="billing_files.run_sent", actor_email="facturation", target=run, details={"subscribers": asked})
    return asked
