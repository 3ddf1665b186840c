"""The invoice PDF: an `InvoiceDocument` typeset by Typst (PyPI `typst`) as a tagged PDF/A-3b.

`prepare(doc)` formats every figure in French (the template only lays them out);
`render_invoice_pdf(doc)` compiles `invoice.typ` with that data, in a child process (see
`compile_typst.py`). Typst's own embedded fonts are used and the system's ignored, so a
PDF is the same on every machine, and its timestamp is the issue date, so the same
invoice gives the same bytes. Why Typst: the
figures in bench/RESULTS.md ("Invoice PDF renderer choice") and docs/billing.md.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from invoicing.engine.types import Line, Period
from invoicing.pdf.document import InvoiceDocument, SiteSection

TEMPLATE = Path(__file__).with_name("invoice.typ")
COMPILER = Path(__file__).with_name("compile_typst.py")
TIMEOUT_SECONDS: Final = 600  # a 500-site invoice takes 4–17 s on 2 loaded CPUs
PDF_STANDARD: Final = "a-3b"  # archivable, and PDF/A-3 allows the Factur-X XML attachment
_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
_THIN = "\u202f"  # narrow no-break space, the French thousands separator


def number(value: Decimal, places: int | None = None) -> str:
    """French notation: "12 345,67" (``places`` fixed, else as many as the value carries, trailing zeros dropped)."""
    if places is None:
        text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    else:
        text = format(value, f".{places}f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    grouped = _THIN.join(groups)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def money(value: Decimal) -> str:
    return f"{number(value, 2)}\u00a0€"


def percent(value: Decimal) -> str:
    return f"{number(value)}\u00a0%"


def day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def period(value: Period | None) -> str:
    return "" if value is None else f"du {day(value.first)} au {day(value.last)}"


def short_period(value: Period) -> str:
    return f"{value.first:%d/%m/%y} – {value.last:%d/%m/%y}"


# The engine's units as printed; a line in "EUR" is a percentage of an amount (the CTA on the fixed network parts).
UNITS = {"kWh": "kWh", "day": "jour", "kVA.day": "kVA·jour", "EUR": "€", "m3": "m³"}


def _line(line: Line) -> dict[str, str]:
    if line.unit == "EUR":
        quantity, unit_price = money(line.quantity), percent(line.unit_price * 100)
    else:
        quantity, unit_price = number(line.quantity), number(line.unit_price, max(4, _places(line.unit_price)))
    return {
        "label": line.label,
        "period": short_period(Period(line.start, line.end)),
        "quantity": quantity,
        "unit": UNITS.get(line.unit, line.unit),
        "unit_price": unit_price,
        "amount": money(line.amount),
        "vat": percent(line.vat_percent),
    }


def _site(site: SiteSection, rates: list[Decimal]) -> dict[str, Any]:
    vat = {item.percent: item.amount for item in site.totals.vat}
    return {
        "delivery_point": site.delivery_point,
        "site_name": site.site_name,
        "address": list(site.address),
        "segment": site.segment,
        "tariff_formula": site.tariff_formula,
        "subscribed_power": "" if site.subscribed_power_kva is None else number(site.subscribed_power_kva),
        "consumption_period": period(site.consumption_period),
        "consumption_period_short": short_period(site.consumption_period),
        "fixed_period": period(site.fixed_period or site.consumption_period),
        "consumption_kwh": number(site.consumption_kwh),
        "lines": [_line(line) for line in site.lines],
        "consumption_excl_vat": money(site.consumption_excl_vat),
        "subscription_excl_vat": money(site.subscription_excl_vat),
        "taxes_excl_vat": money(site.taxes_excl_vat),
        "total_excl_vat": money(site.totals.excl_vat),
        "vat": [
            {"percent": percent(v.percent), "base": money(v.base), "amount": money(v.amount)} for v in site.totals.vat
        ],
        "vat_by_rate": [money(vat[rate]) if rate in vat else "" for rate in rates],
        "total_incl_vat": money(site.totals.incl_vat),
        "history": [
            {
                "label": f"{_MONTHS[m.month.month - 1]} {m.month:%y}",
                "kwh": number(m.kwh),
                "value": float(max(m.kwh, Decimal(0))),
            }
            for m in site.history
        ],
    }


def prepare(doc: InvoiceDocument) -> dict[str, Any]:
    """The document as the template reads it: strings formatted in French (and the chart's plain numbers)."""
    rates = [item.percent for item in doc.totals.vat]
    supplier = doc.supplier
    first = min(site.consumption_period.first for site in doc.sites)
    last = max(site.consumption_period.last for site in doc.sites)
    sum_of = lambda attribute: sum((getattr(site, attribute) for site in doc.sites), Decimal(0))  # noqa: E731
    return {
        "title": "Avoir" if doc.is_credit_note else "Facture",
        "is_credit_note": doc.is_credit_note,
        "amount_label": "Montant en votre faveur" if doc.is_credit_note else "Montant à payer",
        "number": doc.number,
        "preceding_number": doc.preceding_number if doc.is_credit_note else "",
        "issue_date": day(doc.issue_date),
        "accounting_date": day(doc.accounting_date),
        "due_date": day(doc.due_date),
        "payment_delay_days": str(doc.payment_delay_days),
        "payment_mode": doc.payment_mode,
        "perimeter_name": doc.perimeter_name,
        "budget_reference": doc.budget_reference,
        "site_count": str(len(doc.sites)),
        "consumption_period": f"du {day(first)} au {day(last)}",
        "consumption_kwh": number(sum_of("consumption_kwh")),
        "consumption_excl_vat": money(sum_of("consumption_excl_vat")),
        "subscription_excl_vat": money(sum_of("subscription_excl_vat")),
        "taxes_excl_vat": money(sum_of("taxes_excl_vat")),
        "supplier": {
            "name": supplier.name,
            "address": list(supplier.address),
            "siret": supplier.siret,
            "vat_number": supplier.vat_number,
            "rcs": supplier.rcs,
            "capital": supplier.capital,
            "customer_service": supplier.customer_service,
            "footer": f"{supplier.name} — {supplier.capital} — {supplier.rcs} — TVA {supplier.vat_number}",
        },
        "buyer": {
            "legal_name": doc.buyer.legal_name,
            "address": list(doc.buyer.address),
            "siret": doc.buyer.siret,
            "customer_number": doc.buyer.customer_number,
        },
        "totals": {
            "energy": money(doc.totals.energy),
            "network": money(doc.totals.network),
            "taxes": money(doc.totals.taxes),
            "excl_vat": money(doc.totals.excl_vat),
            "vat": [
                {"percent": percent(v.percent), "base": money(v.base), "amount": money(v.amount)}
                for v in doc.totals.vat
            ],
            "vat_total": money(doc.totals.vat_total),
            "incl_vat": money(doc.totals.incl_vat),
        },
        "vat_rates": [percent(rate) for rate in rates],
        "legal_mentions": list(doc.legal_mentions),
        "sites": [_site(site, rates) for site in doc.sites],
    }


class InvoicePdfError(RuntimeError):
    """Typst refused the document (its message, with the template line, is the error's text)."""


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as a tagged PDF/A-3b, in French: summary, recap (multi-site), one detail page per site.

    Typeset in a child process (`compile_typst.py`: Typst's cache would otherwise stay in
    this one); the same document gives the same bytes.
    """
    job = {
        "template": str(TEMPLATE),
        "data": json.dumps(prepare(doc), ensure_ascii=False),
        "timestamp": int(dt.datetime.combine(doc.issue_date, dt.time(), tzinfo=dt.UTC).timestamp()),
        "standard": PDF_STANDARD,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(COMPILER)],
            input=json.dumps(job).encode(),
            capture_output=True,
            check=False,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as error:  # the child is killed by subprocess.run
        raise InvoicePdfError(f"no PDF after {TIMEOUT_SECONDS} s") from error
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF-"):
        raise InvoicePdfError(done.stderr.decode(errors="replace").strip()[-2000:] or f"exit {done.returncode}")
    return done.stdout
