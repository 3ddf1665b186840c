"""Reads of e-invoicing: an invoice's deposits, and the deposits the back-office lists."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from einvoicing.choices import NEEDS_ACTION
from einvoicing.models import Deposit, DepositEvent
from invoicing.models import Invoice


def deposits_of(invoice: Invoice) -> QuerySet[Deposit]:
    """An invoice's deposits, newest attempt first, with their events (two queries)."""
    return (
        Deposit.objects.filter(invoice=invoice)
        .prefetch_related(Prefetch("events", queryset=DepositEvent.objects.order_by("at", "id")))
        .order_by("-attempt")
    )


def latest_deposit(invoice: Invoice) -> Deposit | None:
    return deposits_of(invoice).first()


def deposits_for_backoffice() -> QuerySet[Deposit]:
    """Every deposit of the current syndicate: the ones needing action first, then the newest."""
    return (
        Deposit.objects.select_related("invoice__member", "invoice__perimeter")
        .annotate(
            needs_action=Case(
                When(status__in=NEEDS_ACTION, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("needs_action", "-updated_at", "-id")
    )
