"""Helpers writing meter data for the consumption screen tests (through the ingestion's loaders)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db import connection

from consumption.ingestion.energy import daily_energy_load
from consumption.ingestion.load_curve import load_curve_load
from consumption.partitions import partitions_ensure_range


def daily_load(
    site_ids: Sequence[int], first: dt.date, last: dt.date, *, kwh: float | np.ndarray = 10.0
) -> pd.DataFrame:
    """The same daily energy (or the given array, site-major) for every site and day; rollups refreshed."""
    days = pd.date_range(first, last, freq="D").to_numpy(dtype="datetime64[D]")
    frame = pd.DataFrame(
        {
            "site_id": np.repeat(list(site_ids), len(days)),
            "day": np.tile(days, len(site_ids)),
            "kwh": np.broadcast_to(kwh, (len(site_ids) * len(days),)).astype(float),
        }
    )
    daily_energy_load(frame)
    return frame


def load_curve_load_days(site_id: int, first: dt.date, days: int, *, step: int = 30, power_w: int = 1500) -> int:
    """A flat load curve over ``days`` local days (DST-correct: built in Europe/Paris, stored in UTC)."""
    start = pd.Timestamp(first).tz_localize("Europe/Paris") + pd.Timedelta(minutes=step)
    end = (pd.Timestamp(first) + pd.Timedelta(days=days)).tz_localize("Europe/Paris")
    ends = pd.date_range(start, end, freq=f"{step}min")
    offsets = np.array([int(t.utcoffset().total_seconds() // 60) for t in ends])
    points = pd.DataFrame(
        {
            "site_id": site_id,
            "ends_at": ends.tz_convert("UTC").tz_localize(None),
            "power_w": power_w,
            "step_minutes": step,
            "utc_offset_minutes": offsets,
        }
    )
    load_curve_load(points)
    return len(points)


def reading_add(
    site_id: int,
    read_on: dt.date,
    indexes_wh: dict[str, int],
    *,
    nature: str = "real",
    source: str = "periodic",
    turnover: bool = False,
) -> None:
    partitions_ensure_range(read_on, read_on)
    with connection.cursor() as cursor:
        for post, value in indexes_wh.items():
            cursor.execute(
                "INSERT INTO consumption_reading (site_id, read_on, source, post, nature, index_wh, meter_turnover) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [site_id, read_on, source, post, nature, value, turnover],
            )
