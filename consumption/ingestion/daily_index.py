"""Daily indexes per post (cumulative, Wh; "date J" = index at the end of day J) → readings and daily energy.

The energy of day J is the sum over the site's posts of index(J) − index(J−1). The
previous day's index may come from the same file or from the readings already stored,
a late file filling day J also completes day J+1 already stored, and the posts of one
day may come in different files: the differences are computed over the union, so the
result does not depend on the order files arrive.

Bad values (DOMAIN.md "Data quality"):
- a meter turnover (index back to zero after its maximum, 10^digits) is a normal
  difference, flagged on the reading;
- an isolated spike or dip (absurd or negative difference with both neighbours) is a
  wrong index: the line is rejected;
- any other absurd or negative difference excludes that day's energy (reported) while
  the index is kept as the base of the next day.

Speed (QUALITY.md item 20): validation works on the distinct points, dates and posts;
the stored neighbours come back through binary COPY as arrays; the differences are
NumPy operations on the union sorted once by (site, post, day), with no group-by and
no Python object per row; readings and daily energy go in with binary COPY, and the
readings already stored with the same values are not written again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from django.db import connection

from consumption.choices import ReadingNature, ReadingSource
from consumption.copy import lock_tenant_ingestion
from consumption.ingestion.common import (
    attach_sites,
    check_calendar_and_posts,
    check_indexes,
    codes_of,
    drop_duplicates,
    parse_days,
    plausible_daily_kwh_max,
    site_lookup,
)
from consumption.ingestion.readings import (
    POST_CODES,
    POSTS,
    StoredReadings,
    day_keys,
    reading_keys,
    split_day_keys,
    stored_readings,
    unchanged_mask,
)
from consumption.ingestion.report import Rejections
from perimeter.choices import POSTS_BY_OPTION

POST_COUNTS = {str(option): len(posts) for option, posts in POSTS_BY_OPTION.items()}


def daily_index_prepare(frame: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """Validated index rows: site_id, day, post, index_wh (+ site characteristics)."""
    frame = attach_sites(frame, rejections, fluid="elec")
    frame = check_calendar_and_posts(frame, rejections)
    frame["day"] = parse_days(frame["date"])
    frame = rejections.add(frame, frame["day"].isna(), column="date", reason="Date illisible (AAAA-MM-JJ)")
    frame = check_indexes(frame, rejections)
    frame["day"] = frame["day"].to_numpy(dtype="datetime64[D]")
    return drop_duplicates(frame, rejections, key=["site_id", "day", "post"], value="index_wh", column="index_wh")


@dataclass
class _Indexes:
    """The union of a file's indexes and the stored ones, as arrays (sorted by site, post, day once built)."""

    site_id: np.ndarray
    post_code: np.ndarray
    day: np.ndarray  # datetime64[D]
    index_wh: np.ndarray
    from_file: np.ndarray
    line: np.ndarray
    limit_kwh: np.ndarray  # most energy the site can plausibly use in a day

    def take(self, selection: np.ndarray) -> _Indexes:
        return _Indexes(*(getattr(self, field.name)[selection] for field in fields(self)))


@dataclass
class _Differences:
    """Per row of an ``_Indexes``: the difference with the previous index of the same post, turnover-aware."""

    same_as_previous: np.ndarray  # the previous row is the same site and post
    gap: np.ndarray  # days since the previous index (0: none)
    difference: np.ndarray  # Wh, NaN without a previous index
    turnover: np.ndarray
    bad: np.ndarray  # negative, or more than the site can plausibly use over the gap


def _differences(indexes: _Indexes) -> _Differences:
    count = len(indexes.index_wh)
    same = np.zeros(count, bool)
    same[1:] = (indexes.site_id[1:] == indexes.site_id[:-1]) & (indexes.post_code[1:] == indexes.post_code[:-1])
    index = indexes.index_wh.astype(np.float64)
    previous = np.full(count, np.nan)
    previous[1:] = np.where(same[1:], index[:-1], np.nan)
    days = indexes.day.astype(np.int64)
    gap = np.zeros(count, np.int64)
    gap[1:] = np.where(same[1:], days[1:] - days[:-1], 0)
    difference = index - previous
    with np.errstate(invalid="ignore"):
        # A turnover: the register went past its maximum (10^digits, at least 10^6 Wh) and restarted from zero.
        digits = np.floor(np.log10(np.clip(previous, 1, None))) + 1
        wrapped = np.power(10.0, np.maximum(digits, 6)) - previous + index
        limit_wh = indexes.limit_kwh * 1000 * np.maximum(gap, 1)
        turnover = (difference < 0) & (wrapped <= limit_wh)
        difference = np.where(turnover, wrapped, difference)
        bad = ~np.isnan(difference) & ((difference < 0) | (difference > limit_wh))
    return _Differences(same, gap, difference, turnover, bad)


def _shifted(values: np.ndarray, same_as_previous: np.ndarray, *, step: int) -> np.ndarray:
    """The value of the previous (step 1) or next (step -1) row of the same site and post; False where none."""
    result = np.zeros(len(values), bool)
    if step == 1:
        result[1:] = same_as_previous[1:] & values[:-1]
    else:
        result[:-1] = same_as_previous[1:] & values[1:]
    return result


