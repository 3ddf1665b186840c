"""An issued invoice, read from the database, as the PDF renderer's ``InvoiceDocument``.

Bounded queries whatever the number of sites (a 500-site invoice included): the invoice
(with perimeter and member, from ``get_invoice_for``), its sites with their park data, its
lines, its VAT per rate, and one aggregate for every site's consumption history — the
consumption billed per month (month of the end of the billed consumption period) over the
13 months up to the invoice's period, from the issued ``InvoiceSite`` rows of the same
member (a credit note's negative quantities cancel the invoice it cancels).

The supplier printed on the invoice comes from ``settings.INVOICE_SUPPLIER`` (a dict of
``invoicing.pdf.document.Supplier``'s fields) when set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from billing_groups.choices import PaymentMode
from invoicing.choices import InvoiceKind
from invoicing.engine.types import Line, Period, Totals, VatTotal
from invoicing.filtersets import add_months
from invoicing.models import Invoice, InvoiceLine, InvoiceSite, InvoiceVat
from invoicing.pdf.document import (
    CREDIT_NOTE,
    DEFAULT_LEGAL_MENTIONS,
    INVOICE,
    Buyer,
    InvoiceDocument,
    MonthlyConsumption,
    SiteSection,
    Supplier,
    totals_of,
)
from invoicing.pdf.render import render_invoice_pdf

HISTORY_MONTHS = 13
_PAYMENT_MODES = {c.value: str(c.label) for c in PaymentMode}

DEFAULT_SUPPLIER: dict[str, Any] = {
    "name": "Énergies Normandes SA",
    "address": ("12 quai de la Londe", "14000 Caen"),
    "siret": "81234567800027",
    "vat_number": "FR23812345678",
    "rcs": "RCS Caen 812 345 678",
    "capital": "SA au capital de 12 000 000 €",
    "customer_service": "Service clients : 02 31 00 00 00 (lundi au vendredi, 8 h 30 – 18 h)",
}


def pdf_filename(invoice: Invoice) -> str:
    """``facture-FA2026-000123.pdf`` (``avoir-…`` for a credit note): only safe characters."""
    prefix = "avoir" if invoice.kind == InvoiceKind.CREDIT_NOTE else "facture"
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', invoice.number)}.pdf"


def _supplier() -> Supplier:
    fields = {**DEFAULT_SUPPLIER, **getattr(settings, "INVOICE_SUPPLIER", {})}
    fields["address"] = tuple(fields["address"])
    return Supplier(**fields)


def _address(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(part) for part in value if part)
    return tuple(part.strip() for part in str(value or "").split("\n") if part.strip())


def _buyer(invoice: Invoice) -> Buyer:
    """The buyer as it was at issue (``Invoice.buyer``), completed from the member where it says nothing."""
    member = invoice.member
    frozen = invoice.buyer or {}
    address = _address(frozen.get("address")) or tuple(
        part for part in (member.address_line, f"{member.postcode} {member.city}".strip()) if part
    )
    return Buyer(
        legal_name=frozen.get("legal_name") or member.legal_name,
        address=address,
        siret=frozen.get("siret") or member.siret,
        customer_number=frozen.get("customer_number") or member.customer_number,
    )


def _history(invoice: Invoice, site_ids: list[int]) -> dict[int, tuple[MonthlyConsumption, ...]]:
    """kWh billed per month for each site over the 13 months up to the invoice's period (one query)."""
    last_month = invoice.period_end.replace(day=1)
    first_month = add_months(last_month, -(HISTORY_MONTHS - 1))
    rows = (
        InvoiceSite.objects.filter(
            site_id__in=site_ids,
            invoice__member_id=invoice.member_id,
            consumption_end__gte=first_month,
            consumption_end__lt=add_months(last_month, 1),
        )
        .annotate(month=TruncMonth("consumption_end"))
        .order_by()
        .values("site_id", "month")
        .annotate(kwh=Sum("consumption_kwh"))
    )
    by_site: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for row in rows:
        by_site[row["site_id"]][row["month"]] = row["kwh"]
    months = [add_months(first_month, n) for n in range(HISTORY_MONTHS)]
    return {
        site_id: tuple(MonthlyConsumption(month=m, kwh=values.get(m, Decimal(0))) for m in months)
        for site_id, values in by_site.items()
    }


