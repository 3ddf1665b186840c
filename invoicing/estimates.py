"""Indexes for billing: the last real index of each site and post, and estimates from the site's profile.

Read in bulk for a whole run (a few queries for 13,000 sites, never one per site):

- ``firm_readings``: the two newest *firm* readings (real, regularised — an estimate the
  distributor corrected — or the member's self-reading) of every site on or before a day,
  within ``FIRM_LOOKBACK_DAYS``; one value per post, the distributor's daily flow first;
- ``daily_sums``: the daily energy (``consumption.DailyEnergy``; gas: the gas day's energy,
  volume × conversion coefficient computed at ingestion) summed over one range per site,
  with the number of days present.

An estimate of the energy over (after, last] is the daily data where the meter sends
them, and the CAR (annual reference consumption) spread with a seasonal monthly shape over
the days the data miss (``SEASONAL_SHAPE``: the typical share of each month in a year of a
French building, electricity or gas). Energy is split between posts by the shares of the
last two firm readings (the meter's own habits), else by the option's default shares.

Regularisation is implicit in the index chain: an invoice's start index is the previous
invoice's end index; its end index is, when a firm reading newer than the previous
invoice exists, that reading plus the estimate since — so the energy billed includes the
correction of the previous estimate (it may be negative) — else the previous end index
plus the estimate of the period. Gas meters send daily energy rather than indexes: the
chain is kept in kWh, and a period billed on estimates is recomputed on the next invoice
from the daily data received since (the difference is billed with the new period).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from consumption.choices import ReadingNature, ReadingSource
from consumption.models import DailyEnergy, Reading
from perimeter.choices import POSTS_BY_OPTION, Fluid

KWH = Decimal("0.001")
FIRM_NATURES = (ReadingNature.REAL, ReadingNature.REGULARISED, ReadingNature.SELF_READING)
# One value per (site, day, post): the distributor's daily flow, its periodic reading, then the member's.
SOURCE_ORDER = (ReadingSource.DAILY_FLOW, ReadingSource.PERIODIC, ReadingSource.MEMBER, ReadingSource.SUPPLIER)
FIRM_LOOKBACK_DAYS = 400
# Share of each month (January first) in a year's consumption; each row sums to 1.
SEASONAL_SHAPE: dict[str, tuple[float, ...]] = {
    Fluid.ELECTRICITY: (0.11, 0.10, 0.09, 0.08, 0.07, 0.06, 0.06, 0.06, 0.07, 0.08, 0.10, 0.12),
    Fluid.GAS: (0.17, 0.15, 0.12, 0.08, 0.04, 0.02, 0.015, 0.015, 0.03, 0.07, 0.12, 0.17),
}
WINTER_MONTHS = {11, 12, 1, 2, 3}  # high season of the four-post options
DEFAULT_PEAK_SHARE = 0.62  # HP (or HPH/HPE) share of the energy without a firm history


@dataclass(frozen=True)
class FirmReading:
    read_on: dt.date
    kwh: dict[str, Decimal]  # post → cumulative kWh
    nature: str


def posts_of(option: str) -> list[str]:
    return list(POSTS_BY_OPTION.get(option, ["BASE"]))  # type: ignore[call-overload]


def firm_readings(
    site_ids: Sequence[int], *, until: dt.date, also_before: dt.date | None = None
) -> dict[int, list[FirmReading]]:
    """The two newest firm readings of each site on or before ``until``, and the newest on or before
    ``also_before`` (where a never-billed site's first period starts); newest first, one query."""
    if not site_ids:
        return {}
    order = " ".join(f"WHEN '{source.value}' THEN {rank}" for rank, source in enumerate(SOURCE_ORDER))
    sql = f"""
        SELECT site_id, read_on, post, index_wh, nature FROM (
            SELECT site_id, read_on, post, index_wh, nature,
                   dense_rank() OVER (PARTITION BY site_id ORDER BY read_on DESC) AS newest,
                   dense_rank() OVER (PARTITION BY site_id, read_on <= %s ORDER BY read_on DESC) AS newest_side,
                   row_number() OVER (PARTITION BY site_id, read_on, post ORDER BY CASE source {order} ELSE 9 END)
                       AS preferred
            FROM {Reading._meta.db_table}
            WHERE site_id = ANY(%s) AND read_on <= %s AND read_on > %s AND nature = ANY(%s)
        ) ranked
        WHERE (newest <= 2 OR (read_on <= %s AND newest_side = 1)) AND preferred = 1
        ORDER BY site_id, read_on DESC
    """
    rows: dict[int, dict[dt.date, FirmReading]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                also_before or until,
                list(site_ids),
                until,
                until - dt.timedelta(days=FIRM_LOOKBACK_DAYS),
                [str(n) for n in FIRM_NATURES],
                also_before or until,
            ],
        )
        for site_id, read_on, post, index_wh, nature in cursor.fetchall():
            reading = rows[site_id].get(read_on)
            if reading is None:
                reading = rows[site_id][read_on] = FirmReading(read_on, {}, nature)
            reading.kwh[post] = (Decimal(index_wh) / 1000).quantize(KWH)
    return {site_id: sorted(days.values(), key=lambda r: r.read_on, reverse=True) for site_id, days in rows.items()}


