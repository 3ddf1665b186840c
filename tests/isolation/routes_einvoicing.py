"""Matrix entries of e-invoicing: the Factur-X download and ChorusPro state of an invoice, the member's
re-deposit, and the back-office's deposits across syndicates."""

from __future__ import annotations

from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped, staff_only
from tests.isolation.routes_invoicing import _MEMBERS, _SITES, _pk


def _chorus_invoice(world: Any, target: str) -> Any:
    """An invoice of the target's member sent through ChorusPro (the builder runs on the target's schema)."""
    from invoicing.models import Invoice
    from tests.invoicing.factories import make_invoice, perimeter_for

    number = f"FCHORUS-{target.upper()}"
    existing = Invoice.objects.filter(number=number).first()
    if existing is not None:
        return existing
    member = getattr(world, _MEMBERS[target])
    perimeter = perimeter_for(member, "Matrice ChorusPro", invoice_delivery="chorus", chorus_siret="21140118100017")
    return make_invoice(member=member, sites=[getattr(world, _SITES[target])], number=number, perimeter=perimeter)


def _refused_deposit(world: Any, target: str) -> Any:
    """The target's ChorusPro invoice with a deposit ChorusPro asked to recycle (a re-deposit is then accepted)."""
    from einvoicing.choices import DepositStatus
    from einvoicing.models import Deposit

    invoice = _chorus_invoice(world, target)
    deposit, _ = Deposit.objects.get_or_create(
        invoice=invoice,
        attempt=1,
        defaults={
            "status": DepositStatus.TO_RECYCLE,
            "siret": "21140118100017",
            "reason": f"Motif matrice {target}",
        },
    )
    return deposit


def _deposit_pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _refused_deposit(world, target).invoice_id}


def _deposit_leak(world: Any, target: str) -> list[str]:
    deposit = _refused_deposit(world, target)
    return [deposit.invoice.number, deposit.reason]


def _backoffice_kwargs(world: Any, target: str) -> dict[str, Any]:
    from tenants.db import connection

    return {"code": connection.tenant.code, "pk": _refused_deposit(world, target).pk}


READ = member_scoped(Module.BILLING)
WRITE = member_scoped(Module.BILLING, write=True)
API_READ = member_scoped(Module.BILLING, api=True)

ROUTES = [
    Route("einvoicing:invoice_facturx", READ, kwargs=_pk),
    Route("einvoicing:invoice_redeposit", WRITE, kwargs=_deposit_pk, method="post"),
    Route("api:invoice-facturx", API_READ, kwargs=_pk, api=True),
    Route("api:invoice-chorus", API_READ, kwargs=_deposit_pk, api=True, leak=_deposit_leak),
    Route("backoffice:chorus_deposits", staff_only(), host="public"),
    # A re-deposit redirects to the list (302), like the login redirect: the staff check is in
    # tests/einvoicing/test_pages.py.
    Route(
        "backoffice:chorus_redeposit",
        lambda persona, target: 302,
        host="public",
        kwargs=_backoffice_kwargs,
        method="post",
    ),
]