def _engine_line(line: InvoiceLine) -> Line:
    return Line(
        code=line.code,
        family=line.family,
        label=line.label,
        start=line.start,
        end=line.end,
        quantity=line.quantity,
        unit=line.unit,
        unit_price=line.unit_price,
        amount=line.amount,
        vat_percent=line.vat_percent,
    )


def _site_section(part: InvoiceSite, lines: list[Line], history: tuple[MonthlyConsumption, ...]) -> SiteSection:
    site = part.site
    computed = totals_of(lines)  # the VAT per rate of the site, on its own base
    consumption = Period(part.consumption_start, part.consumption_end)
    fixed = Period(part.fixed_start, part.fixed_end)
    return SiteSection(
        delivery_point=part.delivery_point,
        site_name=part.site_name,
        address=tuple(p for p in (site.address_line, f"{site.postcode} {site.city}".strip()) if p),
        segment=site.segment,
        tariff_formula=site.tariff_formula,
        subscribed_power_kva=site.subscribed_power_kva,
        consumption_period=consumption,
        fixed_period=None if fixed == consumption else fixed,
        consumption_kwh=part.consumption_kwh,
        lines=tuple(lines),
        totals=Totals(
            energy=part.energy,
            network=part.network,
            taxes=part.taxes,
            excl_vat=part.total_excl_vat,
            vat=computed.vat,
            vat_total=part.vat_total,
            incl_vat=part.total_incl_vat,
        ),
        history=history,
    )


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    """The invoice's document for the renderer (4 queries besides the invoice, whatever its size).

    ``invoice`` should come with its perimeter and member (``get_invoice_for`` selects them)
    and, for a credit note, the ``cancels_number`` annotation (``invoices_for``).
    """
    parts = list(
        InvoiceSite.objects.filter(invoice=invoice)
        .select_related("site")
        .only(
            *(f.name for f in InvoiceSite._meta.concrete_fields),
            "site__address_line",
            "site__postcode",
            "site__city",
            "site__segment",
            "site__tariff_formula",
            "site__subscribed_power_kva",
        )
        .order_by("position")
    )
    lines: dict[int, list[Line]] = defaultdict(list)
    for line in InvoiceLine.objects.filter(invoice=invoice).order_by("invoice_site_id", "position"):
        lines[line.invoice_site_id].append(_engine_line(line))
    history = _history(invoice, [part.site_id for part in parts])
    perimeter = invoice.perimeter
    cancels_number = getattr(invoice, "cancels_number", None)
    if invoice.cancels_id and cancels_number is None:
        cancels_number = Invoice.objects.filter(pk=invoice.cancels_id).values_list("number", flat=True).first()
    vat = tuple(
        VatTotal(percent=v.percent, base=v.base, amount=v.amount)
        for v in InvoiceVat.objects.filter(invoice=invoice).order_by("percent")
    )
    return InvoiceDocument(
        supplier=_supplier(),
        buyer=_buyer(invoice),
        perimeter_name=perimeter.name,
        number=invoice.number,
        kind=CREDIT_NOTE if invoice.kind == InvoiceKind.CREDIT_NOTE else INVOICE,
        issue_date=invoice.issue_date,
        accounting_date=invoice.accounting_date,
        due_date=invoice.due_date,
        payment_delay_days=(invoice.due_date - invoice.issue_date).days,
        payment_mode=_PAYMENT_MODES.get(invoice.payment_mode, invoice.payment_mode),
        sites=tuple(_site_section(part, lines[part.pk], history.get(part.site_id, ())) for part in parts),
        totals=Totals(
            energy=invoice.energy,
            network=invoice.network,
            taxes=invoice.taxes,
            excl_vat=invoice.total_excl_vat,
            vat=vat,
            vat_total=invoice.vat_total,
            incl_vat=invoice.total_incl_vat,
        ),
        preceding_number=cancels_number or "",
        budget_reference=perimeter.chorus_commitment_number or perimeter.budget_reference,
        legal_mentions=DEFAULT_LEGAL_MENTIONS,
    )


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    return render_invoice_pdf(invoice_document(invoice))
