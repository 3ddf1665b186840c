"""Demo generation: shapes by kind of site, DST-correct curves, rollups consistent with the daily data."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from consumption.demo import generate_demo_consumption
from consumption.models import DailyEnergy, LoadCurvePoint, MonthlyEnergy, Reading
from consumption.selectors import load_curve_for_site
from perimeter.choices import Distributor, Fluid, Segment, TariffFormula, TariffOption
from tenants.db import connection
from tests.factories import MemberFactory, SiteFactory


def test_demo_generation_small_scale(alpha: Any) -> None:
    member = MemberFactory()
    lighting: Any = SiteFactory(member=member, site_name="Éclairage public rue des Lilas", car_kwh=5000)
    school: Any = SiteFactory(
        member=member, site_name="École maternelle", car_kwh=20000, tariff_option=TariffOption.HPHC
    )
    gas: Any = SiteFactory(
        member=member,
        fluid=Fluid.GAS,
        delivery_point="GI000123",
        distributor=Distributor.GRDF,
        segment=Segment.T2,
        tariff_formula=TariffFormula.T2,
        tariff_option=TariffOption.GAS,
        car_kwh=100000,
    )
    manual: Any = SiteFactory(
        member=member,
        site_name="Salle des fêtes",
        car_kwh=8000,
        tariff_option=TariffOption.HPHC,
        meter_communicating=False,
    )
    stats = generate_demo_consumption(alpha, 1.0, today=dt.date(2026, 1, 1))
    connection.set_tenant(alpha)

    assert (stats.first_day, stats.last_day) == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    assert stats.daily_rows == 4 * 1096 == DailyEnergy.objects.count()

    def month_kwh(site: Any, month: int) -> float:
        return MonthlyEnergy.objects.get(site=site, month=dt.date(2025, month, 1)).kwh

    assert month_kwh(gas, 1) > 4 * month_kwh(gas, 7)  # strongly seasonal gas
    assert month_kwh(lighting, 12) > 1.8 * month_kwh(lighting, 6)  # long winter nights
    assert month_kwh(school, 8) < 0.6 * month_kwh(school, 10)  # summer holidays
    year = sum(float(k) for k in MonthlyEnergy.objects.filter(site=gas, month__year=2025).values_list("kwh", flat=True))
    assert year == pytest.approx(100000, rel=0.3)
    # A communicating meter: the real index at the end of each month, from its daily flow.
    assert set(Reading.objects.filter(site=school, post="HC").values_list("source", "nature")) == {("daily", "real")}
    assert Reading.objects.filter(site=school, post="HC").count() == 36
    assert Reading.objects.filter(site=school, read_on=dt.date(2025, 12, 31)).count() == 2  # HP and HC

    # A non-communicating meter: a periodic reading every two months, real and estimated in turn, some regularised.
    readings = list(
        Reading.objects.filter(site=manual, post="HP").order_by("read_on").values_list("read_on", "source", "nature")
    )
    dates = [day for day, _source, _nature in readings]
    assert {(b - a).days for a, b in itertools.pairwise(dates)} == {61}
    assert len(readings) == 18
    assert {source for _day, source, _nature in readings} == {"periodic"}
    natures = [nature for _day, _source, nature in readings]
    assert natures[::2] == ["real"] * 9
    assert set(natures[1::2]) == {"estimated", "regularised"}
    assert natures[1::2].count("regularised") in (2, 3)
    # The indexes follow the daily energy: from one real reading to the next, the same energy.
    real = list(
        Reading.objects.filter(site=manual, nature="real")
        .order_by("read_on")
        .values_list("read_on", "post", "index_wh")
    )
    (first_day, _p, _i), (last_day, _q, _j) = real[0], real[-1]
    indexes = {(day, post): index for day, post, index in real}
    energy_wh = sum(indexes[(last_day, post)] - indexes[(first_day, post)] for post in ("HP", "HC"))
    daily = DailyEnergy.objects.filter(site=manual, day__gt=first_day, day__lte=last_day).values_list("kwh", flat=True)
    assert energy_wh / 1000 == pytest.approx(sum(daily), abs=1)

    # 30-minute curves (10-minute for the largest) over the last year, DST days included.
    assert stats.load_curve_sites == 3  # every electricity site, when there are so few
    curve_site: Any = LoadCurvePoint.objects.filter(step_minutes=30).values_list("site_id", flat=True).first()
    march = load_curve_for_site(curve_site, first_day=dt.date(2025, 3, 30), last_day=dt.date(2025, 3, 30))
    october = load_curve_for_site(curve_site, first_day=dt.date(2025, 10, 26), last_day=dt.date(2025, 10, 26))
    assert (len(march.power_w), len(october.power_w)) == (46, 50)
    day = DailyEnergy.objects.get(site_id=curve_site, day=dt.date(2025, 10, 26)).kwh
    assert sum(october.power_w) * 0.5 / 1000 == pytest.approx(day, rel=0.01)
