"""The demo's invoices: prices for every lot, then 13 months of runs from the meter data, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from consumption.partitions import add_months
from invoicing.demo import demo_bill, demo_issue_dates
from invoicing.models import BillingRun, ContractPriceSet, Invoice, InvoiceSite
from tests.consumption.meterdata import daily_load, reading_add
from tests.factories import MemberFactory
from tests.invoicing.runworld import elec_site, gas_site

pytestmark = pytest.mark.usefixtures("alpha")


def test_the_demo_runs_cover_the_last_13_months() -> None:
    dates = demo_issue_dates(dt.date(2026, 12, 7))
    estimated = [day for calendar, day in dates if calendar == "estimated"]
    gas_t3 = [day for calendar, day in dates if calendar == "gas_t3"]
    assert estimated[0] == dt.date(2025, 12, 1)
    assert estimated[-1] == dt.date(2026, 12, 1)
    assert gas_t3[0] == dt.date(2025, 11, 10)
    assert gas_t3[-1] == dt.date(2026, 11, 10)  # the 10th of December has not come yet
    assert len(estimated) == len(gas_t3) == 13
    assert dates == sorted(dates, key=lambda item: (item[1], item[0]))


def test_the_demo_bills_13_months_from_the_readings_once() -> None:
    member = MemberFactory()
    elec = elec_site(member)
    gas = gas_site(member, "T3")
    for n in range(14):  # real month-end indexes, October 2025 to November 2026
        reading_add(elec.pk, add_months(dt.date(2025, 11, 1), n) - dt.timedelta(days=1), {"BASE": 10**6 * (n + 1)})
    daily_load([gas.pk], dt.date(2025, 10, 1), dt.date(2026, 12, 6), kwh=150.0)
    prices, invoices, billed = demo_bill(dt.date(2026, 12, 7))
    assert prices == 2
    assert ContractPriceSet.objects.count() == 2
    assert InvoiceSite.objects.filter(site=elec).count() == 13
    assert InvoiceSite.objects.filter(site=gas).count() == 13
    assert invoices == Invoice.objects.count() == 26
    assert billed == 26
    first = InvoiceSite.objects.filter(site=elec).order_by("consumption_start").first()
    assert first is not None
    assert first.consumption_start == dt.date(2025, 11, 1)
    assert BillingRun.objects.count() == 26
    assert demo_bill(dt.date(2026, 12, 7)) == (0, 26, 26)  # again: the same runs, nothing billed twice
    assert Invoice.objects.count() == 26
