"""Periodic readings of the distributor ("relevés périodiques"): one index per post at a reading date, with its nature.

Non-communicating meters are read every two months or so: by the distributor's agent
(a *real* index), estimated from the site's history when the meter could not be read
(*estimated*), or corrected afterwards (*regularised*: the index that replaces an
estimate, which is why the energy billed since the estimate can be negative). They are
stored as readings of source "periodic" with their nature; they carry no daily energy
(two months of consumption say nothing about each day).

Checks, besides those every index file gets (delivery point, post of the tariff option,
readable date, whole positive index in Wh, duplicates):
- the nature is real, estimated or regularised (the distributor's codes ``REEL``,
  ``ESTIME``, ``CORRIGE`` or the French words);
- a reading dated after today is refused;
- each index is compared with the last *firm* index of the same post, real or
  regularised, from the file or already stored (an estimate is no reference: the next
  real index may well be lower). It may go down only across a meter turnover (the
  file's flag, or a fall that only a turnover of the register makes plausible: the
  register holds at least 10^5 kWh, as for self-readings), and may not rise by
  more than the site can plausibly use over the days in between (an absurd jump,
  refused first; then the falls are checked again without the refused lines).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

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
from consumption.ingestion.parsing import per_distinct
from consumption.ingestion.readings import (
    NATURE_CODES,
    POST_CODES,
    reading_keys,
    stored_readings,
    unchanged_mask,
)
from consumption.ingestion.report import Rejections
from consumption.selfreading import REGISTER_MIN_DIGITS

# What the distributor writes (accents and case ignored) -> nature.
NATURE_WORDS: dict[str, str] = {
    "reel": ReadingNature.REAL.value,
    "real": ReadingNature.REAL.value,
    "estime": ReadingNature.ESTIMATED.value,
    "estimated": ReadingNature.ESTIMATED.value,
    "regularise": ReadingNature.REGULARISED.value,
    "regularised": ReadingNature.REGULARISED.value,
    "corrige": ReadingNature.REGULARISED.value,
}
TURNOVER_WORDS = {
    **dict.fromkeys(["", "0", "non", "n", "false", "faux"], False),
    **dict.fromkeys(["1", "oui", "o", "true", "vrai"], True),
}
# Stored readings older than this before a file's first date are not looked at (a reading every two months).
HISTORY_DAYS = 400
ESTIMATED = NATURE_CODES[ReadingNature.ESTIMATED]


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def periodic_readings_prepare(frame: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """Validated readings: site_id, day, post, nature, index_wh, turnover flag (+ site characteristics)."""
    frame = attach_sites(frame, rejections, fluid="elec")
    frame = check_calendar_and_posts(frame, rejections)
    frame["day"] = parse_days(frame["date"])
    frame = rejections.add(frame, frame["day"].isna(), column="date_releve", reason="Date illisible (AAAA-MM-JJ)")
    today = np.datetime64(timezone.localdate(), "D")
    frame = rejections.add(
        frame,
        frame["day"].to_numpy(dtype="datetime64[D]") > today,
        column="date_releve",
        reason="Date de relève dans le futur",
    )
    natures = per_distinct(frame["nature"], lambda words: words.map(lambda word: NATURE_WORDS.get(_plain(word))))
    frame = rejections.add(
        frame, natures.isna(), column="nature", reason="Nature de relève inconnue (réel, estimé ou régularisé attendu)"
    )
    frame["nature"] = natures[frame.index].astype(str)
    if "turnover" in frame:
        flags = per_distinct(
            frame["turnover"].astype(str), lambda words: words.map(lambda w: TURNOVER_WORDS.get(_plain(w)))
        )
        frame = rejections.add(
            frame, flags.isna(), column="passage_zero", reason="Passage à zéro illisible (0 ou 1, oui ou non attendu)"
        )
        frame["turnover"] = flags[frame.index].astype(bool)
    else:
        frame["turnover"] = False
    frame = check_indexes(frame, rejections)
    frame["day"] = frame["day"].to_numpy(dtype="datetime64[D]")
    # Two lines for the same post and day are the same reading only if they say the same thing.
    frame["said"] = frame["index_wh"].astype(str) + " " + frame["nature"] + " " + frame["turnover"].astype(str)
    frame = drop_duplicates(frame, rejections, key=["site_id", "day", "post"], value="said", column="index_wh")
    return frame.drop(columns="said")


def _checks(
    site_id: np.ndarray,
    post_code: np.ndarray,
    day: np.ndarray,
    index_wh: np.ndarray,
    nature_code: np.ndarray,
    flagged: np.ndarray,
    limit_kwh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(turnover, absurd jump, fall without turnover) of each row, rows sorted by (site, post, day)."""
    count = len(index_wh)
    same = np.zeros(count, bool)
    same[1:] = (site_id[1:] == site_id[:-1]) & (post_code[1:] == post_code[:-1])
    firm = nature_code != ESTIMATED
    days = day.astype("datetime64[D]").astype(np.int64).astype(np.float64)
    index = index_wh.astype(np.float64)
    # The last firm index strictly before each row, within its (site, post): shift by one, then carry forward.
    shifted_index, shifted_day = np.full(count, np.nan), np.full(count, np.nan)
    shifted_index[1:] = np.where(same[1:] & firm[:-1], index[:-1], np.nan)
    shifted_day[1:] = np.where(same[1:] & firm[:-1], days[:-1], np.nan)
    group = np.cumsum(~same)
    previous = pd.Series(shifted_index).groupby(group).ffill().to_numpy()
    previous_day = pd.Series(shifted_day).groupby(group).ffill().to_numpy()
    with np.errstate(invalid="ignore"):
        difference = index - previous
        limit_wh = limit_kwh * 1000 * np.maximum(days - previous_day, 1)
        # The register's capacity: the next power of ten above the last index, at least 10^5 kWh, as for
        # self-readings (consumption.selfreading.register_capacity_wh); months apart, a smaller register would
        # make almost any fall look like a turnover.
        digits_kwh = np.floor(np.log10(np.clip(previous / 1000, 1, None))) + 1
        wrapped = np.power(10.0, np.maximum(digits_kwh, REGISTER_MIN_DIGITS)) * 1000 - previous + index
        falls = difference < 0
        turnover = falls & (flagged | (wrapped <= limit_wh))
        energy = np.where(turnover, wrapped, difference)
        jump = energy > limit_wh
    return turnover, jump, falls & ~turnover


