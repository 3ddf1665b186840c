"""The invoice pages' payment state (hook lines in the invoicing templates).

- ``{% payments_panel invoice %}``: on the invoice page, its payment state, due date, paid and
  remaining amounts, its payments and the reminders sent;
- ``{% invoice_payment_states rows as payment_by_id %}`` then ``{% payment_badge payment_by_id row.id %}``:
  in the search table, the state of each row of the page (one query for the page), overdue highlighted.

The invoices come from the invoicing selectors (already scoped to the user).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from invoicing.models import Invoice
from payments.selectors import InvoicePayment, payment_state_from, payment_states, payments_of, reminders_of

register = template.Library()


@register.inclusion_tag("payments/_invoice_panel.html")
def payments_panel(invoice: Invoice) -> dict[str, Any]:
    """Two queries: the payments (the state is computed from them), the reminders."""
    payments = list(payments_of(invoice))
    cancelled_by = getattr(invoice, "cancelled_by_pk", None)  # annotated by invoicing's selectors
    if not hasattr(invoice, "cancelled_by_pk"):
        cancelled_by = Invoice.objects.filter(cancels=invoice).values_list("pk", flat=True).first()
    return {
        "invoice": invoice,
        "payment": payment_state_from(invoice, payments, cancelled=cancelled_by is not None),
        "payments": payments,
        "reminders": list(reminders_of(invoice)),
    }


@register.simple_tag
def invoice_payment_states(rows: Iterable[Any]) -> dict[int, InvoicePayment]:
    ids = [row["id"] if isinstance(row, dict) else row.pk for row in rows]
    return payment_states(ids)


@register.inclusion_tag("payments/_badge.html")
def payment_badge(states: dict[int, InvoicePayment], invoice_id: int) -> dict[str, Any]:
    return {"payment": states.get(invoice_id)}
