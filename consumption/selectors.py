"""Reusable reads of meter data for the screens, the member API and the exports.

These functions take site or member ids and trust them: callers obtain them through
the member-scoping helpers of ``perimeter`` (a member only ever passes its own sites).
Charts spanning many sites read the monthly rollups, never the daily table; JIT is off
for these short aggregate queries (its compilation costs more than the query).

Time: days are local days in Europe/Paris (gas: gas days); load-curve points come
back as naive local times of the interval end (or epoch milliseconds), which plotly
draws 200× faster than time-zone-aware timestamps, together with the UTC offset of
each end, so that the two local hours of the October change stay distinct where
they must (the API, hourly means).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404

from consumption.models import IngestionReport
from consumption.partitions import add_months, month_start

PARIS = ZoneInfo("Europe/Paris")


class MonthlyValue(NamedTuple):
    month: dt.date
    kwh: float


class SiteMonthlyValue(NamedTuple):
    site_id: int
    month: dt.date
    kwh: float


class SyndicateMonthlyValue(NamedTuple):
    month: dt.date
    fluid: str
    kwh: float
    sites: int


class DailyValue(NamedTuple):
    day: dt.date
    kwh: float


class LoadCurve(NamedTuple):
    """Arrays of equal length: interval ends (naive local datetime64[s] or epoch ms), power (W), step (min).

    ``utc_offset_minutes`` is Europe/Paris's offset at each interval end: the naive
    local end minus it is the UTC instant (the October repeated hour is ambiguous
    without it).
    """

    ends_local: np.ndarray
    power_w: np.ndarray
    step_minutes: np.ndarray
    utc_offset_minutes: np.ndarray

    def ends_iso(self) -> list[str]:
        """The interval ends as ISO 8601 local times with their offset (``2025-10-26T02:30:00+01:00``)."""
        local = np.asarray(self.ends_local)
        if local.dtype.kind != "M":  # epoch milliseconds
            local = local.astype(np.int64).astype("datetime64[ms]")
        texts = local.astype("datetime64[s]").astype(str)
        offsets, codes = np.unique(np.asarray(self.utc_offset_minutes, dtype=np.int64), return_inverse=True)
        suffixes = np.array([f"{'-' if o < 0 else '+'}{abs(o) // 60:02d}:{abs(o) % 60:02d}" for o in offsets.tolist()])
        result: list[str] = np.char.add(texts, suffixes[codes]).tolist() if len(texts) else []
        return result


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _months(first_month: dt.date, last_month: dt.date) -> dict[str, dt.date]:
    return {"first": month_start(first_month), "after": add_months(month_start(last_month), 1)}


def monthly_energy_by_site(
    site_ids: Sequence[int], *, first_month: dt.date, last_month: dt.date
) -> list[SiteMonthlyValue]:
    """Each site's energy per month (from the rollup), sorted by site then month."""
    rows = _fetch(
        "SELECT site_id, month, kwh FROM consumption_monthlyenergy "
        "WHERE site_id = ANY(%(sites)s) AND month >= %(first)s AND month < %(after)s ORDER BY site_id, month",
        {"sites": list(site_ids), **_months(first_month, last_month)},
    )
    return [SiteMonthlyValue(*row) for row in rows]


def monthly_energy_for_sites(
    site_ids: Sequence[int], *, first_month: dt.date, last_month: dt.date
) -> list[MonthlyValue]:
    """Total energy per month of a set of sites (from the rollup)."""
    rows = _fetch(
        "SELECT month, sum(kwh) FROM consumption_monthlyenergy "
        "WHERE site_id = ANY(%(sites)s) AND month >= %(first)s AND month < %(after)s GROUP BY month ORDER BY month",
        {"sites": list(site_ids), **_months(first_month, last_month)},
    )
    return [MonthlyValue(*row) for row in rows]


def monthly_energy_for_member(
    member_id: int, *, first_month: dt.date, last_month: dt.date, fluid: str | None = None
) -> list[MonthlyValue]:
    """Total energy per month of a member's sites (optionally one fluid), from the rollup."""
    fluid_filter = "AND s.fluid = %(fluid)s" if fluid else ""
    rows = _fetch(
        f"""
        SELECT m.month, sum(m.kwh)
        FROM consumption_monthlyenergy m JOIN perimeter_site s ON s.id = m.site_id
        WHERE s.member_id = %(member)s {fluid_filter} AND m.month >= %(first)s AND m.month < %(after)s
        GROUP BY m.month ORDER BY m.month
        """,
        {"member": member_id, "fluid": fluid, **_months(first_month, last_month)},
    )
    return [MonthlyValue(*row) for row in rows]


def syndicate_monthly_totals(
    *, first_month: dt.date, last_month: dt.date, fluid: str | None = None
) -> list[SyndicateMonthlyValue]:
    """The whole syndicate's energy per month and fluid (from the syndicate rollup)."""
    fluid_filter = "AND fluid = %(fluid)s" if fluid else ""
    rows = _fetch(
        f"SELECT month, fluid, kwh, sites FROM consumption_syndicatemonthlyenergy "
        f"WHERE month >= %(first)s AND month < %(after)s {fluid_filter} ORDER BY month, fluid",
        {"fluid": fluid, **_months(first_month, last_month)},
    )
    return [SyndicateMonthlyValue(*row) for row in rows]


def daily_energy_for_site(site_id: int, *, first_day: dt.date, last_day: dt.date) -> list[DailyValue]:
    """A site's energy per local day (gas: per gas day), both bounds included."""
    rows = _fetch(
        "SELECT day, kwh FROM consumption_dailyenergy "
        "WHERE site_id = %(site)s AND day BETWEEN %(first)s AND %(last)s ORDER BY day",
        {"site": site_id, "first": first_day, "last": last_day},
    )
    return [DailyValue(*row) for row in rows]


