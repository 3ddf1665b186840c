"""Estimated indexes: from the last real index and the site's profile; a later real index regularises them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoicing.choices import InvoiceKind
from invoicing.estimates import car_energy
from invoicing.models import Invoice, InvoiceSite
from invoicing.services.issue import invoice_correct
from invoicing.services.runs import billing_run_execute, billing_run_request
from perimeter.choices import Fluid
from tests.consumption.meterdata import daily_load, reading_add
from tests.factories import MemberFactory
from tests.invoicing.runworld import elec_lot, elec_site, gas_lot, gas_site, perimeter

pytestmark = pytest.mark.usefixtures("alpha")
D = Decimal


def _bill(day: dt.date) -> InvoiceSite:
    run = billing_run_execute(billing_run_request(calendar="estimated", issue_date=day, requested_by="x").pk)
    return InvoiceSite.objects.get(invoice__run=run)


def test_the_car_is_spread_with_the_seasonal_shape() -> None:
    january = car_energy(12_000, Fluid.ELECTRICITY, dt.date(2025, 12, 31), dt.date(2026, 1, 31))
    july = car_energy(12_000, Fluid.ELECTRICITY, dt.date(2026, 6, 30), dt.date(2026, 7, 31))
    year = car_energy(12_000, Fluid.ELECTRICITY, dt.date(2025, 12, 31), dt.date(2026, 12, 31))
    assert round(january) == 1320
    assert round(july) == 720
    assert round(year) == 12_000
    assert car_energy(60_000, Fluid.GAS, dt.date(2025, 12, 31), dt.date(2026, 1, 31)) > 10 * car_energy(
        60_000, Fluid.GAS, dt.date(2026, 6, 30), dt.date(2026, 7, 31)
    )


def test_a_later_real_index_regularises_the_estimate_on_the_next_invoice() -> None:
    elec_lot()
    member = MemberFactory()
    site = elec_site(member, meter_communicating=False, car_kwh=12_000)
    perimeter(member, "Mairie", [site])
    reading_add(site.pk, dt.date(2025, 12, 31), {"BASE": 50_000_000})
    january = _bill(dt.date(2026, 2, 1))
    assert january.index_nature == "estimated"
    assert january.indexes["BASE"] == {"start": "50000.000", "end": "51320.000"}  # CAR 12,000 × 11 % in January
    reading_add(site.pk, dt.date(2026, 2, 15), {"BASE": 52_000_000})  # the real index: less than estimated
    february = _bill(dt.date(2026, 3, 1))
    assert february.indexes["BASE"]["start"] == "51320.000"  # the next invoice starts at the billed end
    # End: the real index of the 15th plus the estimate of the 13 days after it (12,000 × 10 % × 13/28).
    assert february.indexes["BASE"]["end"] == "52557.143"
    assert february.consumption_kwh == D("1237.143")
    # Together the two invoices bill the real energy to the 15th plus the estimate since: the excess is taken back.
    assert january.consumption_kwh + february.consumption_kwh == D("2000") + D("557.143")
    reading_add(site.pk, dt.date(2026, 3, 31), {"BASE": 53_000_000})
    march = _bill(dt.date(2026, 4, 1))
    assert march.index_nature == "real"
    assert march.indexes["BASE"] == {"start": "52557.143", "end": "53000.000"}


def test_daily_data_drive_the_estimate_where_the_meter_sends_them() -> None:
    elec_lot()
    member = MemberFactory()
    site = elec_site(member, car_kwh=12_000)
    perimeter(member, "Mairie", [site])
    reading_add(site.pk, dt.date(2025, 12, 31), {"BASE": 10_000_000}, source="daily")
    daily_load([site.pk], dt.date(2026, 1, 1), dt.date(2026, 1, 31), kwh=40.0)
    january = _bill(dt.date(2026, 2, 1))
    assert january.consumption_kwh == D("1240")  # 31 days × 40 kWh, not the CAR's 1,320


def test_a_gas_estimate_is_recomputed_from_the_data_received_since() -> None:
    gas_lot()
    member = MemberFactory()
    site = gas_site(member, "T2", car_kwh=60_000)
    perimeter(member, "Chaufferie", [site])
    daily_load([site.pk], dt.date(2026, 1, 1), dt.date(2026, 1, 10), kwh=100.0)
    january = _bill(dt.date(2026, 2, 1))
    # 10 measured days + the CAR's January share over the 21 others: 1,000 + 60,000 × 17 % × 21/31.
    assert january.index_nature == "estimated"
    assert january.consumption_kwh == D("7910")
    daily_load([site.pk], dt.date(2026, 1, 11), dt.date(2026, 2, 28), kwh=100.0)
    february = _bill(dt.date(2026, 3, 1))
    assert february.index_nature == "real"
    # February's 2,800 kWh, and January's real 3,100 kWh instead of the 7,909.677 estimated.
    assert february.indexes["BASE"]["regularisation_kwh"] == "-4809.677"
    assert february.consumption_kwh == D("-2010")  # 2,800 + 3,100 - 7,909.677, in whole kWh
    assert january.consumption_kwh + february.consumption_kwh == D("3100") + D("2800")


def test_a_correction_cancels_the_invoice_and_bills_again_from_the_data_known_now() -> None:
    elec_lot()
    member = MemberFactory()
    site = elec_site(member, meter_communicating=False, car_kwh=12_000)
    perimeter(member, "Mairie", [site])
    reading_add(site.pk, dt.date(2025, 12, 31), {"BASE": 50_000_000})
    estimated = _bill(dt.date(2026, 2, 1)).invoice
    reading_add(site.pk, dt.date(2026, 1, 31), {"BASE": 51_000_000})  # the real index came late
    credit, new = invoice_correct(invoice=estimated, reason="Index réel reçu", by="gestion@fournisseur.example")
    assert credit.kind == InvoiceKind.CREDIT_NOTE
    assert credit.cancels_id == estimated.pk
    assert credit.total_incl_vat == -estimated.total_incl_vat
    part = new.sites.get()
    assert (part.consumption_start, part.consumption_end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert part.index_nature == "real"
    assert part.indexes["BASE"] == {"start": "50000.000", "end": "51000.000"}
    assert new.total_incl_vat < estimated.total_incl_vat
    assert Invoice.objects.filter(cancels__isnull=True, kind="invoice").count() == 2
