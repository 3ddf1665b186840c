"""Reads of payments: an invoice's derived payment state, the member's statement of account.

Member scoping goes through ``invoicing.selectors.invoices_for`` (itself on
``perimeter.selectors.members_for``): a member user reads its member's invoices and
payments, a coordinator every member's, anybody else nothing.

The payment state (``PaymentState``) is never stored: a credit note is an ``Avoir`` and an
invoice a credit note cancels is ``Soldée par avoir`` (nothing to pay); otherwise the
payments' sum against the total incl. VAT gives ``Payée`` / ``Partiellement payée`` /
``À payer``, and an invoice not fully paid after its due date is ``En retard``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from invoicing.choices import InvoiceKind
from invoicing.filtersets import parse_month_or_day
from invoicing.models import Invoice
from invoicing.selectors import invoices_for
from payments.choices import PaymentState
from payments.models import Payment, PaymentImport, ReminderLog
from perimeter.choices import ContactRole
from perimeter.models import Contact, Member
from perimeter.selectors import get_member_for, members_for

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _paid_subquery() -> Subquery:
    return Subquery(
        Payment.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=_MONEY,
    )


def with_payment_state(invoices: QuerySet[Invoice], *, today: dt.date | None = None) -> QuerySet[Invoice]:
    """Annotate ``paid_amount``, ``remaining`` and ``payment_state`` (one subquery per invoice row)."""
    today = today or timezone.localdate()
    cancelled = Exists(Invoice.objects.filter(cancels=OuterRef("pk")))
    return invoices.annotate(
        paid_amount=Coalesce(_paid_subquery(), Value(ZERO), output_field=_MONEY),
        is_cancelled=cancelled,
    ).annotate(
        remaining=Case(
            When(Q(kind=InvoiceKind.CREDIT_NOTE) | Q(is_cancelled=True), then=Value(ZERO)),
            default=F("total_incl_vat") - F("paid_amount"),
            output_field=_MONEY,
        ),
        payment_state=Case(
            When(kind=InvoiceKind.CREDIT_NOTE, then=Value(PaymentState.CREDIT.value)),
            When(is_cancelled=True, then=Value(PaymentState.SETTLED.value)),
            When(paid_amount__gte=F("total_incl_vat"), then=Value(PaymentState.PAID.value)),
            When(due_date__lt=today, then=Value(PaymentState.OVERDUE.value)),
            When(paid_amount__gt=0, then=Value(PaymentState.PARTIAL.value)),
            default=Value(PaymentState.UNPAID.value),
            output_field=CharField(),
        ),
    )


@dataclass(frozen=True)
class InvoicePayment:
    """An invoice's payment state as the pages show it."""

    state: str
    paid: Decimal
    remaining: Decimal
    due_date: dt.date

    @property
    def label(self) -> str:
        return str(PaymentState(self.state).label)

    @property
    def overdue(self) -> bool:
        return self.state == PaymentState.OVERDUE

    @property
    def partial(self) -> bool:
        return self.paid > 0 and self.remaining > 0


def payment_states(invoice_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, InvoicePayment]:
    """The payment state of each invoice (ids already scoped by the caller): one query."""
    rows = with_payment_state(Invoice.objects.filter(pk__in=list(invoice_ids)), today=today).values(  # type: ignore[misc]
        "pk", "payment_state", "paid_amount", "remaining", "due_date"
    )
    return {
        row["pk"]: InvoicePayment(row["payment_state"], row["paid_amount"], row["remaining"], row["due_date"])
        for row in rows
    }


def payment_state_of(invoice: Invoice, *, today: dt.date | None = None) -> InvoicePayment:
    return payment_states([invoice.pk], today=today)[invoice.pk]


def payment_state_from(
    invoice: Invoice, payments: Iterable[Payment], *, cancelled: bool, today: dt.date | None = None
) -> InvoicePayment:
    """The same state as ``with_payment_state``, from payments already loaded (the invoice page)."""
    today = today or timezone.localdate()
    paid = sum((payment.amount for payment in payments), ZERO)
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return InvoicePayment(PaymentState.CREDIT, paid, ZERO, invoice.due_date)
    if cancelled:
        return InvoicePayment(PaymentState.SETTLED, paid, ZERO, invoice.due_date)
    remaining = invoice.total_incl_vat - paid
    if paid >= invoice.total_incl_vat:
        state = PaymentState.PAID
    elif invoice.due_date < today:
        state = PaymentState.OVERDUE
    elif paid > 0:
        state = PaymentState.PARTIAL
    else:
        state = PaymentState.UNPAID
    return InvoicePayment(state, paid, remaining, invoice.due_date)


def payments_for(user: User) -> QuerySet[Payment]:
    """The payments of the invoices the user may read."""
    return Payment.objects.filter(invoice__in=invoices_for(user).order_by().values("pk")).select_related("invoice")


def payments_of(invoice: Invoice) -> QuerySet[Payment]:
    """An invoice's payments (the invoice already found through ``get_invoice_for``)."""
    return Payment.objects.filter(invoice=invoice).order_by("date", "id")


def reminders_of(invoice: Invoice) -> QuerySet[ReminderLog]:
    return ReminderLog.objects.filter(invoice=invoice).order_by("stage")


def payment_imports(limit: int = 50) -> list[PaymentImport]:
    return list(PaymentImport.objects.all()[:limit])


# --- Reminders ------------------------------------------------------------------------


