"""Back-office: ChorusPro deposits across syndicates (the ones needing action first), and a re-deposit.

Staff only; each syndicate is entered explicitly; the list view and every re-deposit are
written to the public audit trail, and the re-deposit to the syndicate's too (signed with
the manager's e-mail, by ``einvoicing.services.deposit_request``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from einvoicing.choices import NEEDS_ACTION, REDEPOSITABLE
from einvoicing.models import Deposit
from einvoicing.selectors import deposits_for_backoffice
from einvoicing.services import deposit_request

# Per syndicate, at most this many deposits are listed (the ones needing action come first).
DEPOSITS_SHOWN = 200


@login_required
@require_GET
def chorus_deposits(request: HttpRequest) -> HttpResponse:
    """Every syndicate's deposits: rejected / to recycle / refused first, then the newest."""
    require_account_manager(request)
    syndicates = list(syndicates_for_backoffice())
    rows: list[dict[str, Any]] = []
    for syndicate in syndicates:
        with tenant_context(syndicate):  # one query per syndicate
            deposits = list(deposits_for_backoffice()[:DEPOSITS_SHOWN])
        rows.extend(
            {
                "syndicate": syndicate,
                "deposit": deposit,
                "needs_action": deposit.status in NEEDS_ACTION,
                "redepositable": deposit.status in REDEPOSITABLE,
            }
            for deposit in deposits
        )
    rows.sort(key=lambda row: (not row["needs_action"], -row["deposit"].updated_at.timestamp()))
    audit_record(
        action="backoffice.chorus_deposits_viewed",
        request=request,
        details={"schemas": [s.schema_name for s in syndicates], "deposits": len(rows)},
    )
    return render(
        request,
        "backoffice/chorus_deposits.html",
        {"rows": rows, "to_fix": sum(1 for row in rows if row["needs_action"]), "shown": DEPOSITS_SHOWN},
    )


@login_required
@require_POST
def chorus_redeposit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Deposit a refused or to-recycle invoice again (same number) once its routing is fixed."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        deposit = Deposit.objects.select_related("invoice").filter(pk=pk).first()
        if deposit is None:
            raise Http404
        number = deposit.invoice.number
        try:
            again = deposit_request_for_staff(deposit, manager.email)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            again = None
    audit_record(
        action="backoffice.chorus_redeposit",
        request=request,
        details={"schema": syndicate.schema_name, "invoice": number, "accepted": again is not None},
    )
    if again is not None:
        messages.success(
            request,
            _("La facture %(number)s (%(syndicate)s) va être déposée à nouveau sur ChorusPro.")
            % {"number": number, "syndicate": syndicate.name},
        )
    return redirect("backoffice:chorus_deposits")


def deposit_request_for_staff(deposit: Deposit, email: str) -> Deposit:
    return deposit_request(invoice=deposit.invoice, by=email)