def _report(rejections: Rejections, lines: np.ndarray, *, reason: str, values: np.ndarray | None = None) -> None:
    if len(lines):
        rejected = pd.DataFrame({"line": lines} if values is None else {"line": lines, "index_wh": values})
        rejections.add(rejected, np.ones(len(lines), bool), column="index_wh", reason=reason)


def _union(rows: pd.DataFrame) -> tuple[_Indexes, pd.DataFrame, StoredReadings]:
    """(file rows and stored neighbours sorted by site, post, day; the sites; the stored readings of the period)."""
    day = rows["day"].to_numpy(dtype="datetime64[D]")
    site_id = rows["site_id"].to_numpy(np.int64)
    post_code = codes_of(rows["post"], POST_CODES)
    sites = rows.drop_duplicates("site_id").set_index("site_id")
    sites["limit_kwh"] = plausible_daily_kwh_max(sites["power_kva"], sites["car_kwh"])
    stored = stored_readings(
        source=ReadingSource.DAILY_FLOW,
        site_ids=sites.index.tolist(),
        first=pd.Timestamp(day.min()).date() - dt.timedelta(days=1),
        last=pd.Timestamp(day.max()).date() + dt.timedelta(days=1),
    )
    # A stored index that the file sends again is replaced by the file's.
    kept = ~pd.Index(stored.keys).isin(reading_keys(site_id, day, post_code))
    extra = int(kept.sum())
    all_sites = np.concatenate([site_id, stored.site_id[kept]])
    union = _Indexes(
        site_id=all_sites,
        post_code=np.concatenate([post_code, stored.post_code[kept].astype(np.int64)]),
        day=np.concatenate([day, stored.day[kept]]),
        index_wh=np.concatenate([rows["index_wh"].to_numpy(np.int64), stored.index_wh[kept]]),
        from_file=np.concatenate([np.ones(len(rows), bool), np.zeros(extra, bool)]),
        line=np.concatenate([rows["line"].to_numpy(np.int64), np.zeros(extra, np.int64)]),
        limit_kwh=site_lookup(sites["limit_kwh"], all_sites).astype(np.float64),
    )
    return union.take(np.lexsort((union.day, union.post_code, union.site_id))), sites, stored


def daily_index_load(rows: pd.DataFrame, rejections: Rejections) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(readings to store: new or changed, daily energy to store) from validated rows and the stored neighbours."""
    if rows.empty:
        columns = ["site_id", "day", "post", "nature", "index_wh", "turnover"]
        return pd.DataFrame(columns=columns), pd.DataFrame(columns=["site_id", "day", "kwh"])
    with connection.cursor() as cursor:
        lock_tenant_ingestion(cursor)
    indexes, sites, stored = _union(rows)

    # A spike or a dip: wrong both with the previous and with the next index.
    found = _differences(indexes)
    isolated = indexes.from_file & found.bad & _shifted(found.bad, found.same_as_previous, step=-1)
    _report(
        rejections,
        indexes.line[isolated],
        values=indexes.index_wh[isolated].astype(str),
        reason="Index aberrant (pic ou creux isolé) : rejeté",
    )
    indexes = indexes.take(~isolated)
    found = _differences(indexes)

    # The days whose energy depends on the file: its own, and the stored day right after one of its indexes,
    # every post of them (the other posts of a day may have come in an earlier file).
    site_days = day_keys(indexes.site_id, indexes.day)
    touched_rows = indexes.from_file | _shifted(indexes.from_file, found.same_as_previous, step=1)
    touched = pd.Index(site_days).isin(site_days[touched_rows])
    excluded = indexes.from_file & found.bad & (found.gap == 1)
    with np.errstate(invalid="ignore"):
        jumps, drops = excluded & (found.difference > 0), excluded & (found.difference < 0)
    _report(rejections, indexes.line[jumps], reason="Saut d'index invraisemblable : énergie du jour exclue")
    _report(
        rejections,
        indexes.line[drops],
        reason="Index en baisse sans passage à zéro du compteur : énergie du jour exclue",
    )

    in_file = indexes.from_file
    readings = pd.DataFrame(
        {
            "site_id": indexes.site_id[in_file],
            "day": indexes.day[in_file],
            "post": np.asarray(POSTS, dtype=object)[indexes.post_code[in_file]],
            "nature": ReadingNature.REAL.value,
            "index_wh": indexes.index_wh[in_file],
            "turnover": found.turnover[in_file],
        }
    )
    readings = readings[~unchanged_mask(readings, stored)]

    # Energy of a day: the sum over the site's posts, when every post has a usable difference.
    usable = touched & (found.gap == 1) & ~found.bad
    group, keys = pd.factorize(site_days[usable], sort=True)
    wh = np.bincount(group, weights=found.difference[usable], minlength=len(keys))
    posts = np.bincount(group, minlength=len(keys))
    energy_site, energy_day = split_day_keys(keys)
    expected_posts = site_lookup(sites["tariff_option"].map(POST_COUNTS), energy_site)
    complete = posts == expected_posts
    file_days = pd.unique(day_keys(rows["site_id"].to_numpy(np.int64), rows["day"].to_numpy()))
    missing_days = int((~pd.Index(file_days).isin(keys[complete])).sum())
    if missing_days:
        rejections.messages.append(
            f"{missing_days} jour(s) sans énergie calculée : index de la veille absent, exclu ou poste manquant."
        )
    energy = pd.DataFrame({"site_id": energy_site[complete], "day": energy_day[complete], "kwh": wh[complete] / 1000.0})
    return readings, energy
