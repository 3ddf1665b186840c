"""Issued invoices for tests, written the way a billing run writes them: INSERTs only (the database
refuses any UPDATE or DELETE of an issued invoice), with sites, lines and VAT consistent with the totals.

Each site gets the lines of a C5 base invoice: energy, capacity, network management, metering,
fixed and variable parts, CTA and excise. Every line is rounded to the cent; the site's and
the invoice's totals are sums of lines; the VAT per rate is rounded on the sum of its base
(the site's VAT per rate likewise, on the site's base); the invoice's VAT total is the sum of
its per-rate amounts. A credit note repeats its invoice with every amount negated.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from billing_groups.models import BillingPerimeter
from invoicing.choices import IndexNature, InvoiceKind, LineFamily
from invoicing.models import BillingRun, Invoice, InvoiceLine, InvoiceSite, InvoiceVat
from perimeter.models import Member, Site

CENT = Decimal("0.01")
_numbers = itertools.count(1)

# (code, family, label, unit, unit price, quantity kind, VAT percent): "kwh" = the site's energy,
# "days" = the fixed period's days, "kva_days" = 12 kVA × days.
LINES: tuple[tuple[str, str, str, str, Decimal, str, Decimal], ...] = (
    ("ENERGY_BASE", LineFamily.ENERGY, "Énergie Base", "kWh", Decimal("0.099"), "kwh", Decimal("20")),
    ("CAPACITY_BASE", LineFamily.ENERGY, "Mécanisme de capacité Base", "kWh", Decimal("0.0052"), "kwh", Decimal("20")),
    (
        "NETWORK_MANAGEMENT",
        LineFamily.NETWORK,
        "Composante de gestion",
        "jour",
        Decimal("0.045"),
        "days",
        Decimal("20"),
    ),
    (
        "NETWORK_METERING",
        LineFamily.NETWORK,
        "Composante de comptage",
        "jour",
        Decimal("0.0612"),
        "days",
        Decimal("20"),
    ),
    (
        "NETWORK_FIXED",
        LineFamily.NETWORK,
        "Part fixe de soutirage",
        "kVA·jour",
        Decimal("0.0283"),
        "kva_days",
        Decimal("20"),
    ),
    (
        "NETWORK_VARIABLE_BASE",
        LineFamily.NETWORK,
        "Part variable de soutirage Base",
        "kWh",
        Decimal("0.0444"),
        "kwh",
        Decimal("20"),
    ),
    ("CTA", LineFamily.TAXES, "Contribution tarifaire d'acheminement", "€", Decimal("0.2193"), "cta", Decimal("20")),
    ("EXCISE", LineFamily.TAXES, "Accise sur l'électricité", "kWh", Decimal("0.02998"), "kwh", Decimal("20")),
)


REDUCED_VAT = Decimal("5.5")
REDUCED_VAT_END = dt.date(2025, 8, 1)
REDUCED_CODES = frozenset({"NETWORK_MANAGEMENT", "NETWORK_METERING", "NETWORK_FIXED", "CTA"})


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def next_number(prefix: str = "FA") -> str:
    return f"{prefix}2026-{next(_numbers):06d}"


def perimeter_for(member: Member, name: str = "Périmètre test", **fields: Any) -> BillingPerimeter:
    perimeter, _ = BillingPerimeter.objects.get_or_create(
        member=member,
        name=name,
        defaults={
            "segment": "C5",
            "billing_type": "multi_site",
            "payment_mode": "transfer",
            "billing_rhythm": "monthly",
            "invoice_delivery": "email",
            "delivery_email": "factures@membre.test",
            **fields,
        },
    )
    return perimeter


def make_invoice(
    *,
    member: Member,
    sites: Sequence[Site],
    accounting_date: dt.date = dt.date(2026, 3, 1),
    kwh: Decimal | int | str = Decimal("1000"),
    number: str | None = None,
    perimeter: BillingPerimeter | None = None,
    label: str = "",
    cancels: Invoice | None = None,
    reduced_vat: bool | None = None,
    run: BillingRun | None = None,
) -> Invoice:
    """An issued invoice of ``sites`` (each billed ``kwh``), or with ``cancels`` the credit note cancelling
    that invoice (every amount negated). Five INSERT statements whatever the number of sites.

    ``reduced_vat`` (default: issued before 1 Aug 2025): the fixed network parts and the CTA at 5.5 %.
    ``run``: the billing run that issued it (none by default).
    """
    sign = Decimal(-1) if cancels is not None else Decimal(1)
    if cancels is not None:
        member = cancels.member
        perimeter = cancels.perimeter
        sites = list(Site.objects.filter(invoice_parts__invoice=cancels).order_by("invoice_parts__position"))
        kwh = cancels.sites.order_by("position").values_list("consumption_kwh", flat=True)[0]
        accounting_date = max(accounting_date, cancels.accounting_date)
        reduced_vat = cancels.vat_lines.filter(percent=REDUCED_VAT).exists()  # the same lines, negated
    perimeter = perimeter or perimeter_for(member)
    if reduced_vat is None:
        reduced_vat = accounting_date < REDUCED_VAT_END
    energy = Decimal(kwh)
    period_end = cancels.period_end if cancels is not None else accounting_date - dt.timedelta(days=1)
    period_start = period_end.replace(day=1)
    days = Decimal((period_end - period_start).days + 1)
    quantities = {"kwh": energy, "days": days, "kva_days": days * 12}
    site_lines: list[list[dict[str, Any]]] = []
    for _site in sites:
        lines: list[dict[str, Any]] = []
        fixed_network = Decimal(0)
        for code, family, line_label, unit, price, quantity_kind, vat in LINES:
            if quantity_kind == "cta":
                quantity = fixed_network  # 21.93 % of the fixed network parts
                amount = _round(quantity * price)
            else:
                quantity = quantities[quantity_kind]
                amount = _round(quantity * price)
            if code in {"NETWORK_MANAGEMENT", "NETWORK_METERING", "NETWORK_FIXED"}:
                fixed_network += amount
            lines.append(
                {
                    "code": code,
                    "family": family,
                    "label": line_label,
                    "unit": unit,
                    "unit_price": price,
                    "quantity": quantity * sign,
                    "amount": amount * sign,
                    "vat_percent": REDUCED_VAT if reduced_vat and code in REDUCED_CODES else vat,
                }
            )
        site_lines.append(lines)

    def family_sum(lines: list[dict[str, Any]], family: str) -> Decimal:
        return sum((line["amount"] for line in lines if line["family"] == family), Decimal("0.00"))

    invoice_base: dict[Decimal, Decimal] = defaultdict(Decimal)
    site_totals = []
    for lines in site_lines:
        base: dict[Decimal, Decimal] = defaultdict(Decimal)
        for line in lines:
            base[line["vat_percent"]] += line["amount"]
            invoice_base[line["vat_percent"]] += line["amount"]
        excl = sum(base.values(), Decimal("0.00"))
        vat_total = sum((_round(b * rate / 100) for rate, b in base.items()), Decimal("0.00"))
        site_totals.append(
            {
                "energy": family_sum(lines, LineFamily.ENERGY),
                "network": family_sum(lines, LineFamily.NETWORK),
                "taxes": family_sum(lines, LineFamily.TAXES),
                "total_excl_vat": excl,
                "vat_total": vat_total,
                "total_incl_vat": excl + vat_total,
            }
        )
    vat_amounts = {rate: _round(b * rate / 100) for rate, b in invoice_base.items()}
    excl = sum(invoice_base.values(), Decimal("0.00"))
    vat_total = sum(vat_amounts.values(), Decimal("0.00"))
    kind = InvoiceKind.CREDIT_NOTE if cancels is not None else InvoiceKind.INVOICE
    invoice = Invoice.objects.create(
        run=run,
        number=number or next_number("AV" if cancels is not None else "FA"),
        kind=kind,
        perimeter=perimeter,
        member=member,
        lot=sites[0].lot,
        cancels=cancels,
        label=label
        or (f"Avoir de {cancels.number}" if cancels is not None else f"{perimeter.name} {accounting_date:%m/%Y}"),
        issue_date=accounting_date,
        accounting_date=accounting_date,
        due_date=accounting_date + dt.timedelta(days=30),
        period_start=period_start,
        period_end=period_end,
        consumption_kwh=energy * len(sites) * sign,
        energy=sum((t["energy"] for t in site_totals), Decimal("0.00")),
        network=sum((t["network"] for t in site_totals), Decimal("0.00")),
        taxes=sum((t["taxes"] for t in site_totals), Decimal("0.00")),
        total_excl_vat=excl,
        vat_total=vat_total,
        total_incl_vat=excl + vat_total,
        reception_mode=perimeter.invoice_delivery,
        payment_mode=perimeter.payment_mode,
        buyer={"legal_name": member.legal_name, "siret": member.siret, "customer_number": member.customer_number},
    )
    parts = InvoiceSite.objects.bulk_create(
        InvoiceSite(
            invoice=invoice,
            site=site,
            position=position,
            delivery_point=site.delivery_point,
            site_name=site.site_name,
            consumption_start=period_start,
            consumption_end=period_end,
            fixed_start=period_start,
            fixed_end=period_end,
            consumption_kwh=energy * sign,
            indexes={"BASE": {"start": "10000", "end": str(10000 + energy)}},
            index_nature=IndexNature.ESTIMATED,
            **totals,
        )
        for position, (site, totals) in enumerate(zip(sites, site_totals, strict=True), start=1)
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            invoice_site=part,
            position=position,
            start=period_start,
            end=period_end,
            **line,
        )
        for part, lines in zip(parts, site_lines, strict=True)
        for position, line in enumerate(lines, start=1)
    )
    InvoiceVat.objects.bulk_create(
        InvoiceVat(invoice=invoice, percent=rate, base=invoice_base[rate], amount=amount)
        for rate, amount in sorted(vat_amounts.items())
    )
    return invoice


def make_credit_note(invoice: Invoice, *, accounting_date: dt.date | None = None) -> Invoice:
    """The credit note cancelling ``invoice`` in full (every amount negated)."""
    return make_invoice(
        member=invoice.member,
        sites=[],
        cancels=invoice,
        accounting_date=accounting_date or invoice.accounting_date,
    )
