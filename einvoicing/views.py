"""The member's e-invoicing actions on an invoice: its Factur-X, a new ChorusPro deposit after a fix.

The invoice comes from ``invoicing.selectors.get_invoice_for`` (a foreign id answers 404),
then the Facturation right is checked (403; a deposit needs the write right, so the
coordinator, read-only, is refused). The invoice page shows the deposit's state through the
``einvoicing_panel`` template tag.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user, require_module
from accounts.choices import Module
from einvoicing.facturx import facturx_filename, facturx_pdf
from einvoicing.services import deposit_request, download_routing
from invoicing.models import Invoice
from invoicing.selectors import get_invoice_for


def facturx_response(invoice: Invoice) -> HttpResponse:
    """The Factur-X download (pages and API alike): attachment named after the number."""
    response = HttpResponse(facturx_pdf(invoice, download_routing(invoice)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{facturx_filename(invoice)}"'
    return response


@login_required
@require_GET
def invoice_facturx(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    invoice = get_invoice_for(user, pk)
    require_module(user, Module.BILLING)
    return facturx_response(invoice)


@login_required
@require_POST
def invoice_redeposit(request: HttpRequest, pk: int) -> HttpResponse:
    """Deposit the invoice on ChorusPro again (same number) once its perimeter's routing is fixed."""
    user = request_user(request)
    invoice = get_invoice_for(user, pk)
    require_module(user, Module.BILLING, write=True)
    try:
        deposit_request(invoice=invoice, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("La facture %(number)s va être déposée à nouveau sur ChorusPro.") % {"number": invoice.number}
        )
    return redirect("invoicing:invoice_detail", pk=invoice.pk)
