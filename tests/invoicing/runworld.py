"""A small park to bill: prices for the lots, sites with meter data (helpers of the run tests)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from billing_groups.models import BillingPerimeter, BillingPerimeterSite
from invoicing.prices import price_set_create
from perimeter.choices import Fluid, Segment, SiteStatus, TariffFormula, TariffOption
from perimeter.models import Lot, Member, Site
from tests.consumption.meterdata import daily_load, reading_add
from tests.factories import LotFactory, SiteFactory

_gas_points = itertools.count(100001)
ELEC_PRICES: list[dict[str, Any]] = [
    {"component": "energy", "post": "BASE", "unit_price": "0.0990"},
    {"component": "energy", "post": "HP", "unit_price": "0.1100"},
    {"component": "energy", "post": "HC", "unit_price": "0.0850"},
    {"component": "capacity", "post": "BASE", "unit_price": "0.0052"},
    {"component": "capacity", "post": "HP", "unit_price": "0.0052"},
    {"component": "capacity", "post": "HC", "unit_price": "0.0052"},
    {"component": "CEE_CLASSIC", "post": "BASE", "unit_price": "0.0085", "coefficient": "0.48"},
]
GAS_PRICES: list[dict[str, Any]] = [{"component": "energy", "post": "BASE", "unit_price": "0.0650"}]


def elec_lot(*, fixed_billing: str = "advance", delay: int = 30) -> Lot:
    lot = LotFactory(number=1)
    price_set_create(
        lot=lot,
        valid_from=dt.date(2024, 1, 1),
        fixed_billing=fixed_billing,
        payment_delay_days=delay,
        prices=ELEC_PRICES,
    )
    return lot


def gas_lot() -> Lot:
    lot = LotFactory(number=3, name="Gaz naturel", fluid=Fluid.GAS, segment_family="T1-T3")
    price_set_create(
        lot=lot, valid_from=dt.date(2024, 1, 1), fixed_billing="arrears", payment_delay_days=30, prices=GAS_PRICES
    )
    return lot


def elec_site(member: Member, **fields: Any) -> Site:
    values: dict[str, Any] = {
        "member": member,
        "lot": LotFactory(number=1),
        "status": SiteStatus.SWITCH_CONFIRMED,
        "insee_code": "14118",
        "car_kwh": 12_000,
    }
    values.update(fields)
    return SiteFactory(**values)


def gas_site(member: Member, segment: str = "T2", **fields: Any) -> Site:
    values: dict[str, Any] = {
        "member": member,
        "fluid": Fluid.GAS,
        "lot": LotFactory(number=3, name="Gaz naturel", fluid=Fluid.GAS, segment_family="T1-T3"),
        "segment": segment,
        "tariff_formula": getattr(TariffFormula, segment),
        "tariff_option": TariffOption.GAS,
        "subscribed_power_kva": None,
        "distributor": "GRDF",
        "delivery_point": f"GI{next(_gas_points):06d}",
        "status": SiteStatus.SWITCH_CONFIRMED,
        "insee_code": "14118",
        "car_kwh": 60_000,
    }
    values.update(fields)
    return SiteFactory(**values)


def perimeter(member: Member, name: str, sites: list[Site], **fields: Any) -> BillingPerimeter:
    segment = sites[0].segment if sites else Segment.C5
    p = BillingPerimeter.objects.create(member=member, name=name, segment=segment, **fields)
    BillingPerimeterSite.objects.bulk_create([BillingPerimeterSite(perimeter=p, site=s) for s in sites])
    return p


def month_end_readings(site: Site, start_kwh: int, monthly_kwh: int, months: list[dt.date]) -> None:
    """A communicating meter's real index (BASE) at the end of each given month."""
    for n, day in enumerate(months):
        reading_add(site.pk, day, {"BASE": (start_kwh + monthly_kwh * n) * 1000}, source="daily")


def gas_daily(site: Site, first: dt.date, last: dt.date, kwh: float) -> None:
    daily_load([site.pk], first, last, kwh=kwh)


D = Decimal
