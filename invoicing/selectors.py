"""Member-facing reads of invoices, scoped through ``perimeter.selectors.members_for``.

- a member user sees its member's invoices and credit notes; a coordinator every member's
  (read-only: the pages and the API only read); anybody else nothing; a foreign id is a 404;
- the edition state a member sees is derived, never stored: an invoice a credit note
  cancels is "cancelled", every other one (credit notes included) "issued"
  (``InvoiceState``); ``invoices_for`` annotates it with the numbers of the invoice a
  credit note cancels and of the credit note cancelling an invoice (one LEFT JOIN each);
- a site's invoice parts (``InvoiceSite``) give the per-meter tracking.

Module rights (Facturation) are checked by the callers (``accounts.access``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.http import Http404

from accounts.models import User
from invoicing.choices import InvoiceState
from invoicing.models import Invoice, InvoiceLine, InvoiceSite, InvoiceVat
from perimeter.models import Site
from perimeter.selectors import members_for

CENT = Decimal("0.01")
# The fixed parts of the network tariff: the "abonnement" column of an invoice's recap.
SUBSCRIPTION_CODES = frozenset({"NETWORK_MANAGEMENT", "NETWORK_METERING", "NETWORK_FIXED"})


def _valid_pk(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def with_state(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """The derived state and the cancels / cancelled-by links (ids and numbers), in the same query."""
    return invoices.annotate(
        state=Case(
            When(cancelled_by__isnull=False, then=Value(InvoiceState.CANCELLED.value)),
            default=Value(InvoiceState.ISSUED.value),
            output_field=CharField(),
        ),
        cancels_number=F("cancels__number"),
        cancelled_by_pk=F("cancelled_by__id"),
        cancelled_by_number=F("cancelled_by__number"),
    )


def invoices_for(user: User) -> QuerySet[Invoice]:
    """The invoices and credit notes the user may read, with their derived state (``with_state``)."""
    members = members_for(user)
    if members.query.is_empty():
        return with_state(Invoice.objects.none())
    # The park's scoping decides which members the user sees (one rule for every object).
    return with_state(Invoice.objects.filter(member_id__in=members.order_by().values("pk")))


def get_invoice_for(user: User, pk: int | str) -> Invoice:
    """One invoice the user may read (with its perimeter and member); 404 otherwise."""
    invoice = invoices_for(user).select_related("perimeter", "member", "lot").filter(pk=_valid_pk(pk)).first()
    if invoice is None:
        raise Http404
    return invoice


# --- One invoice: its recap per site and its detail lines ---------------------------------


@dataclass
class SiteRecap:
    """One line of an invoice's recap (and the heading of that site's detail)."""

    part: InvoiceSite
    subscription: Decimal = Decimal("0.00")
    base_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)
    lines: list[InvoiceLine] | None = None  # loaded for the sites of the detail page shown

    def vat_by_rate(self, rates: list[Decimal]) -> list[Decimal | None]:
        """The site's VAT at each of the invoice's rates (base × rate, rounded to the cent)."""
        return [
            (self.base_by_rate[rate] * rate / 100).quantize(CENT, ROUND_HALF_UP) if rate in self.base_by_rate else None
            for rate in rates
        ]


@dataclass
class InvoiceRecap:
    sites: list[SiteRecap]
    vat_lines: list[InvoiceVat]
    page: Page[InvoiceSite] | None = None  # the sites whose detail lines are loaded

    @property
    def detail_sites(self) -> list[SiteRecap]:
        return [site for site in self.sites if site.lines is not None]

    @property
    def rates(self) -> list[Decimal]:
        return [vat.percent for vat in self.vat_lines]


def invoice_recap(invoice: Invoice, *, page_number: Any = None, sites_per_page: int | None = None) -> InvoiceRecap:
    """Every site's recap line, the VAT per rate, and the detail lines of the sites of the page
    (``sites_per_page`` sites per page; every site when None). Four queries whatever the number
    of sites: the sites, the per-site sums by rate, the detail lines, the VAT lines."""
    parts = list(InvoiceSite.objects.filter(invoice=invoice).order_by("position"))
    recaps = {part.pk: SiteRecap(part=part) for part in parts}
    sums = (
        InvoiceLine.objects.filter(invoice=invoice)
        .order_by()
        .values("invoice_site_id", "vat_percent")
        .annotate(
            base=Sum("amount"),
            subscription=Sum("amount", filter=Q(code__in=SUBSCRIPTION_CODES)),
        )
    )
    for row in sums:
        recap = recaps[row["invoice_site_id"]]
        recap.base_by_rate[row["vat_percent"]] = row["base"]
        recap.subscription += row["subscription"] or Decimal("0.00")
    page: Page[InvoiceSite] | None = None
    shown = parts
    if sites_per_page is not None:
        page = Paginator(parts, sites_per_page).get_page(page_number)
        shown = list(page.object_list)
    for part in shown:
        recaps[part.pk].lines = []
    lines = InvoiceLine.objects.filter(invoice_site_id__in=[p.pk for p in shown]).order_by(
        "invoice_site_id", "position"
    )
    for line in lines if shown else []:
        site_lines = recaps[line.invoice_site_id].lines
        assert site_lines is not None
        site_lines.append(line)
    vat_lines = list(InvoiceVat.objects.filter(invoice=invoice))
    return InvoiceRecap(sites=list(recaps.values()), vat_lines=vat_lines, page=page)


# --- Per-meter tracking -----------------------------------------------------------------


def site_parts_for(user: User, site: Site) -> QuerySet[InvoiceSite]:
    """A site's parts of the invoices the user may read, newest first, with the invoice's state and links.

    ``site`` must come from ``get_site_for`` (the member scoping of the site itself).
    """
    invoices = invoices_for(user)
    return (
        InvoiceSite.objects.filter(site=site, invoice__in=invoices.order_by().values("pk"))
        .select_related("invoice")
        .annotate(
            state=Case(
                When(invoice__cancelled_by__isnull=False, then=Value(InvoiceState.CANCELLED.value)),
                default=Value(InvoiceState.ISSUED.value),
                output_field=CharField(),
            ),
            cancels_pk=F("invoice__cancels_id"),
            cancels_number=F("invoice__cancels__number"),
            cancelled_by_pk=F("invoice__cancelled_by__id"),
            cancelled_by_number=F("invoice__cancelled_by__number"),
        )
        .order_by("-invoice__accounting_date", "-invoice__number")
    )


# --- Figures per month (search chart, home, consumption page) ----------------------------


@dataclass(frozen=True)
class BilledMonth:
    month: dt.date
    amount_incl_vat: Decimal
    consumption_kwh: Decimal
    count: int


def billed_per_month(invoices: QuerySet[Invoice]) -> list[BilledMonth]:
    """Amounts (incl. VAT) and volumes per accounting month of the given invoices (credit notes count
    negative, as issued), oldest first: one aggregate query."""
    rows = (
        invoices.order_by()
        .annotate(month=TruncMonth("accounting_date"))
        .values("month")
        .annotate(amount=Sum("total_incl_vat"), kwh=Sum("consumption_kwh"), n=Count("id"))
        .order_by("month")
    )
    return [
        BilledMonth(month=row["month"], amount_incl_vat=row["amount"], consumption_kwh=row["kwh"], count=row["n"])
        for row in rows
    ]


def billed_kwh_per_month(user: User, *, first: dt.date, last: dt.date, fluid: str) -> dict[dt.date, Decimal]:
    """The consumption billed per invoice (accounting) month for a fluid, months ``first``…``last``
    (first days of months): the consumption home shows it beside the metered one."""
    invoices = invoices_for(user).filter(
        lot__fluid=fluid, accounting_date__gte=first, accounting_date__lt=_next_month(last)
    )
    return {row.month: row.consumption_kwh for row in billed_per_month(invoices)}


def _next_month(month: dt.date) -> dt.date:
    """The first day of the next month; ``date.max`` after December 9999 (the end of the calendar)."""
    if month.year == dt.MAXYEAR and month.month == 12:
        return dt.date.max
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of every month from ``first``'s to ``last``'s, inclusive."""
    months = []
    month = first.replace(day=1)
    while month <= last and month != dt.date.max:
        months.append(month)
        month = _next_month(month)
    return months


def per_month_filled(values: list[BilledMonth], months: list[dt.date]) -> list[BilledMonth]:
    """One entry per month of ``months`` (zero where nothing was billed)."""
    by_month: dict[dt.date, BilledMonth] = {v.month: v for v in values}
    empty: dict[str, Any] = {"amount_incl_vat": Decimal("0.00"), "consumption_kwh": Decimal("0"), "count": 0}
    return [by_month.get(m) or BilledMonth(month=m, **empty) for m in months]


def totals_by(rows: list[BilledMonth]) -> tuple[Decimal, Decimal]:
    return sum((r.amount_incl_vat for r in rows), Decimal("0.00")), sum((r.consumption_kwh for r in rows), Decimal("0"))
