"""The demo's invoices: prices for every lot, then 13 months of runs from the meter data, idempotent."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest

from billing_groups.models import BillingPerimeter
from consumption.partitions import add_months
from invoicing.demo import demo_bill, demo_issue_dates
from invoicing.models import ContractPriceSet, Invoice, InvoiceSite
from tests.consumption.meterdata import daily_load, reading_add
from tests.factories import MemberFactory
from tests.invoicing.runworld import elec_site, gas_site

pytestmark = pytest.mark.usefixtures("alpha")


def test_the_demo_runs_cover_the_last_13_months() -> None:
    dates = demo_issue_dates(dt.date(2026, 12, 7))
    estimated = [day for calendar, day in dates if calendar == "estimated"]
    gas_t3 = [day for calendar, day in dates if calendar == "gas_t3"]
    assert estimated[0] == dt.date(2025, 11, 1)  # one more: bimonthly perimeters are billed on odd months
    assert estimated[-1] == dt.date(2026, 12, 1)
    assert gas_t3[0] == dt.date(2025, 11, 10)
    assert gas_t3[-1] == dt.date(2026, 11, 10)  # the 10th of December has not come yet
    assert (len(estimated), len(gas_t3)) == (14, 13)
    assert dates == sorted(dates, key=lambda item: (item[1], item[0]))


def _covered(site_id: int) -> list[tuple[dt.date, dt.date]]:
    return list(
        InvoiceSite.objects.filter(site_id=site_id)
        .order_by("consumption_start")
        .values_list("consumption_start", "consumption_end")
    )


def test_the_demo_bills_13_months_from_the_readings_once_in_both_rhythms() -> None:
    members = [MemberFactory(), MemberFactory()]  # one of even id: bimonthly; the other monthly
    elec = [elec_site(member) for member in members]
    gas = gas_site(members[0], "T3")
    for site in elec:
        for n in range(15):  # real month-end indexes, September 2025 to November 2026
            day = add_months(dt.date(2025, 10, 1), n) - dt.timedelta(days=1)
            reading_add(site.pk, day, {"BASE": 10**6 * (n + 1)})
    daily_load([gas.pk], dt.date(2025, 10, 1), dt.date(2026, 12, 6), kwh=150.0)
    prices, invoices, billed = demo_bill(dt.date(2026, 12, 7))
    assert prices == 2
    assert ContractPriceSet.objects.count() == 2
    rhythms = set(BillingPerimeter.objects.filter(segment="C5").values_list("billing_rhythm", flat=True))
    assert rhythms == {"monthly", "bimonthly"}
    for site in [*elec, gas]:
        periods = _covered(site.pk)
        assert all(b[0] == a[1] + dt.timedelta(days=1) for a, b in pairwise(periods))  # no hole, no overlap
        assert periods[-1][1] - periods[0][0] >= dt.timedelta(days=13 * 30)
    assert len(_covered(gas.pk)) == 13
    assert invoices == Invoice.objects.count()
    assert billed == InvoiceSite.objects.count()
    assert demo_bill(dt.date(2026, 12, 7)) == (0, invoices, billed)  # again: the same runs, nothing billed twice
    assert Invoice.objects.count() == invoices