def local_day_bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC instants of local midnight starting ``first_day`` and ending ``last_day``."""
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=PARIS)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _curve_columns(instant: str, power: str, step: str) -> str:
    """Naive local epoch seconds, power, step, and the Paris UTC offset (minutes) of ``instant``."""
    local = f"extract(epoch FROM {instant} AT TIME ZONE 'Europe/Paris')"
    return f"{local}::bigint, {power}, {step}, ({local} - extract(epoch FROM {instant}))::int / 60"


def load_curve_for_site(
    site_id: int, *, first_day: dt.date, last_day: dt.date, epoch_ms: bool = False, hourly: bool = False
) -> LoadCurve:
    """The load-curve points whose interval lies in the local days ``first_day``..``last_day``.

    An interval belongs to the day of its start: the point stamped at local midnight
    closes the previous day. A 30-minute curve has 46 points on the last Sunday of
    March and 50 on the last Sunday of October.

    ``hourly``: the mean power of each *UTC* hour (stamped at the hour's end), so the
    October repeated local hour gives two points (25 on that day, 23 in March).
    """
    start, end = local_day_bounds(first_day, last_day)
    bounds = "site_id = %(site)s AND ends_at > %(start)s AND ends_at <= %(end)s"
    if hourly:
        hour_end = "date_trunc('hour', ends_at - make_interval(mins => step_minutes), 'UTC') + interval '1 hour'"
        columns = _curve_columns("h", "round(avg(power_w))::int", "60")
        sql = (
            f"SELECT {columns} FROM (SELECT {hour_end} AS h, power_w FROM consumption_loadcurvepoint "
            f"WHERE {bounds}) p GROUP BY h ORDER BY h"
        )
    else:
        columns = _curve_columns("ends_at", "power_w", "step_minutes")
        sql = f"SELECT {columns} FROM consumption_loadcurvepoint WHERE {bounds} ORDER BY ends_at"
    rows = _fetch(sql, {"site": site_id, "start": start, "end": end})
    data = np.array(rows, dtype=np.int64).reshape(-1, 4)
    seconds = data[:, 0]
    ends = seconds * 1000 if epoch_ms else seconds.astype("datetime64[s]")
    return LoadCurve(ends_local=ends, power_w=data[:, 1], step_minutes=data[:, 2], utc_offset_minutes=data[:, 3])


class ReadingRow(NamedTuple):
    """The indexes of every post of one meter reading (one day, one source), in Wh."""

    read_on: dt.date
    source: str
    nature: str
    indexes_wh: dict[str, int]
    meter_turnover: bool


def readings_count(site_id: int) -> int:
    """How many readings (distinct day and source) a site has."""
    rows = _fetch(
        "SELECT count(*) FROM (SELECT 1 FROM consumption_reading WHERE site_id = %(site)s GROUP BY read_on, source) r",
        {"site": site_id},
    )
    return int(rows[0][0])


def readings_for_site(site_id: int, *, limit: int, offset: int = 0) -> list[ReadingRow]:
    """A page of a site's readings, newest first, each with the index of every post (one query)."""
    rows = _fetch(
        """
        SELECT read_on, source, min(nature), jsonb_object_agg(post, index_wh), bool_or(meter_turnover)
        FROM consumption_reading WHERE site_id = %(site)s
        GROUP BY read_on, source ORDER BY read_on DESC, source LIMIT %(limit)s OFFSET %(offset)s
        """,
        {"site": site_id, "limit": limit, "offset": offset},
    )
    # Django's psycopg setup hands jsonb back as text.
    indexes = [json.loads(r[3]) if isinstance(r[3], str) else r[3] for r in rows]
    return [
        ReadingRow(r[0], r[1], r[2], {k: int(v) for k, v in idx.items()}, bool(r[4]))
        for r, idx in zip(rows, indexes, strict=True)
    ]


def daily_energy_for_sites(site_ids: Sequence[int], *, first_day: dt.date, last_day: dt.date) -> list[DailyValue]:
    """Total energy per local day of a set of sites (daily table; callers bound the period to a year)."""
    rows = _fetch(
        "SELECT day, sum(kwh) FROM consumption_dailyenergy "
        "WHERE site_id = ANY(%(sites)s) AND day BETWEEN %(first)s AND %(last)s GROUP BY day ORDER BY day",
        {"sites": list(site_ids), "first": first_day, "last": last_day},
    )
    return [DailyValue(*row) for row in rows]


# --- Ingestion reports (supplier staff: the back-office and its API) -----------------------

# Columns a list of reports shows; the detail lists (rejected rows, messages) stay in the database.
REPORT_LIST_FIELDS = (
    "id",
    "file_name",
    "kind",
    "file_format",
    "status",
    "received_rows",
    "accepted_rows",
    "rejected_rows",
    "error_report_path",
    "received_by",
    "created_at",
    "finished_at",
)


def ingestion_reports_list() -> QuerySet[IngestionReport]:
    """The current syndicate's ingestion reports, newest first, without their detail lists."""
    return IngestionReport.objects.only(*REPORT_LIST_FIELDS).order_by("-created_at", "-id")


def ingestion_report_get(pk: int) -> IngestionReport:
    """One report of the current syndicate; an id of another syndicate's report is unknown here (404)."""
    report = IngestionReport.objects.filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def rejected_rows_file(report: IngestionReport) -> Path:
    """The stored workbook of a report's rejected rows; 404 when it has none (or the file is gone)."""
    path = Path(settings.MEDIA_ROOT) / report.error_report_path if report.error_report_path else None
    if path is None or not path.is_file():
        raise Http404
    return path
