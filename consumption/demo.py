"""Realistic demo meter data for a syndicate, generated with NumPy and loaded with binary COPY.

``generate_demo_consumption(syndicate, scale)`` is called by the demo seed once the park
exists. For every site: three years of daily energy ending yesterday, shaped by the
kind of site (street lighting follows the night length; buildings follow heating
degree-days with quieter weekends; schools also empty during the school holidays
of zone B; gas is strongly seasonal) and scaled to the site's CAR. Then a monthly
index per post for every electricity site (real readings, "relève périodique"), a
30-minute load curve over the last year for a few hundred sites (10-minute for the
largest ones), and the monthly rollups, recomputed in SQL.

Speed (QUALITY.md item 20): the daily values are one NumPy matrix (sites × days);
each month is copied straight into its partition in (site, day) order, so the
partition's primary-key index grows at its right edge instead of being rebuilt.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from consumption.choices import ReadingNature, ReadingSource
from consumption.copy import binary_copy_payload, copy_binary
from consumption.partitions import partitions_ensure_range
from consumption.rollups import rollups_refresh
from perimeter.choices import POSTS_BY_OPTION, Fluid, MemberKind
from perimeter.models import Site

LIGHTING, BUILDING, SCHOOL, GAS = 0, 1, 2, 3
LOAD_CURVE_SITES = 300  # at scale 1: a few hundred sites with a 30-minute curve
TEN_MINUTE_SITES = 20  # the largest electricity sites get a 10-minute curve instead
LATITUDE = 49.2  # Calvados
# Zone B school holidays, approximately the same dates each year (month, day) → (month, day).
SCHOOL_HOLIDAYS = [
    ((1, 1), (1, 5)),
    ((2, 8), (2, 23)),
    ((4, 5), (4, 21)),
    ((7, 5), (8, 31)),
    ((10, 18), (11, 3)),
    ((12, 20), (12, 31)),
]
WINTER_MONTHS = {11, 12, 1, 2, 3}  # high season of the four-post options


@dataclass
class DemoConsumptionStats:
    """What was generated, with the time of each step (seconds)."""

    sites: int = 0
    daily_rows: int = 0
    reading_rows: int = 0
    load_curve_sites: int = 0
    load_curve_rows: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    timings: dict[str, float] = field(default_factory=dict)


def _site_frame() -> pd.DataFrame:
    rows = Site.objects.order_by("id").values_list(
        "id", "fluid", "tariff_option", "car_kwh", "subscribed_power_kva", "site_name", "member__kind"
    )
    frame = pd.DataFrame(list(rows), columns=["id", "fluid", "option", "car", "kva", "name", "member_kind"])
    name = frame["name"].str.lower()
    lighting = name.str.contains("éclairage|eclairage|lumi|candélabre|feux", regex=True)
    school = name.str.contains("école|ecole|scolaire|collège|college|lycée|lycee|crèche|maternelle", regex=True) | (
        frame["member_kind"] == MemberKind.SCHOOL
    )
    frame["shape"] = np.select(
        [frame["fluid"] == Fluid.GAS, lighting, school], [GAS, LIGHTING, SCHOOL], default=BUILDING
    )
    default_car = np.where(frame["fluid"] == Fluid.GAS, 60_000.0, 15_000.0)
    frame["car"] = pd.to_numeric(frame["car"], errors="coerce").fillna(pd.Series(default_car)).astype(float)
    return frame


def _calendar(days: pd.DatetimeIndex, rng: np.random.Generator) -> dict[str, np.ndarray]:
    doy = days.day_of_year.to_numpy()
    temperature = 11.5 - 7.5 * np.cos(2 * np.pi * (doy - 20) / 365.25) + rng.normal(0, 2.5, len(days))
    degree_days = np.clip(17.0 - temperature, 0, None)
    declination = np.radians(23.44) * np.sin(2 * np.pi * (doy - 81) / 365.25)
    day_length = 24 / np.pi * np.arccos(np.clip(-np.tan(np.radians(LATITUDE)) * np.tan(declination), -1, 1))
    weekend = days.day_of_week.to_numpy() >= 5
    month_day = days.month.to_numpy() * 100 + days.day.to_numpy()
    holidays = np.zeros(len(days), bool)
    for (m1, d1), (m2, d2) in SCHOOL_HOLIDAYS:
        holidays |= (month_day >= m1 * 100 + d1) & (month_day <= m2 * 100 + d2)
    return {"degree_days": degree_days, "night": 24 - day_length, "weekend": weekend, "holidays": holidays}


def _shapes(calendar: dict[str, np.ndarray]) -> np.ndarray:
    """One daily shape per kind of site (rows LIGHTING, BUILDING, SCHOOL, GAS), each of mean 1."""
    dd = calendar["degree_days"] / calendar["degree_days"].mean()
    weekend, holidays = calendar["weekend"], calendar["holidays"]
    lighting = calendar["night"]
    building = (0.45 + 0.55 * dd) * np.where(weekend, 0.6, 1.0)
    school = (0.35 + 0.65 * dd) * np.where(weekend, 0.3, 1.0) * np.where(holidays & ~weekend, 0.35, 1.0)
    gas = (0.08 + dd) * np.where(weekend, 0.85, 1.0)
    shapes = np.vstack([lighting, building, school, gas])
    return shapes / shapes.mean(axis=1, keepdims=True)


def _daily_matrix(sites: pd.DataFrame, shapes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """kWh per site (rows) and day (columns)."""
    level = sites["car"].to_numpy() / 365.0 * rng.lognormal(0, 0.12, len(sites))
    matrix = shapes[sites["shape"].to_numpy()] * level[:, None]
    matrix *= rng.lognormal(0, 0.08, matrix.shape).astype(np.float64)
    return np.round(matrix, 3)


def _copy_daily(sites: pd.DataFrame, days: pd.DatetimeIndex, matrix: np.ndarray) -> int:
    site_ids = sites["id"].to_numpy(np.int64)
    day_values = days.to_numpy(dtype="datetime64[D]")
    months = days.to_period("M")
    rows = 0
    with connection.cursor() as cursor:
        for month in months.unique():
            columns = np.flatnonzero(months == month)
            count = len(site_ids) * len(columns)
            payload = binary_copy_payload(
                [
                    ("int8", np.repeat(site_ids, len(columns))),
                    ("date", np.tile(day_values[columns], len(site_ids))),
                    ("float8", matrix[:, columns].ravel()),
                ]
            )
            partition = f"consumption_dailyenergy_p{month.year:04d}{month.month:02d}"
            copy_binary(cursor, partition, ["site_id", "day", "kwh"], payload)
            rows += count
    return rows


def _copy_readings(sites: pd.DataFrame, days: pd.DatetimeIndex, matrix: np.ndarray, rng: np.random.Generator) -> int:
    """A real index per post at the end of each month, for every electricity site."""
    elec = np.flatnonzero(sites["fluid"].to_numpy() == Fluid.ELECTRICITY)
    months = days.to_period("M")
    month_ends = [days[months == m].max().date() for m in months.unique()]
    monthly = np.column_stack([matrix[elec][:, months == m].sum(axis=1) for m in months.unique()])  # kWh
    rows = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY consumption_reading (site_id, read_on, source, post, nature, index_wh, meter_turnover) FROM STDIN"
        ) as copy,
    ):
        for row, site_index in enumerate(elec):
            site_id, option = int(sites["id"].iat[site_index]), sites["option"].iat[site_index]
            posts = POSTS_BY_OPTION.get(option, ["BASE"])
            start = rng.integers(1_000_000, 50_000_000, len(posts))
            cumulative = np.zeros(len(posts))
            for column, end in enumerate(month_ends):
                shares = _post_shares(posts, end.month)
                cumulative += monthly[row, column] * 1000 * shares
                for post_index, post in enumerate(posts):
                    copy.write_row(
                        (
                            site_id,
                            end,
                            ReadingSource.PERIODIC.value,
                            post,
                            ReadingNature.REAL.value,
                            int(start[post_index] + cumulative[post_index]),
                            False,
                        )
                    )
                    rows += 1
    return rows


def _post_shares(posts: list[str], month: int) -> np.ndarray:
    if len(posts) == 1:
        return np.ones(1)
    if len(posts) == 2:
        return np.array([0.62, 0.38])
    winter = month in WINTER_MONTHS  # HPH, HCH, HPE, HCE
    return np.array([0.62, 0.38, 0.0, 0.0]) if winter else np.array([0.0, 0.0, 0.62, 0.38])


def _intraday(starts: pd.DatetimeIndex, summer: np.ndarray, kind: int, day_length: np.ndarray) -> np.ndarray:
    """Relative power of each interval (by its local start) for one kind of site."""
    hour = starts.hour.to_numpy() + starts.minute.to_numpy() / 60
    if kind == LIGHTING:  # on from dusk to dawn; solar noon is about 12:00 in winter time, 13:00 in summer time
        noon, half = 12.0 + summer, day_length / 2
        return ((hour < noon - half + 0.5) | (hour >= noon + half - 0.5)).astype(float) + 1e-6
    weekday = starts.day_of_week.to_numpy() < 5
    occupied = (hour >= 7.5) & (hour < 18.5) & weekday
    base = 0.35 if kind == SCHOOL else 0.5
    return base + occupied * (1.6 if kind == SCHOOL else 1.0)


def _copy_load_curves(
    sites: pd.DataFrame, days: pd.DatetimeIndex, matrix: np.ndarray, calendar: dict[str, np.ndarray], scale: float
) -> tuple[int, int]:
    """30-minute curves over the last year for a few hundred sites (10-minute for the largest)."""
    elec = sites[(sites["fluid"] == Fluid.ELECTRICITY)].sort_values("car", ascending=False)
    count = max(2, round(LOAD_CURVE_SITES * scale))
    chosen = elec.head(count)
    ten_minutes = set(chosen.head(round(len(chosen) * TEN_MINUTE_SITES / LOAD_CURVE_SITES))["id"])
    last_year = days[-365:]
    first_local = pd.Timestamp(last_year[0]).tz_localize("Europe/Paris")
    after_local = (pd.Timestamp(last_year[-1]) + pd.Timedelta(days=1)).tz_localize("Europe/Paris")
    day_position = {d: i for i, d in enumerate(days.date)}
    rows = 0
    with connection.cursor() as cursor:
        for step in (30, 10):
            group = chosen[chosen["id"].isin(ten_minutes)] if step == 10 else chosen[~chosen["id"].isin(ten_minutes)]
            if group.empty:
                continue
            ends = pd.date_range(
                first_local.tz_convert("UTC"), after_local.tz_convert("UTC"), freq=f"{step}min", inclusive="right"
            )
            starts_local = (ends - pd.Timedelta(minutes=step)).tz_convert("Europe/Paris")
            offsets = (ends.tz_convert("Europe/Paris").map(lambda t: t.utcoffset().total_seconds() // 60)).to_numpy(
                np.int64
            )
            local_day = np.array([day_position[d] for d in starts_local.date])
            day_length = 24 - calendar["night"][local_day]
            for kind in np.unique(group["shape"]):
                members = group[group["shape"] == kind]
                profile = _intraday(starts_local, offsets == 120, int(kind), day_length)
                per_day = np.bincount(local_day - local_day.min(), weights=profile)
                share = profile / per_day[local_day - local_day.min()]
                rows_index = members.index.to_numpy()
                energy = matrix[rows_index][:, local_day] * share  # kWh per interval
                power = np.round(energy * 1000 * 60 / step).astype(np.int64)
                n = len(members)
                payload = binary_copy_payload(
                    [
                        ("int8", np.repeat(members["id"].to_numpy(np.int64), len(ends))),
                        ("timestamptz", np.tile(ends.tz_localize(None).to_numpy(dtype="datetime64[us]"), n)),
                        ("int4", power.ravel()),
                        ("int2", np.full(n * len(ends), step, np.int64)),
                        ("int2", np.tile(offsets, n)),
                    ]
                )
                copy_binary(
                    cursor,
                    "consumption_loadcurvepoint",
                    ["site_id", "ends_at", "power_w", "step_minutes", "utc_offset_minutes"],
                    payload,
                )
                rows += n * len(ends)
    return len(chosen), rows


def generate_demo_consumption(
    syndicate: Any, scale: float = 1.0, *, today: dt.date | None = None, seed: int = 14
) -> DemoConsumptionStats:
    """Replace the syndicate's meter data with generated data (see the module docstring).

    ``scale`` (0 < scale ≤ 1) shortens the history (3 years × scale, at least 60 days)
    and the number of load-curve sites, for tests and quick demos.
    """
    with tenant_context(syndicate):
        return _generate(scale=scale, today=today or timezone.localdate(), seed=seed)


def _generate(*, scale: float, today: dt.date, seed: int) -> DemoConsumptionStats:
    stats = DemoConsumptionStats()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats.timings[name] = round(now - clock, 2)
        clock = now

    rng = np.random.default_rng(seed)
    last = today - dt.timedelta(days=1)
    first = last.replace(year=last.year - 3) + dt.timedelta(days=1)
    first = max(first, last - dt.timedelta(days=max(60, round((last - first).days * scale))))
    days = pd.date_range(first, last, freq="D")
    sites = _site_frame()
    stats.sites, stats.first_day, stats.last_day = len(sites), first, last
    if sites.empty:
        return stats
    partitions_ensure_range(first - dt.timedelta(days=31), last + dt.timedelta(days=31))
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE consumption_dailyenergy, consumption_loadcurvepoint, consumption_reading, "
            "consumption_monthlyenergy, consumption_syndicatemonthlyenergy"
        )
    calendar = _calendar(days, rng)
    matrix = _daily_matrix(sites, _shapes(calendar), rng)
    lap("generate")
    stats.daily_rows = _copy_daily(sites, days, matrix)
    lap("copy_daily")
    with transaction.atomic():
        rollups_refresh(first_day=first, last_day=last)
    lap("rollups")
    stats.reading_rows = _copy_readings(sites, days, matrix, rng)
    lap("readings")
    stats.load_curve_sites, stats.load_curve_rows = _copy_load_curves(sites, days, matrix, calendar, scale)
    lap("load_curves")
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE consumption_dailyenergy, consumption_monthlyenergy, consumption_syndicatemonthlyenergy, "
            "consumption_loadcurvepoint, consumption_reading"
        )
    lap("analyze")
    return stats