@dataclass(frozen=True)
class DailySum:
    kwh: float
    days: int  # days with a value


def daily_sums(ranges: Iterable[tuple[int, dt.date, dt.date]]) -> dict[tuple[int, dt.date, dt.date], DailySum]:
    """The daily energy of each (site, after, last) range — the days after ``after`` up to ``last`` — in one query."""
    keys = list(dict.fromkeys(r for r in ranges if r[2] > r[1]))
    if not keys:
        return {}
    sql = f"""
        SELECT r.site_id, r.after, r.last, sum(d.kwh), count(d.kwh)
        FROM unnest(%s::bigint[], %s::date[], %s::date[]) AS r(site_id, after, last)
        JOIN {DailyEnergy._meta.db_table} d ON d.site_id = r.site_id AND d.day > r.after AND d.day <= r.last
        GROUP BY r.site_id, r.after, r.last
    """
    result: dict[tuple[int, dt.date, dt.date], DailySum] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]])
        for site_id, after, last, kwh, days in cursor.fetchall():
            result[(site_id, after, last)] = DailySum(float(kwh or 0.0), int(days))
    return result


def car_energy(car_kwh: float, fluid: str, after: dt.date, last: dt.date) -> float:
    """The CAR's energy over the days (after, last], month by month with the seasonal shape."""
    shape = SEASONAL_SHAPE.get(fluid, SEASONAL_SHAPE[Fluid.ELECTRICITY])
    total = 0.0
    day = after + dt.timedelta(days=1)
    while day <= last:
        month_days = calendar.monthrange(day.year, day.month)[1]
        month_end = day.replace(day=month_days)
        span = (min(month_end, last) - day).days + 1
        total += car_kwh * shape[day.month - 1] * span / month_days
        day = month_end + dt.timedelta(days=1)
    return total


def estimate_energy(
    *, car_kwh: float | None, fluid: str, after: dt.date, last: dt.date, daily: DailySum | None
) -> tuple[float, bool] | None:
    """Energy over (after, last]: daily data, the CAR's shape for the days they miss; and whether it is all measured.

    None when neither daily data nor a CAR is known.
    """
    days = (last - after).days
    if days <= 0:
        return 0.0, True
    measured = daily.kwh if daily else 0.0
    present = daily.days if daily else 0
    if present >= days:
        return measured, True
    if not car_kwh:
        return None if present == 0 else (measured * days / present, False)
    missing = car_energy(car_kwh, fluid, after, last) * (days - present) / days
    return measured + missing, False


def post_shares(option: str, readings: Sequence[FirmReading], after: dt.date, last: dt.date) -> dict[str, float]:
    """How the energy of (after, last] splits between the option's posts."""
    posts = posts_of(option)
    if len(posts) == 1:
        return {posts[0]: 1.0}
    if len(posts) == 2 and len(readings) >= 2:
        new, old = readings[0], readings[1]
        deltas = {p: float(new.kwh.get(p, 0) - old.kwh.get(p, 0)) for p in posts}
        total = sum(deltas.values())
        if total > 0 and all(d >= 0 for d in deltas.values()):
            return {p: d / total for p, d in deltas.items()}
    if len(posts) == 2:
        return {posts[0]: DEFAULT_PEAK_SHARE, posts[1]: 1 - DEFAULT_PEAK_SHARE}
    # Four posts: the winter posts count the high season's days, the summer posts the others.
    winter = sum(1 for n in range((last - after).days) if (after + dt.timedelta(days=n + 1)).month in WINTER_MONTHS)
    total_days = max(1, (last - after).days)
    high = winter / total_days
    hph, hch, hpe, hce = posts
    return {
        hph: high * DEFAULT_PEAK_SHARE,
        hch: high * (1 - DEFAULT_PEAK_SHARE),
        hpe: (1 - high) * DEFAULT_PEAK_SHARE,
        hce: (1 - high) * (1 - DEFAULT_PEAK_SHARE),
    }


def kwh(value: float) -> Decimal:
    return Decimal(repr(round(value, 3))).quantize(KWH)
