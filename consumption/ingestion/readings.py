"""Index readings shared by the importers: the stored neighbours of a file, and the write.

A reading is keyed by (site, day, source, post). Both importers read the readings
already stored around a file's period (to compute differences, or to check that an
index does not go down) and write only the rows that are new or differ from what is
stored, so that a file sent twice writes nothing.

Posts travel as small integer codes (``POST_CODES``) between PostgreSQL and NumPy:
the stored readings are read into arrays (``fetch_arrays``), without a Python object
per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from consumption.choices import ReadingNature
from consumption.copy import copy_upsert, fetch_arrays
from consumption.ingestion.common import codes_of
from consumption.partitions import partitions_ensure_range
from perimeter.choices import POSTS_BY_OPTION

# Every post of every option, in a fixed order: a post's code is its position.
POSTS: tuple[str, ...] = tuple(dict.fromkeys(post for posts in POSTS_BY_OPTION.values() for post in posts))
POST_CODES = {post: code for code, post in enumerate(POSTS)}
NATURES: tuple[str, ...] = tuple(nature.value for nature in ReadingNature)
NATURE_CODES = {nature: code for code, nature in enumerate(NATURES)}
_DAY_BITS, _POST_BITS = 20, 4  # days since 1970 < 2^20 (year 4840); post codes + 1 < 2^4


def reading_keys(site_id: np.ndarray, day: np.ndarray, post_code: np.ndarray) -> np.ndarray:
    """One int64 per (site, day, post): joins and look-ups on plain integers (site ids < 2^39)."""
    days = day.astype("datetime64[D]").astype(np.int64)
    return ((site_id.astype(np.int64) << _DAY_BITS | days) << _POST_BITS) | (post_code.astype(np.int64) + 1)


def day_keys(site_id: np.ndarray, day: np.ndarray) -> np.ndarray:
    """One int64 per (site, day)."""
    return site_id.astype(np.int64) << _DAY_BITS | day.astype("datetime64[D]").astype(np.int64)


def split_day_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(site ids, days as datetime64[D]) of ``day_keys``."""
    return keys >> _DAY_BITS, (keys & ((1 << _DAY_BITS) - 1)).astype("datetime64[D]")


@dataclass(frozen=True)
class StoredReadings:
    """The readings of one source stored for some sites over a period, as arrays (post and nature as codes)."""

    site_id: np.ndarray
    day: np.ndarray
    post_code: np.ndarray
    index_wh: np.ndarray
    turnover: np.ndarray
    nature_code: np.ndarray

    @property
    def keys(self) -> np.ndarray:
        return reading_keys(self.site_id, self.day, self.post_code)


def stored_readings(*, source: str, site_ids: list[int], first: dt.date, last: dt.date) -> StoredReadings:
    """The ``source`` readings of ``site_ids`` between ``first`` and ``last`` (both included), one query."""
    with connection.cursor() as cursor:
        columns = fetch_arrays(
            cursor,
            "SELECT site_id, read_on, (coalesce(array_position(%s::varchar[], post), 0) - 1)::int2, index_wh, "
            "meter_turnover, (coalesce(array_position(%s::varchar[], nature), 0) - 1)::int2 "
            "FROM consumption_reading WHERE source = %s AND site_id = ANY(%s) AND read_on BETWEEN %s AND %s",
            [list(POSTS), list(NATURES), source, site_ids, first, last],
            ["int8", "date", "int2", "int8", "bool", "int2"],
        )
    return StoredReadings(*columns)


def unchanged_mask(readings: pd.DataFrame, stored: StoredReadings) -> np.ndarray:
    """Rows of ``readings`` (site_id, day, post, nature, index_wh, turnover) already stored with the same values."""
    if not len(stored.site_id) or readings.empty:
        return np.zeros(len(readings), bool)
    keys = reading_keys(
        readings["site_id"].to_numpy(np.int64),
        readings["day"].to_numpy(dtype="datetime64[D]"),
        codes_of(readings["post"], POST_CODES),
    )
    order = np.argsort(stored.keys)
    sorted_keys = stored.keys[order]
    position = np.clip(np.searchsorted(sorted_keys, keys), 0, len(sorted_keys) - 1)
    found = sorted_keys[position] == keys
    match = order[position]
    return (
        found
        & (stored.index_wh[match] == readings["index_wh"].to_numpy(np.int64))
        & (stored.turnover[match] == readings["turnover"].to_numpy(bool))
        & (stored.nature_code[match] == codes_of(readings["nature"], NATURE_CODES))
    )


def readings_store(readings: pd.DataFrame, *, source: str) -> tuple[int, int]:
    """Upsert readings (site_id, day, post, nature, index_wh, turnover) of one source with binary COPY.

    Callers pass only the rows that are new or changed (``unchanged_mask``) and hold
    the tenant's ingestion lock.
    """
    if readings.empty:
        return 0, 0
    days = readings["day"].to_numpy(dtype="datetime64[D]")
    first, last = pd.Timestamp(days.min()).date(), pd.Timestamp(days.max()).date()
    partitions_ensure_range(first, last)
    return copy_upsert(
        table="consumption_reading",
        columns=[
            ("site_id", "int8", readings["site_id"].to_numpy(np.int64)),
            ("read_on", "date", days),
            ("source", "text", np.full(len(readings), source, dtype=object)),
            ("post", "text", readings["post"].to_numpy(dtype=object)),
            ("nature", "text", readings["nature"].to_numpy(dtype=object)),
            ("index_wh", "int8", readings["index_wh"].to_numpy(np.int64)),
            ("meter_turnover", "bool", readings["turnover"].to_numpy(bool)),
        ],
        key=["site_id", "read_on", "source", "post"],
        range_column="read_on",
        range_bounds=(first, last),
        site_ids=readings["site_id"].unique().tolist(),
    )
