"""Matrix entries of the Facturation pages and API (invoicing app)."""

from __future__ import annotations

from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped
from tests.isolation.routes_api import api_list

_MEMBERS = {"member_a": "member_a", "member_b": "member_b", "beta": "member_beta"}
_SITES = {"member_a": "site_a", "member_b": "site_b", "beta": "site_beta"}


def _invoice(world: Any, target: str) -> Any:
    """An issued invoice of the target's member and site, this month (the builder runs on the target's schema)."""
    from django.utils import timezone

    from invoicing.models import Invoice
    from tests.invoicing.factories import make_invoice

    number = f"FMATRICE-{target.upper()}"
    existing = Invoice.objects.filter(number=number).first()
    if existing is not None:
        return existing
    return make_invoice(
        member=getattr(world, _MEMBERS[target]),
        sites=[getattr(world, _SITES[target])],
        number=number,
        accounting_date=timezone.localdate().replace(day=1),
    )


def _pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _invoice(world, target).pk}


def _site_pk(world: Any, target: str) -> dict[str, Any]:
    _invoice(world, target)
    return {"pk": getattr(world, _SITES[target]).pk}


def _leak(world: Any, target: str) -> list[str]:
    return [_invoice(world, target).number]


def billing_page(persona: str, target: str) -> int | set[int]:
    """The search (no object): every member user with Facturation (bob has it), and the coordinator."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302
    return 200


READ = member_scoped(Module.BILLING)
API_READ = member_scoped(Module.BILLING, api=True)

ROUTES = [
    Route("invoicing:home", billing_page, leak=_leak),
    Route("invoicing:invoice_detail", READ, kwargs=_pk, leak=_leak),
    Route("invoicing:invoice_pdf", READ, kwargs=_pk),
    Route("invoicing:site_invoices", READ, kwargs=_site_pk, leak=_leak),
    Route("api:invoice-list", api_list(Module.BILLING), api=True, leak=_leak),
    Route("api:invoice-detail", API_READ, kwargs=_pk, api=True, leak=_leak),
    Route("api:invoice-pdf", API_READ, kwargs=_pk, api=True),
]
