"""``{% einvoicing_panel invoice %}``: the invoice page's Factur-X link and ChorusPro state (one hook line)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.access import can_write
from accounts.choices import Module
from einvoicing.choices import CHORUS, REDEPOSITABLE
from einvoicing.selectors import deposits_of
from invoicing.models import Invoice

register = template.Library()


@register.inclusion_tag("einvoicing/_invoice_panel.html", takes_context=True)
def einvoicing_panel(context: dict[str, Any], invoice: Invoice) -> dict[str, Any]:
    # Only an invoice sent through ChorusPro has deposits (``deposit_request`` refuses the others):
    # the other invoice pages cost no query here.
    chorus = invoice.reception_mode == CHORUS
    deposits = list(deposits_of(invoice)) if chorus else []
    latest = deposits[0] if deposits else None
    user = context["request"].user
    return {
        "invoice": invoice,
        "deposit": latest,
        "earlier": deposits[1:],
        "chorus": chorus,
        "can_redeposit": chorus
        and can_write(user, Module.BILLING)
        and (latest is None or latest.status in REDEPOSITABLE),
        "csrf_token": context.get("csrf_token"),
    }
