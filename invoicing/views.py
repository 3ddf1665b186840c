"""The Facturation pages: invoice search, an invoice (recap and detail), a site's invoices, the PDF.

Every invoice and site comes from the member-scoping helpers (``get_invoice_for``,
``get_site_for``: a foreign id answers 404); the Facturation right is then checked (403).
A coordinator reads every member's invoices; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from accounts.access import can_read, module_user, request_user, require_module
from accounts.choices import Module
from accounts.models import User
from billing_groups.selectors import perimeters_for
from invoicing import charts, selectors
from invoicing.filtersets import InvoiceFilterSet, add_months
from invoicing.models import Invoice
from invoicing.pdf_build import pdf_filename
from invoicing.services.pdfs import invoice_pdf_content
from invoicing.tables import INVOICES_REPORT, invoice_table
from perimeter.selectors import get_site_for, sites_for

DETAIL_SITES_PER_PAGE = 20
TRACKING_PER_PAGE = 50
# Above this many sites (perimeters), the search form offers no list of them: the filter stays in the
# URL (the per-meter page links to its site's search).
CHOICES_MAX = 1_000
HOME_MONTHS = 3


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _options(choices: list[tuple[int, str]], selected: str | None) -> SafeString:
    """``<option>`` elements, built in Python: a member may have hundreds of sites and perimeters,
    and a template loop comparing each with the selected value costs more than the whole search."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, " selected" if str(pk) == selected else "", label) for pk, label in choices),
    )


def _site_choices(user: User) -> list[tuple[int, str]]:
    sites = sites_for(user).order_by("site_name", "pk").values_list("pk", "site_name", "delivery_point")
    rows = list(sites[: CHOICES_MAX + 1])
    return [(pk, f"{name} ({point})") for pk, name, point in rows] if len(rows) <= CHOICES_MAX else []


def _perimeter_choices(user: User) -> list[tuple[int, str]]:
    rows = list(perimeters_for(user).order_by("name", "pk").values_list("pk", "name")[: CHOICES_MAX + 1])
    return rows if len(rows) <= CHOICES_MAX else []


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The invoice search: filters (12 months at most), the consolidated chart and its table, the invoices.

    Queries (besides the session and the user): the chart's aggregate, the table's count and
    page, the perimeters and sites of the form.
    """
    user = module_user(request, Module.BILLING)
    filterset = InvoiceFilterSet(request.GET, queryset=selectors.invoices_for(user))
    valid = filterset.is_valid()
    invoices = filterset.qs if valid else selectors.invoices_for(user).none()
    show_member = user.member_id is None
    context: dict[str, Any] = {
        "filterset": filterset,
        "table": invoice_table(invoices, request.GET, show_member=show_member),
        "show_member": show_member,
        "table_export_url": _url_or_none("reports:direct_download", report=INVOICES_REPORT),
    }
    if request.htmx and request.htmx.target == "invoice-table":  # type: ignore[attr-defined]
        return render(request, "invoicing/_invoice_table.html", context)
    if valid:
        first, last = filterset.period
        months = selectors.per_month_filled(selectors.billed_per_month(invoices), selectors.months_between(first, last))
        amount, kwh = selectors.totals_by(months)
        rows = charts.month_rows(months)
        context.update(
            first=first,
            last=last,
            month_rows=rows,
            total_amount=amount,
            total_kwh=kwh,
            figure=charts.amount_figure(rows) if any(r.count for r in rows) else None,
        )
    perimeters = _perimeter_choices(user)
    sites = _site_choices(user)
    context.update(
        perimeter_options=_options(perimeters, request.GET.get("perimeter")) if perimeters else "",
        site_options=_options(sites, request.GET.get("site")) if sites else "",
    )
    return render(request, "invoicing/search.html", context)


@login_required
@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An invoice as on paper: the recap (one line per site) and each site's detail lines, paged by sites.

    Five queries whatever the number of sites: the invoice, its sites, the per-site sums, the
    detail lines of the sites of the page, the VAT per rate.
    """
    user = request_user(request)
    invoice = selectors.get_invoice_for(user, pk)
    require_module(user, Module.BILLING)
    recap = selectors.invoice_recap(invoice, page_number=request.GET.get("page"), sites_per_page=DETAIL_SITES_PER_PAGE)
    rates = recap.rates
    return render(
        request,
        "invoicing/invoice_detail.html",
        {
            "invoice": invoice,
            "recap": recap,
            "rate_labels": [percent_label(rate) for rate in rates],
            "vat_rows": [(percent_label(vat.percent), vat) for vat in recap.vat_lines],
            "recap_rows": [(site, site.vat_by_rate(rates)) for site in recap.sites],
            "detail_sites": recap.detail_sites,
            "page": recap.page,
            "pdf_url": _url_or_none("invoicing:invoice_pdf", pk=invoice.pk),
        },
    )


@login_required
@require_GET
def site_invoices(request: HttpRequest, pk: int) -> HttpResponse:
    """Per-meter tracking: a site's invoices and credit notes, newest first, with the cumulated amount billed."""
    user = request_user(request)
    site = get_site_for(user, pk)
    require_module(user, Module.BILLING)
    parts = list(selectors.site_parts_for(user, site))
    # The running total, oldest first (credit notes count negative, as issued).
    running = Decimal("0.00")
    for part in reversed(parts):
        running += part.total_incl_vat
        part.cumulated = running  # type: ignore[attr-defined]
    page = Paginator(parts, TRACKING_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "invoicing/site_invoices.html",
        {
            "site": site,
            "page": page,
            "total_incl_vat": running,
            "total_kwh": sum((p.consumption_kwh for p in parts), Decimal("0")),
            "count": len(parts),
        },
    )


def percent_label(rate: Decimal) -> str:
    """A VAT rate as French invoices print it: "5,5", "20"."""
    return f"{rate.normalize():f}".replace(".", ",")


def home_panel(user: User, *, today: dt.date | None = None) -> dict[str, Any] | None:
    """The home page's billing panel: amount (incl. VAT) and volume billed in each of the last three
    months (accounting months, the current one included); None without the Facturation right."""
    if not can_read(user, Module.BILLING):
        return None
    today = today or timezone.localdate()
    first = add_months(today, -(HOME_MONTHS - 1))
    invoices = selectors.invoices_for(user).filter(accounting_date__gte=first)
    months = selectors.per_month_filled(selectors.billed_per_month(invoices), selectors.months_between(first, today))
    amount, kwh = selectors.totals_by(months)
    return {"months": charts.month_rows(months), "amount": amount, "kwh": kwh}


@login_required
@require_GET
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice's PDF, as an attachment named after its number."""
    user = request_user(request)
    invoice = selectors.get_invoice_for(user, pk)
    require_module(user, Module.BILLING)
    return pdf_response(invoice)


def pdf_response(invoice: Invoice) -> HttpResponse:
    """The PDF download of an invoice (pages and API alike): attachment, filename with the number.

    The archived PDF when stored (``invoicing.services.pdfs``), else rendered, stored and served.
    """
    content = invoice_pdf_content(invoice=invoice)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
    return response
