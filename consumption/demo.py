"""Realistic demo meter data for a syndicate, generated with NumPy and loaded with binary COPY.

``generate_demo_consumption(syndicate, scale)`` is called by the demo seed once the park
exists. For every site: three years of daily energy ending yesterday, shaped by the
kind of site (street lighting follows the night length; buildings follow heating
degree-days with quieter weekends; schools also empty during the school holidays
of zone B; gas is strongly seasonal) and scaled to the site's CAR. Then the index
readings of every electricity site, consistent with that energy: the real index of
each post at the end of every month for communicating meters (a sample of their daily
flow), and for the others the distributor's periodic readings every two months, real
and estimated in turn, now and then an estimate regularised. Then a 30-minute load
curve over the last year for a few hundred sites (10-minute for the largest ones),
and the monthly rollups, recomputed in SQL.

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
from perimeter.extensions import DemoRun
from perimeter.models import Site
from tenants.models import Syndicate

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
        "id",
        "fluid",
        "tariff_option",
        "car_kwh",
        "subscribed_power_kva",
        "site_name",
        "member__kind",
        "meter_communicating",
    )
    columns = ["id", "fluid", "option", "car", "kva", "name", "member_kind", "communicating"]
    frame = pd.DataFrame(list(rows), columns=columns)
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
    """Index readings of every electricity site, consistent with its daily energy, in one binary COPY.

    Communicating meters: the real index of every post at the end of each month (a sample
    of their daily flow: the daily energy already carries the day-by-day values).
    Non-communicating meters: the distributor's periodic readings, every two months on a
    day of the site's own round, real and estimated in turn, an estimate now and then
    regularised afterwards (see ``_periodic_readings``).
    """
    elec = np.flatnonzero(sites["fluid"].to_numpy() == Fluid.ELECTRICITY)
    communicating = sites["communicating"].to_numpy(bool)
    parts = [
        _monthly_readings(sites, elec[communicating[elec]], days, matrix, rng),
        _periodic_readings(sites, elec[~communicating[elec]], days, matrix, rng),
    ]
    parts = [part for part in parts if not part.empty]
    if not parts:
        return 0
    frame = pd.concat(parts, ignore_index=True)
    payload = binary_copy_payload(
        [
            ("int8", frame["site_id"].to_numpy(np.int64)),
            ("date", frame["read_on"].to_numpy(dtype="datetime64[D]")),
            ("text", frame["source"].to_numpy(dtype=object)),
            ("text", frame["post"].to_numpy(dtype=object)),
            ("text", frame["nature"].to_numpy(dtype=object)),
            ("int8", frame["index_wh"].to_numpy(np.int64)),
            ("bool", np.zeros(len(frame), bool)),
        ]
    )
    with connection.cursor() as cursor:
        copy_binary(cursor, "consumption_reading", READING_COLUMNS_SQL, payload)
    return len(frame)


READING_COLUMNS = ["site_id", "read_on", "source", "post", "nature", "index_wh"]
READING_COLUMNS_SQL = ["site_id", "read_on", "source", "post", "nature", "index_wh", "meter_turnover"]
PERIODIC_EVERY_DAYS = 61  # a reading round every two months
REGULARISED_EVERY = 4  # about one estimate in four is regularised afterwards


def _posts_and_shares(option: str, months: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The option's posts, and the share of the energy each post counts in each of ``months`` (months × posts)."""
    posts = list(POSTS_BY_OPTION.get(option, ["BASE"]))  # type: ignore[call-overload]
    return posts, np.vstack([_post_shares(posts, int(month)) for month in months])


def _by_option(sites: pd.DataFrame, rows: np.ndarray) -> list[tuple[str, np.ndarray]]:
    options = sites["option"].to_numpy()[rows]
    return [(str(option), rows[options == option]) for option in pd.unique(options)]


