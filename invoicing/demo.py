"""Demo data: contract prices for every lot, then the last 13 months of invoices of the demo syndicates.

``seed_demo`` runs this generator after the meter data (order 30, after the campaigns at
20, so that default billing perimeters take the campaigns' defaults). The invoices come
from the demo readings through the billing runs themselves (``billing_run_request`` then
``billing_run_execute``, in place): the estimated calendar on the 1st of each of the last
13 months, gas T3 on the 10th; every other member has its default perimeters billed
every two months, so the demo shows both rhythms (and bills less). Idempotent: a lot with
prices keeps them, a run already done is not run again.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from billing_groups.choices import BillingRhythm
from billing_groups.models import BillingPerimeter
from billing_groups.services import DEFAULT_PERIMETER_SUFFIX, billing_perimeter_update
from consumption.partitions import add_months, month_start
from invoicing.choices import FixedBilling, RunCalendar
from invoicing.models import ContractPriceSet
from invoicing.prices import price_set_create
from invoicing.services.runs import GAS_REAL_SEGMENTS, billing_run_execute, billing_run_request, calendar_sites_attach
from perimeter.choices import Fluid
from perimeter.extensions import DemoRun
from perimeter.models import Lot
from tenants.models import Syndicate

DEMO_SYNDICATES = ("sdec", "siege")
MONTHS = 13
PRICES_FROM = dt.date(2023, 1, 1)
ELEC_PRICES: list[dict[str, Any]] = [
    {"component": "energy", "post": post, "unit_price": price}
    for post, price in (
        ("BASE", "0.0990"),
        ("HP", "0.1080"),
        ("HC", "0.0840"),
        ("HPH", "0.1250"),
        ("HCH", "0.0950"),
        ("HPE", "0.0890"),
        ("HCE", "0.0710"),
    )
] + [
    *(
        {"component": "capacity", "post": post, "unit_price": "0.0052"}
        for post in ("BASE", "HP", "HC", "HPH", "HCH", "HPE", "HCE")
    ),
    {"component": "CEE_CLASSIC", "post": "BASE", "unit_price": "0.0085", "coefficient": "0.48"},
    {"component": "CEE_PRECARITY", "post": "BASE", "unit_price": "0.0120", "coefficient": "0.17"},
]
GAS_PRICES: list[dict[str, Any]] = [
    {"component": "energy", "post": "BASE", "unit_price": "0.0580"},
    {"component": "CEE_CLASSIC", "post": "BASE", "unit_price": "0.0085", "coefficient": "0.48"},
]


def demo_prices() -> int:
    """A price set for every lot without one (electricity in advance, gas in arrears)."""
    created = 0
    for lot in Lot.objects.exclude(pk__in=ContractPriceSet.objects.values("lot_id")):
        gas = lot.fluid == Fluid.GAS
        price_set_create(
            lot=lot,
            valid_from=PRICES_FROM,
            fixed_billing=FixedBilling.ARREARS if gas else FixedBilling.ADVANCE,
            payment_delay_days=30,
            prices=GAS_PRICES if gas else ELEC_PRICES,
        )
        created += 1
    return created


def demo_issue_dates(today: dt.date) -> list[tuple[str, dt.date]]:
    """The runs of the last 13 months, oldest first: the 1st (estimated, one more) and the 10th (gas T3) up to today."""
    dates: list[tuple[str, dt.date]] = []
    # One more run on the 1st: a bimonthly perimeter, billed on odd months, then covers 13 months too.
    for calendar, day, runs in ((RunCalendar.ESTIMATED, 1, MONTHS + 1), (RunCalendar.GAS_T3, 10, MONTHS)):
        month = month_start(today)
        if today.day < day:
            month = add_months(month, -1)
        dates += [(calendar, add_months(month, -n).replace(day=day)) for n in range(runs)]
    return sorted(dates, key=lambda item: (item[1], item[0]))


def demo_billing(syndicate: Syndicate, run: DemoRun) -> str | None:
    """``seed_demo``'s generator (registered by ``InvoicingConfig.ready``)."""
    if syndicate.code not in DEMO_SYNDICATES:
        return None
    lap = time.perf_counter()
    with tenant_context(syndicate):
        prices, invoices, sites = demo_bill(timezone.localdate())
    return (
        f"facturation : {prices} grilles de prix, {invoices} factures ({sites} sites facturés) "
        f"sur {MONTHS} mois en {time.perf_counter() - lap:.1f} s"
    )


def demo_rhythms() -> int:
    """Every other member has its default perimeters billed every two months (the demo shows both rhythms).

    The default perimeters are created first, as the first run would. Returns how many changed.
    """
    for calendar in RunCalendar.values:
        calendar_sites_attach(calendar)
    changed = 0
    defaults = BillingPerimeter.objects.filter(
        name__endswith=f"({DEFAULT_PERIMETER_SUFFIX})", billing_rhythm=BillingRhythm.MONTHLY
    ).exclude(segment__in=GAS_REAL_SEGMENTS)
    for perimeter in defaults.select_related("member").order_by("pk"):
        if perimeter.member_id % 2 == 0:
            billing_perimeter_update(perimeter=perimeter, actor=None, billing_rhythm=BillingRhythm.BIMONTHLY)
            changed += 1
    return changed


def demo_bill(today: dt.date) -> tuple[int, int, int]:
    """In the current syndicate: the prices, then every run of the last 13 months; (price sets, invoices, sites)."""
    prices = demo_prices()
    if prices:  # a first seed: the rhythms of the default perimeters
        demo_rhythms()
    invoices = sites = 0
    for calendar, day in demo_issue_dates(today):
        billing = billing_run_request(calendar=calendar, issue_date=day, requested_by="démonstration", enqueue=False)
        billing = billing_run_execute(billing.pk, followers=False)  # PDFs rendered when downloaded
        invoices += billing.invoices_issued
        sites += billing.sites_billed
    return prices, invoices, sites
