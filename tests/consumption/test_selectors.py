"""Monthly selectors (from rollups) against a pandas computation on the same daily data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from consumption.ingestion.energy import daily_energy_load
from consumption.selectors import (
    daily_energy_for_site,
    monthly_energy_by_site,
    monthly_energy_for_member,
    monthly_energy_for_sites,
    syndicate_monthly_totals,
)
from tests.factories import MemberFactory, SiteFactory

FIRST, LAST = dt.date(2024, 11, 1), dt.date(2026, 1, 31)


@pytest.fixture
def daily(alpha: Any) -> tuple[pd.DataFrame, Any, Any]:
    member_a, member_b = MemberFactory(), MemberFactory()
    sites: list[Any] = [SiteFactory(member=member_a) for _ in range(3)] + [
        SiteFactory(member=member_b) for _ in range(2)
    ]
    sites.append(
        SiteFactory(member=member_a, fluid="gas", segment="T2", tariff_option="GAS", delivery_point="GI000042")
    )
    rng = np.random.default_rng(7)
    days = pd.date_range(FIRST, LAST, freq="D")
    frame = pd.DataFrame(
        {
            "site_id": np.repeat([s.pk for s in sites], len(days)),
            "day": np.tile(days.to_numpy(dtype="datetime64[D]"), len(sites)),
            "kwh": rng.gamma(2.0, 20.0, len(sites) * len(days)),
        }
    )
    frame = frame.sample(frac=0.9, random_state=3)  # missing days here and there
    frame["member_id"] = frame["site_id"].map({s.pk: s.member_id for s in sites})
    frame["fluid"] = frame["site_id"].map({s.pk: s.fluid for s in sites})
    frame["month"] = pd.to_datetime(frame["day"]).dt.to_period("M").dt.start_time.dt.date
    # Written in two halves, the second overlapping the first: rollups must stay exact.
    daily_energy_load(frame.iloc[: len(frame) // 2][["site_id", "day", "kwh"]])
    daily_energy_load(frame.iloc[len(frame) // 3 :][["site_id", "day", "kwh"]])
    return frame, member_a, member_b


def test_monthly_selectors_match_pandas(daily: tuple[pd.DataFrame, Any, Any]) -> None:
    frame, member_a, _member_b = daily
    period: Any = {"first_month": dt.date(2025, 1, 1), "last_month": dt.date(2025, 12, 1)}
    in_period = frame[(frame["month"] >= dt.date(2025, 1, 1)) & (frame["month"] <= dt.date(2025, 12, 1))]

    expected_member = in_period[in_period["member_id"] == member_a.pk].groupby("month")["kwh"].sum()
    got_member = monthly_energy_for_member(member_a.pk, **period)
    assert [m for m, _ in got_member] == list(expected_member.index)
    assert [k for _, k in got_member] == pytest.approx(list(expected_member), rel=1e-9)

    expected_elec = in_period[(in_period["member_id"] == member_a.pk) & (in_period["fluid"] == "elec")]
    got_elec = monthly_energy_for_member(member_a.pk, fluid="elec", **period)
    assert [k for _, k in got_elec] == pytest.approx(list(expected_elec.groupby("month")["kwh"].sum()), rel=1e-9)

    some = sorted(frame["site_id"].unique())[1:4]
    expected_sites = in_period[in_period["site_id"].isin(some)].groupby("month")["kwh"].sum()
    assert [k for _, k in monthly_energy_for_sites(some, **period)] == pytest.approx(list(expected_sites), rel=1e-9)

    expected_by_site = in_period[in_period["site_id"].isin(some)].groupby(["site_id", "month"])["kwh"].sum()
    got_by_site = {(s, m): k for s, m, k in monthly_energy_by_site(some, **period)}
    assert got_by_site == pytest.approx(expected_by_site.to_dict(), rel=1e-9)

    expected_totals = in_period.groupby(["month", "fluid"]).agg(kwh=("kwh", "sum"), sites=("site_id", "nunique"))
    got_totals = {(t.month, t.fluid): (t.kwh, t.sites) for t in syndicate_monthly_totals(**period)}
    assert set(got_totals) == set(expected_totals.index)
    for key, row in expected_totals.iterrows():
        assert got_totals[key][0] == pytest.approx(row["kwh"], rel=1e-9)
        assert got_totals[key][1] == row["sites"]


def test_daily_values_of_a_site(daily: tuple[pd.DataFrame, Any, Any]) -> None:
    frame, _a, _b = daily
    site_id = int(frame["site_id"].iloc[0])
    expected = frame[(frame["site_id"] == site_id) & (frame["month"] == dt.date(2025, 3, 1))].sort_values("day")
    got = daily_energy_for_site(site_id, first_day=dt.date(2025, 3, 1), last_day=dt.date(2025, 3, 31))
    assert [d for d, _ in got] == list(pd.to_datetime(expected["day"]).dt.date)
    assert [k for _, k in got] == pytest.approx(list(expected["kwh"]))