def periodic_readings_load(rows: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """The readings to store (new or changed): site_id, day, post, nature, index_wh, turnover."""
    columns = ["site_id", "day", "post", "nature", "index_wh", "turnover"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    with connection.cursor() as cursor:
        lock_tenant_ingestion(cursor)
    rows = rows.reset_index(drop=True)
    day = rows["day"].to_numpy(dtype="datetime64[D]")
    sites = rows.drop_duplicates("site_id").set_index("site_id")
    limits = plausible_daily_kwh_max(sites["power_kva"], sites["car_kwh"])
    stored = stored_readings(
        source=ReadingSource.PERIODIC,
        site_ids=sites.index.tolist(),
        first=pd.Timestamp(day.min()).date() - dt.timedelta(days=HISTORY_DAYS),
        last=pd.Timestamp(day.max()).date(),
    )
    post_code = codes_of(rows["post"], POST_CODES)
    kept = ~pd.Index(stored.keys).isin(reading_keys(rows["site_id"].to_numpy(np.int64), day, post_code))
    extra = int(kept.sum())
    site_id = np.concatenate([rows["site_id"].to_numpy(np.int64), stored.site_id[kept]])
    union = {
        "site_id": site_id,
        "post_code": np.concatenate([post_code, stored.post_code[kept].astype(np.int64)]),
        "day": np.concatenate([day, stored.day[kept]]),
        "index_wh": np.concatenate([rows["index_wh"].to_numpy(np.int64), stored.index_wh[kept]]),
        "nature_code": np.concatenate([codes_of(rows["nature"], NATURE_CODES), stored.nature_code[kept]]),
        "flagged": np.concatenate([rows["turnover"].to_numpy(bool), stored.turnover[kept]]),
        "limit_kwh": site_lookup(limits, site_id).astype(np.float64),
        "row": np.concatenate([np.arange(len(rows)), np.full(extra, -1)]),  # position in ``rows``; -1: stored
    }
    order = np.lexsort((union["day"], union["post_code"], union["site_id"]))
    union = {name: values[order] for name, values in union.items()}
    arguments = ["site_id", "post_code", "day", "index_wh", "nature_code", "flagged", "limit_kwh"]

    turnover, jump, _falls = _checks(*(union[name] for name in arguments))
    jumps = union["row"][jump & (union["row"] >= 0)]
    rows_jumped = rows.iloc[jumps]
    rejections.add(
        rows_jumped,
        np.ones(len(jumps), bool),
        column="index_wh",
        reason="Saut d'index invraisemblable : relève rejetée",
    )
    union = {name: values[~jump | (union["row"] < 0)] for name, values in union.items()}
    turnover, jump, falls = _checks(*(union[name] for name in arguments))
    refused = (jump | falls) & (union["row"] >= 0)
    rejections.add(
        rows.iloc[union["row"][refused & falls]],
        np.ones(int((refused & falls).sum()), bool),
        column="index_wh",
        reason="Index en baisse sans passage à zéro du compteur : relève rejetée",
    )
    rejections.add(
        rows.iloc[union["row"][refused & jump & ~falls]],
        np.ones(int((refused & jump & ~falls).sum()), bool),
        column="index_wh",
        reason="Saut d'index invraisemblable : relève rejetée",
    )
    accepted = (union["row"] >= 0) & ~refused
    readings = rows.iloc[union["row"][accepted]][["site_id", "day", "post", "nature", "index_wh"]].assign(
        turnover=turnover[accepted]
    )
    return readings[~unchanged_mask(readings, stored)][columns]