def _monthly_readings(
    sites: pd.DataFrame, rows: np.ndarray, days: pd.DatetimeIndex, matrix: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    months = days.to_period("M")
    starts = np.flatnonzero(np.r_[True, months[1:] != months[:-1]])
    ends = np.r_[starts[1:] - 1, len(days) - 1]  # the last day of each month
    monthly_kwh = np.add.reduceat(matrix, starts, axis=1)  # sites × months
    read_on = days.to_numpy(dtype="datetime64[D]")[ends]
    frames = []
    for option, group in _by_option(sites, rows):
        posts, shares = _posts_and_shares(option, days.month.to_numpy()[ends])
        start = rng.integers(1_000_000, 50_000_000, (len(group), 1, len(posts)))
        index = start + np.cumsum(monthly_kwh[group][:, :, None] * 1000 * shares[None, :, :], axis=1)
        frames.append(
            pd.DataFrame(
                {
                    "site_id": np.repeat(sites["id"].to_numpy(np.int64)[group], len(ends) * len(posts)),
                    "read_on": np.tile(np.repeat(read_on, len(posts)), len(group)),
                    "source": ReadingSource.DAILY_FLOW.value,
                    "post": np.tile(posts, len(group) * len(ends)),
                    "nature": ReadingNature.REAL.value,
                    "index_wh": index.reshape(-1).astype(np.int64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=READING_COLUMNS)


def _periodic_readings(
    sites: pd.DataFrame, rows: np.ndarray, days: pd.DatetimeIndex, matrix: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Every two months, from a day of each site's round: real, then estimated, in turn.

    An estimate is the last firm index plus the energy since, off by up to a third (the
    distributor extrapolates from the site's history; the next real index may be lower
    than the estimate: the negative billed energy of a regularisation). One estimate in
    ``REGULARISED_EVERY`` was corrected afterwards: its index is the true one, its nature
    regularised.
    """
    frames = []
    for option, group in _by_option(sites, rows):
        posts, shares = _posts_and_shares(option, days.month.to_numpy())  # days × posts
        start = rng.integers(1_000_000, 50_000_000, (len(group), 1, len(posts)))
        index = start + np.cumsum(matrix[group][:, :, None] * 1000 * shares[None, :, :], axis=1)  # end of each day
        rounds = np.arange(0, len(days), PERIODIC_EVERY_DAYS)
        phase = rng.integers(0, PERIODIC_EVERY_DAYS, len(group))
        for row, (site_index, first) in enumerate(zip(group, phase, strict=True)):
            positions = (rounds + first)[rounds + first < len(days)]
            true = index[row, positions, :]  # readings × posts
            estimated = np.arange(len(positions)) % 2 == 1
            regularised = estimated & ((np.arange(len(positions)) // 2 + first) % REGULARISED_EVERY == 0)
            estimated &= ~regularised
            factor = rng.uniform(0.67, 1.33, len(positions))
            values = true.copy()
            for k in np.flatnonzero(estimated):  # the previous reading is firm: real or regularised
                values[k] = true[k - 1] + (true[k] - true[k - 1]) * factor[k]
            natures = np.where(
                estimated,
                ReadingNature.ESTIMATED.value,
                np.where(regularised, ReadingNature.REGULARISED.value, ReadingNature.REAL.value),
            )
            frames.append(
                pd.DataFrame(
                    {
                        "site_id": int(sites["id"].iat[site_index]),
                        "read_on": np.repeat(days.to_numpy(dtype="datetime64[D]")[positions], len(posts)),
                        "source": ReadingSource.PERIODIC.value,
                        "post": np.tile(posts, len(positions)),
                        "nature": np.repeat(natures, len(posts)),
                        "index_wh": values.reshape(-1).astype(np.int64),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=READING_COLUMNS)


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


DEMO_SCALE = {"full": 1.0, "small": 0.1}  # share of the three years of meter history, per seed scale


def demo_meter_data(syndicate: Syndicate, run: DemoRun) -> str | None:
    """``seed_demo``'s generator (registered by ``ConsumptionConfig.ready``): only for a park this run created."""
    if not run.park_created:
        return None
    lap = time.perf_counter()
    generate_demo_consumption(syndicate, DEMO_SCALE[run.scale])
    return f"données de comptage générées en {time.perf_counter() - lap:.1f} s"


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
