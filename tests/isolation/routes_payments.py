"""Matrix entries of payments: the statement of account, ``/api/v1/payments/``, the back-office's
payments import and the staff push of payments."""

from __future__ import annotations

from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped, staff_only
from tests.isolation.routes_api import api_list
from tests.isolation.routes_invoicing import _invoice, billing_page


def _payment(world: Any, target: str) -> Any:
    """A payment of the target's invoice (the builder runs on the target's schema)."""
    import datetime as dt
    from decimal import Decimal

    from payments.models import Payment

    invoice = _invoice(world, target)
    payment, _ = Payment.objects.get_or_create(
        invoice=invoice,
        date=dt.date(2026, 1, 5),
        amount=Decimal("1.00"),
        reference=f"PAIEMENT-MATRICE-{target.upper()}",
        defaults={"source": "accounting"},
    )
    return payment


def _payment_pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _payment(world, target).pk}


def _payment_leak(world: Any, target: str) -> list[str]:
    payment = _payment(world, target)
    return [payment.reference, payment.invoice.number]


def _syndicate_kwargs(world: Any, target: str) -> dict[str, Any]:
    from tenants.db import connection

    return {"code": connection.tenant.code}


def _push(world: Any, target: str) -> dict[str, Any]:
    """One payment of member A's invoice for alpha: recorded the first time, then counted as already recorded."""
    from django.utils import timezone

    invoice = _invoice(world, "member_a")
    day = timezone.localdate().isoformat()
    return {
        "syndicate": "alpha",
        "payments": [{"invoice": invoice.number, "date": day, "amount": "0.01", "reference": "MATRICE"}],
    }


def _staff_push(persona: str, target: str) -> int | set[int]:
    return 201 if persona == "mallory" else {401, 403}


ROUTES = [
    Route("payments:statement", billing_page, leak=_payment_leak),
    Route("api:payment-list", api_list(Module.BILLING), api=True, leak=_payment_leak),
    Route(
        "api:payment-detail",
        member_scoped(Module.BILLING, api=True),
        kwargs=_payment_pk,
        api=True,
        leak=_payment_leak,
    ),
    Route("backoffice:payment_home", staff_only(), host="public"),
    Route("backoffice:payment_imports", staff_only(), host="public", kwargs=_syndicate_kwargs),
    # Without a file the form comes back with its error (200); nothing is recorded.
    Route("backoffice:payment_imports", staff_only(), host="public", kwargs=_syndicate_kwargs, method="post"),
    Route("payments_backoffice_api:push", _staff_push, host="public", method="post", api=True, data=_push),
]


def _statement_api(persona: str, target: str) -> int | set[int]:
    """Every member user with Facturation reads its own statement; the coordinator must name a member (400)."""
    if persona in {"mallory", "dave", "anonymous"}:
        return {401, 403}
    return 400 if persona == "carol" else 200


ROUTES += [Route("api:account-statement", _statement_api, api=True, leak=_payment_leak)]