def overdue_invoices(*, today: dt.date) -> QuerySet[Invoice]:
    """Every invoice of the syndicate still owed after its due date (the reminders' input)."""
    return (
        with_payment_state(Invoice.objects.filter(kind=InvoiceKind.INVOICE, due_date__lt=today), today=today)
        .filter(payment_state=PaymentState.OVERDUE)  # type: ignore[misc]
        .select_related("member")
        .order_by("due_date", "id")
    )


def reminder_recipients(member_ids: Iterable[int]) -> dict[int, list[str]]:
    """Whom to remind: the member's billing contacts and its active administrators."""
    found: dict[int, set[str]] = {member_id: set() for member_id in member_ids}
    for member_id, email in (
        Contact.objects.filter(member_id__in=list(found), role=ContactRole.BILLING)
        .exclude(email="")
        .values_list("member_id", "email")
    ):
        found[member_id].add(email.lower())
    for member_id, email in User.objects.filter(
        member_id__in=list(found), role=Role.MEMBER_ADMIN, is_active=True
    ).values_list("member_id", "email"):
        found[member_id].add(email.lower())
    return {member_id: sorted(emails) for member_id, emails in found.items()}


# --- Statement of account -------------------------------------------------------------


@dataclass(frozen=True)
class StatementEntry:
    date: dt.date
    kind: str  # "invoice", "credit_note", "payment"
    label: str
    number: str
    invoice_id: int
    due_date: dt.date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    member: Member
    first: dt.date
    last: dt.date
    opening: Decimal
    entries: list[StatementEntry]
    closing: Decimal
    debit_total: Decimal
    credit_total: Decimal


KIND_LABELS = {"invoice": "Facture", "credit_note": "Avoir", "payment": "Paiement"}


def _movements(member: Member) -> list[tuple[dt.date, int, int, dict[str, Any]]]:
    """Every invoice, credit note and payment of the member: (date, order, id, row)."""
    moves: list[tuple[dt.date, int, int, dict[str, Any]]] = []
    invoices = Invoice.objects.filter(member=member).values(
        "pk", "number", "kind", "label", "issue_date", "due_date", "total_incl_vat"
    )
    for row in invoices:
        moves.append((row["issue_date"], 0, row["pk"], {"type": row["kind"], **row}))
    payments = Payment.objects.filter(invoice__member=member).values(
        "pk", "date", "amount", "reference", "source", "invoice_id", "invoice__number"
    )
    for payment in payments:
        moves.append((payment["date"], 1, payment["pk"], {"type": "payment", **payment}))
    moves.sort(key=lambda move: move[:3])
    return moves


def account_statement(member: Member, *, first: dt.date, last: dt.date) -> Statement:
    """The member's invoices, credit notes and payments from ``first`` to ``last`` (dates included),
    in date order (invoices before payments on the same day), with the running balance: what the
    member owes (an invoice debits it, a credit note or a payment credits it). ``member`` comes
    from the scoping selectors (``get_member_for``)."""
    balance = opening = ZERO
    entries: list[StatementEntry] = []
    debit_total = credit_total = ZERO
    for day, _order, _pk, row in _movements(member):
        if row["type"] == "payment":
            debit, credit = ZERO, row["amount"]
            label = f"Paiement de la facture {row['invoice__number']}"
            if row["reference"]:
                label += f" (réf. {row['reference']})"
            entry_kind, number, invoice_id, due = "payment", row["invoice__number"], row["invoice_id"], None
        else:
            amount = row["total_incl_vat"]
            debit, credit = (amount, ZERO) if amount >= 0 else (ZERO, -amount)
            entry_kind, number, invoice_id = row["type"], row["number"], row["pk"]
            label, due = row["label"], (row["due_date"] if row["type"] == InvoiceKind.INVOICE else None)
        if day < first:
            opening += debit - credit
            balance = opening
            continue
        if day > last:
            break
        balance += debit - credit
        debit_total += debit
        credit_total += credit
        entries.append(StatementEntry(day, entry_kind, label, number, invoice_id, due, debit, credit, balance))
    return Statement(member, first, last, opening, entries, balance, debit_total, credit_total)


def default_statement_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months up to today."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    month = first.month - 11
    year = first.year
    if month <= 0:
        month += 12
        year -= 1
    return first.replace(year=year, month=month), today


def statement_member(user: User, member: int | str | None) -> Member | None:
    """The member whose statement is asked: the one named (404 outside the user's scope), or the
    user's only member; None when the user sees several and named none (the coordinator)."""
    if member not in (None, ""):
        assert member is not None
        return get_member_for(user, member)
    members = list(members_for(user)[:2])
    return members[0] if len(members) == 1 else None


def statement_period(first: str | None, last: str | None) -> tuple[dt.date, dt.date]:
    """``first`` / ``last`` as months (AAAA-MM) or days (AAAA-MM-JJ); the last twelve months by default.
    Raises ``ValidationError`` (in French) on an unreadable value or an end before the start."""
    default_first, default_last = default_statement_period()
    start = parse_month_or_day(first, end=False) if first else default_first
    end = parse_month_or_day(last, end=True) if last else default_last
    if start is None or end is None:
        raise ValidationError(_("Indiquez un mois (AAAA-MM) ou une date (AAAA-MM-JJ)."))
    if end < start:
        raise ValidationError(_("La fin de la période précède son début."))
    return start, end
