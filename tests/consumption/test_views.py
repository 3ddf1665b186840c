"""The Consommation pages: home, curves (site / perimeter / member), daily, gas daily, load curve, readings."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consumption.partitions import add_months, month_start
from tests.conftest import logged_in
from tests.consumption.meterdata import daily_load, load_curve_load_days, reading_add
from tests.factories import SiteFactory


def _last_twelve_months() -> tuple[dt.date, dt.date]:
    last = month_start(timezone.localdate())
    return add_months(last, -11), last


def _non_sql_queries(context: CaptureQueriesContext) -> list[str]:
    """The statements that read or write rows (not django-tenants' search_path, savepoints, SET LOCAL)."""
    skip = ("SET ", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [q["sql"] for q in context.captured_queries if not q["sql"].lstrip().startswith(skip)]


def test_home_shows_monthly_consumption_cumulated_and_last_three_months(world: Any) -> None:
    first, _last = _last_twelve_months()
    daily_load([world.site_a.pk], first, timezone.localdate() - dt.timedelta(days=1), kwh=10.0)
    daily_load([world.site_b.pk], first, first + dt.timedelta(days=40), kwh=999.0)  # another member's

    response = logged_in(world.alice).get(reverse("consumption:home"))

    assert response.status_code == 200
    table = response.context["tables"][0]
    assert table["fluid"] == "elec"
    assert len(table["rows"]) == 12
    # Member B's 999 kWh days are not counted.
    assert table["rows"][0].kwh == pytest.approx(10.0 * (add_months(first, 1) - first).days)
    assert table["rows"][-1].cumulated == pytest.approx(sum(r.kwh or 0 for r in table["rows"]))
    assert len(table["last_three"]) == 3
    body = response.content.decode()
    assert "Consommation mensuelle" in body
    # Alice holds Facturation: the consumption billed per invoice month stands beside the metered one.
    assert "Consommation facturée (kWh)" in body


def test_home_draws_the_monthly_chart_with_the_cumulated_line_and_its_table(world: Any) -> None:
    first, _last = _last_twelve_months()
    daily_load([world.site_a.pk], first, timezone.localdate() - dt.timedelta(days=1), kwh=10.0)

    response = logged_in(world.alice).get(reverse("consumption:home"))

    table = response.context["tables"][0]
    figure = table["figure"]  # the curves page's builder, without last year
    bars, cumulated = figure["data"]
    assert (bars["type"], bars["name"], cumulated["name"]) == ("bar", "Consommation", "Total cumulé")
    assert bars["x"] == [row.label for row in table["rows"]]
    assert bars["y"][0] == pytest.approx(table["rows"][0].kwh)
    assert cumulated["yaxis"] == "y2"
    assert figure["layout"]["yaxis2"]["side"] == "right"
    assert cumulated["y"] == pytest.approx([row.cumulated for row in table["rows"]])
    body = response.content.decode()
    # Drawn by the static script from JSON data (CSP: no inline script), captioned, with its table.
    assert '<script id="figure-mensuelle-elec" type="application/json">' in body
    assert 'data-figure="figure-mensuelle-elec"' in body
    assert "vendor/plotly/plotly-basic.min.js" in body
    assert "consumption/charts.js" in body
    assert "<figcaption" in body
    assert "Électricité, consommation par mois (barres) et total cumulé" in body
    assert 'id="donnees-mensuelles-elec"' in body
    assert "<script>" not in body


def test_home_shows_a_regularisation_as_a_negative_month(world: Any) -> None:
    first, _last = _last_twelve_months()
    daily_load([world.site_a.pk], first, first, kwh=-250.0)

    response = logged_in(world.alice).get(reverse("consumption:home"))

    assert response.context["tables"][0]["rows"][0].is_regularisation
    assert "régularisation" in response.content.decode()


def test_home_queries_do_not_grow_with_sites(world: Any) -> None:
    first, last = _last_twelve_months()
    daily_load([world.site_a.pk], first, last, kwh=5.0)
    client = logged_in(world.alice)
    client.get(reverse("consumption:home"))  # warm the session
    with CaptureQueriesContext(db_connection) as few:
        client.get(reverse("consumption:home"))
    more = [SiteFactory(member=world.member_a) for _ in range(15)]
    daily_load([s.pk for s in more], first, last, kwh=5.0)
    with CaptureQueriesContext(db_connection) as many:
        client.get(reverse("consumption:home"))
    # domain, session, user, one rollup query per fluid, the billed consumption per fluid shown
    # (alice holds Facturation), the alerts, the member (header), session save.
    assert len(_non_sql_queries(many)) == len(_non_sql_queries(few))
    assert len(_non_sql_queries(many)) <= 9, "\n".join(_non_sql_queries(many))


def test_member_curve_equals_a_pandas_computation(world: Any) -> None:
    first, _last = _last_twelve_months()
    sites = [world.site_a, SiteFactory(member=world.member_a), SiteFactory(member=world.member_a), world.site_b]
    rng = np.random.default_rng(11)
    days = pd.date_range(first, timezone.localdate() - dt.timedelta(days=1), freq="D")
    frame = daily_load(
        [s.pk for s in sites], first, days[-1].date(), kwh=np.round(rng.gamma(2.0, 15.0, len(sites) * len(days)), 3)
    )
    frame["member_id"] = frame["site_id"].map({s.pk: s.member_id for s in sites})
    frame["month"] = pd.to_datetime(frame["day"]).dt.to_period("M").dt.start_time.dt.date
    expected = frame[frame["member_id"] == world.member_a.pk].groupby("month")["kwh"].sum()

    response = logged_in(world.alice).get(reverse("consumption:curves"))

    assert response.status_code == 200
    shown = {row.month: row.kwh for row in response.context["rows"] if row.kwh is not None}
    assert list(shown) == list(expected.index)
    assert np.allclose(list(shown.values()), expected.to_numpy())
    assert response.context["total"] == pytest.approx(expected.sum())
    assert 'id="consumption-figure"' in response.content.decode()
    assert 'id="donnees-mensuelles"' in response.content.decode()


def test_site_curve_with_last_year_comparison(world: Any) -> None:
    first, last = _last_twelve_months()
    daily_load([world.site_a.pk], add_months(first, -12), last, kwh=2.0)
    daily_load([world.site_a.pk], first, last, kwh=3.0)

    response = logged_in(world.alice).get(reverse("consumption:curves"), {"site": world.site_a.pk, "comparer": "on"})

    rows = response.context["rows"]
    assert response.context["scope"]["kind"] == "site"
    assert rows[0].kwh == pytest.approx(3.0 * (add_months(first, 1) - first).days)
    previous_first = add_months(first, -12)
    assert rows[0].previous_kwh == pytest.approx(2.0 * (add_months(previous_first, 1) - previous_first).days)
    figure = response.context["figure"]
    assert [trace["name"] for trace in figure["data"]] == ["Année précédente", "Consommation", "Total cumulé"]
    cumulated = figure["data"][2]
    assert cumulated["yaxis"] == "y2"  # the running total on its own axis, on the right
    assert cumulated["y"][-1] == pytest.approx(rows[-1].cumulated)


def test_perimeter_curve_sums_the_attached_sites(world: Any) -> None:
    from billing_groups.models import BillingPerimeter, BillingPerimeterSite

    other = SiteFactory(member=world.member_a)
    perimeter = BillingPerimeter.objects.create(member=world.member_a, name="Écoles", segment="C5")
    BillingPerimeterSite.objects.create(perimeter=perimeter, site=world.site_a)
    first, _last = _last_twelve_months()
    daily_load([world.site_a.pk], first, first + dt.timedelta(days=9), kwh=1.0)
    daily_load([other.pk], first, first + dt.timedelta(days=9), kwh=100.0)

    response = logged_in(world.alice).get(reverse("consumption:curves"), {"perimetre": perimeter.pk})

    assert response.context["scope"]["kind"] == "perimeter"
    assert response.context["rows"][0].kwh == pytest.approx(10.0)


def test_curves_of_another_members_site_or_perimeter_answer_404(world: Any) -> None:
    from billing_groups.models import BillingPerimeter

    perimeter_b = BillingPerimeter.objects.create(member=world.member_b, name="B", segment="C5")
    client = logged_in(world.alice)
    assert client.get(reverse("consumption:curves"), {"site": world.site_b.pk}).status_code == 404
    assert client.get(reverse("consumption:curves"), {"perimetre": perimeter_b.pk}).status_code == 404
    assert client.get(reverse("consumption:curves"), {"site": "abc"}).status_code == 404


def test_period_longer_than_twelve_months_is_refused_with_a_message(world: Any) -> None:
    response = logged_in(world.alice).get(reverse("consumption:curves"), {"debut": "2024-01", "fin": "2025-01"})

    assert response.status_code == 200
    assert "rows" not in response.context
    assert "La période est limitée à 12 mois" in response.content.decode()


def test_twelve_months_exactly_are_accepted(world: Any) -> None:
    response = logged_in(world.alice).get(reverse("consumption:curves"), {"debut": "2024-02", "fin": "2025-01"})
    assert len(response.context["rows"]) == 12


def test_daily_values_with_last_year(world: Any) -> None:
    daily_load([world.site_a.pk], dt.date(2024, 3, 1), dt.date(2024, 3, 10), kwh=4.0)
    daily_load([world.site_a.pk], dt.date(2025, 3, 1), dt.date(2025, 3, 10), kwh=6.0)

    response = logged_in(world.alice).get(
        reverse("consumption:site_daily", args=[world.site_a.pk]),
        {"debut": "2025-03-01", "fin": "2025-03-10", "comparer": "on"},
    )

    rows = response.context["rows"]
    assert len(rows) == 10
    assert rows[0].kwh == 6.0
    assert rows[0].previous_kwh == 4.0
    assert response.context["total"] == pytest.approx(60.0)
    body = response.content.decode()
    assert 'id="donnees-quotidiennes"' in body
    assert "Consommation quotidienne" in body


def test_daily_period_over_a_year_is_refused(world: Any) -> None:
    response = logged_in(world.alice).get(
        reverse("consumption:site_daily", args=[world.site_a.pk]), {"debut": "2024-01-01", "fin": "2025-01-05"}
    )
    assert "rows" not in response.context
    assert "La période est limitée à un an" in response.content.decode()


def test_gas_daily_consumption(world: Any) -> None:
    gas = SiteFactory(
        member=world.member_a,
        fluid="gas",
        delivery_point="GI000321",
        distributor="GRDF",
        segment="T2",
        tariff_formula="T2",
        tariff_option="GAS",
        subscribed_power_kva=None,
    )
    daily_load([gas.pk], dt.date(2025, 1, 1), dt.date(2025, 1, 31), kwh=300.0)

    response = logged_in(world.alice).get(
        reverse("consumption:site_daily", args=[gas.pk]), {"debut": "2025-01-01", "fin": "2025-01-31"}
    )

    assert response.context["is_gas"]
    assert response.context["total"] == pytest.approx(9300.0)
    body = response.content.decode()
    assert "Consommation quotidienne de gaz" in body
    assert "journée gazière" in body
    assert "Courbe de charge" not in body  # no load-curve tab for gas


def test_load_curve_page_ships_a_compact_series_and_a_daily_table(world: Any) -> None:
    # The last Sunday of March 2025 (30th) has 46 half-hours.
    load_curve_load_days(world.site_a.pk, dt.date(2025, 3, 29), 3, power_w=2000)

    response = logged_in(world.alice).get(
        reverse("consumption:site_load_curve", args=[world.site_a.pk]), {"debut": "2025-03-29", "fin": "2025-03-31"}
    )

    assert response.status_code == 200
    assert response.context["points"] == 48 + 46 + 48
    series = response.context["series"]
    assert len(series["w"]) == 142
    assert len(series["dt"]) == 141
    assert set(series["dt"]) == {30}  # real instants: the spring-forward hour is no gap
    # 00:30 in Paris (UTC+1) on 29 March is 23:30 UTC the day before.
    assert series["t0"] == int(dt.datetime(2025, 3, 28, 23, 30, tzinfo=dt.UTC).timestamp() * 1000)
    # Paris goes from UTC+1 to UTC+2 at 01:00 UTC on the 30th: the script labels the axis with it.
    assert series["tz"] == {
        "base": 60,
        "changes": [[int(dt.datetime(2025, 3, 30, 1, tzinfo=dt.UTC).timestamp() * 1000), 120]],
    }
    assert [row.points for row in response.context["day_rows"]] == [48, 46, 48]
    assert response.context["day_rows"][1].kwh == pytest.approx(2.0 * 23)
    body = response.content.decode()
    assert 'id="load-curve-series"' in body
    assert 'id="donnees-courbe"' in body
    assert "vendor/plotly/plotly-basic.min.js" in body
    assert "<script>" not in body


def test_load_curve_on_the_october_change_has_fifty_distinct_instants(world: Any) -> None:
    # The last Sunday of October 2025 (26th) has 50 half-hours: 02:00 to 03:00 twice.
    load_curve_load_days(world.site_a.pk, dt.date(2025, 10, 26), 1, power_w=1000)

    response = logged_in(world.alice).get(
        reverse("consumption:site_load_curve", args=[world.site_a.pk]), {"debut": "2025-10-26", "fin": "2025-10-26"}
    )

    series = response.context["series"]
    x = series["t0"] + 60_000 * np.concatenate([[0], np.cumsum(series["dt"])])
    assert len(x) == len(set(x.tolist())) == 50
    assert set(series["dt"]) == {30}  # evenly spaced: no point drawn over another
    change = int(dt.datetime(2025, 10, 26, 1, tzinfo=dt.UTC).timestamp() * 1000)
    assert series["tz"] == {"base": 120, "changes": [[change, 60]]}
    # The first 02:00 (UTC+2) and the second (UTC+1) are an hour apart on the axis.
    first_two, second_two = change - 3_600_000, change
    assert {first_two, second_two} <= set(x.tolist())
    assert [row.points for row in response.context["day_rows"]] == [50]


def test_load_curve_page_compares_with_the_same_weekdays_last_year(world: Any) -> None:
    load_curve_load_days(world.site_a.pk, dt.date(2025, 3, 24), 2, power_w=2000)  # Monday and Tuesday
    load_curve_load_days(world.site_a.pk, dt.date(2024, 3, 25), 2, power_w=1000)  # 52 weeks earlier, Mon and Tue
    url = reverse("consumption:site_load_curve", args=[world.site_a.pk])
    client = logged_in(world.alice)

    response = client.get(url, {"debut": "2025-03-24", "fin": "2025-03-25", "comparer": "on"})

    series = response.context["series"]
    assert series["previous"]["t0"] == series["t0"]  # drawn over this year's days
    assert series["previous"]["dt"] == series["dt"]
    assert set(series["previous"]["w"]) == {1000}
    rows = response.context["day_rows"]
    assert [(r.day, r.kwh, r.previous_kwh, r.previous_max_w) for r in rows] == [
        (dt.date(2025, 3, 24), 48.0, 24.0, 1000),
        (dt.date(2025, 3, 25), 48.0, 24.0, 1000),
    ]
    body = response.content.decode()
    assert 'name="comparer"' in body
    assert "52 semaines plus tôt" in body
    assert "Énergie, 52 semaines plus tôt (kWh)" in body

    plain = client.get(url, {"debut": "2025-03-24", "fin": "2025-03-25"})
    assert "previous" not in plain.context["series"]
    assert "Énergie, 52 semaines plus tôt (kWh)" not in plain.content.decode()


def test_load_curve_comparison_says_when_last_year_has_no_curve(world: Any) -> None:
    load_curve_load_days(world.site_a.pk, dt.date(2025, 3, 24), 1, power_w=2000)
    response = logged_in(world.alice).get(
        reverse("consumption:site_load_curve", args=[world.site_a.pk]),
        {"debut": "2025-03-24", "fin": "2025-03-24", "comparer": "on"},
    )
    assert response.context["series"]["previous"]["t0"] is None
    assert [r.previous_kwh for r in response.context["day_rows"]] == [None]
    assert "Pas de courbe de charge l'année précédente" in response.content.decode()


def test_load_curve_page_says_when_a_site_has_none(world: Any) -> None:
    response = logged_in(world.alice).get(reverse("consumption:site_load_curve", args=[world.site_a.pk]))
    assert response.context["series"] is None
    assert "ne transmet pas de courbe de charge" in response.content.decode()


def test_readings_table_shows_every_post_and_nature(world: Any) -> None:
    site = SiteFactory(member=world.member_a, tariff_option="HPHC", tariff_formula="BTINFMUDT")
    reading_add(site.pk, dt.date(2025, 1, 31), {"HP": 1_000_000, "HC": 500_000})
    reading_add(site.pk, dt.date(2025, 2, 28), {"HP": 1_400_000, "HC": 650_000}, nature="estimated")
    reading_add(site.pk, dt.date(2025, 3, 15), {"HP": 1_500_000, "HC": 700_000}, nature="self_reading", source="member")

    response = logged_in(world.alice).get(reverse("consumption:site_readings", args=[site.pk]))

    assert response.status_code == 200
    table = response.context["table"]
    assert [row["read_on"] for row in table] == [dt.date(2025, 3, 15), dt.date(2025, 2, 28), dt.date(2025, 1, 31)]
    assert table[0]["cells"] == [1_500_000, 700_000]
    assert table[0]["nature"] == "Auto-relève"
    assert table[1]["nature"] == "Estimé"
    body = response.content.decode()
    assert "HP (kWh)" in body
    assert "HC (kWh)" in body
    assert "1500" in body


def test_readings_are_paginated_with_a_bounded_number_of_queries(world: Any) -> None:
    for n in range(60):
        reading_add(world.site_a.pk, dt.date(2025, 1, 1) + dt.timedelta(days=n), {"BASE": 1000 * n})
    client = logged_in(world.alice)
    url = reverse("consumption:site_readings", args=[world.site_a.pk])
    first_page = client.get(url)
    second_page = client.get(url, {"page": 2})
    assert len(first_page.context["table"]) == 50
    assert len(second_page.context["table"]) == 10
    assert first_page.context["page"].paginator.count == 60


def test_a_user_without_consumption_right_is_refused(world: Any) -> None:
    from accounts.choices import Role
    from tests.factories import UserFactory

    eve = UserFactory(role=Role.MEMBER_USER, member=world.member_a, modules=["park"])
    client = logged_in(eve)
    assert client.get(reverse("consumption:home")).status_code == 403
    assert client.get(reverse("consumption:site_daily", args=[world.site_a.pk])).status_code == 403


def test_monthly_export_is_registered_and_scoped(world: Any) -> None:
    first, last = _last_twelve_months()
    daily_load([world.site_a.pk, world.site_b.pk], first, first + dt.timedelta(days=2), kwh=1.0)
    from reports.registry import get_definition

    definition = get_definition("consumption_monthly")
    assert definition is not None
    params = definition.clean_params({"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"})
    rows = list(definition.rows(world.alice, params))
    assert [row[2] for row in rows] == [world.site_a.delivery_point]
    assert json.dumps(params)  # stored on the export job
