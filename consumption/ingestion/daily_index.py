"""Daily indexes per post (cumulative, Wh; "date J" = index at the end of day J) → readings and daily energy.

The energy of day J is the sum over the site's posts of index(J) − index(J−1). The
previous day's index may come from the same file or from the readings already stored,
and a late file filling day J also completes day J+1 already stored: the differences
are computed over the union, so the result does not depend on the order files arrive.

Bad values (DOMAIN.md "Data quality"):
- a meter turnover (index back to zero after its maximum, 10^digits) is a normal
  difference, flagged on the reading;
- an isolated spike or dip (absurd or negative difference with both neighbours) is a
  wrong index: the line is rejected;
- any other absurd or negative difference excludes that day's energy (reported) while
  the index is kept as the base of the next day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.db import connection

from consumption.choices import CALENDAR_OPTIONS, ReadingNature, ReadingSource
from consumption.copy import lock_tenant_ingestion, upsert_from_staging
from consumption.ingestion.common import attach_sites, drop_duplicates, plausible_daily_kwh_max, to_number
from consumption.ingestion.report import Rejections
from consumption.partitions import partitions_ensure_range
from perimeter.choices import POSTS_BY_OPTION

ONE_DAY = np.timedelta64(1, "D")


def daily_index_prepare(frame: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """Validated index rows: site_id, day, post, index_wh (+ site characteristics)."""
    frame = attach_sites(frame, rejections, fluid="elec")
    if "calendar" in frame:
        calendar = frame["calendar"].fillna("")
        unknown = (calendar != "") & ~calendar.isin(list(CALENDAR_OPTIONS))
        frame = rejections.add(frame, unknown, column="calendrier", reason="Calendrier distributeur inconnu")
        expected = frame["calendar"].map(CALENDAR_OPTIONS)
        mismatch = expected.notna() & (expected != frame["tariff_option"])
        frame = rejections.add(
            frame, mismatch, column="calendrier", reason="Le calendrier ne correspond pas à l'option tarifaire du site"
        )
    frame["post"] = frame["post"].str.upper().replace({"HPB": "HPE", "HCB": "HCE"})
    allowed = frame["tariff_option"].map({str(option): set(posts) for option, posts in POSTS_BY_OPTION.items()})
    unknown_post = np.array([post not in posts for post, posts in zip(frame["post"], allowed, strict=True)], bool)
    frame = rejections.add(frame, unknown_post, column="poste", reason="Poste inconnu pour l'option tarifaire du site")
    frame["day"] = pd.to_datetime(frame["date"].str[:10], format="%Y-%m-%d", errors="coerce")
    frame = rejections.add(frame, frame["day"].isna(), column="date", reason="Date illisible (AAAA-MM-JJ)")
    index = to_number(frame["index_wh"])
    frame = rejections.add(
        frame,
        index.isna() | (index < 0) | (index % 1 != 0),
        column="index_wh",
        reason="Index illisible (entier positif en Wh attendu)",
    )
    frame["index_wh"] = to_number(frame["index_wh"]).astype("int64")
    frame["day"] = frame["day"].to_numpy(dtype="datetime64[D]")
    return drop_duplicates(frame, rejections, key=["site_id", "day", "post"], value="index_wh", column="index_wh")


def _stored_indexes(site_ids: list[int], first: dt.date, last: dt.date) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT site_id, read_on, post, index_wh FROM consumption_reading "
            "WHERE source = %s AND site_id = ANY(%s) AND read_on BETWEEN %s AND %s",
            [ReadingSource.DAILY_FLOW, site_ids, first, last],
        )
        rows = cursor.fetchall()
    stored = pd.DataFrame(rows, columns=["site_id", "day", "post", "index_wh"])
    stored["day"] = pd.to_datetime(stored["day"]).to_numpy(dtype="datetime64[D]")
    stored["site_id"] = stored["site_id"].astype("int64")
    stored["index_wh"] = stored["index_wh"].astype("int64")
    return stored


def _differences(frame: pd.DataFrame) -> pd.DataFrame:
    """Difference with the previous index of the same post, turnover-aware; sorted frame."""
    frame = frame.sort_values(["site_id", "post", "day"], kind="stable").reset_index(drop=True)
    same = frame[["site_id", "post"]].ne(frame[["site_id", "post"]].shift()).any(axis=1).cumsum()
    previous = frame.groupby(same)["index_wh"].shift()
    previous_day = frame.groupby(same)["day"].shift()
    difference = frame["index_wh"] - previous
    digits = np.floor(np.log10(previous.clip(lower=1))) + 1
    modulus = np.power(10.0, np.maximum(digits, 6))
    gap = ((frame["day"] - previous_day) / np.timedelta64(1, "D")).fillna(0)
    limit_wh = frame["limit_kwh"] * 1000 * gap.clip(lower=1)
    wrapped = modulus - previous + frame["index_wh"]
    frame["turnover"] = ((difference < 0) & (wrapped <= limit_wh)).fillna(False).astype(bool)
    frame["difference"] = np.where(frame["turnover"], wrapped, difference)
    frame["gap"] = gap
    frame["bad"] = frame["difference"].notna() & ((frame["difference"] < 0) | (frame["difference"] > limit_wh))
    frame["group"] = same
    return frame


def daily_index_load(rows: pd.DataFrame, rejections: Rejections) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(readings to store, daily energy to store) from validated rows and the stored neighbours."""
    columns = ["site_id", "day", "post", "index_wh"]
    if rows.empty:
        return pd.DataFrame(columns=[*columns, "turnover"]), pd.DataFrame(columns=["site_id", "day", "kwh"])
    with connection.cursor() as cursor:
        lock_tenant_ingestion(cursor)
    first = pd.Timestamp(rows["day"].min()).date() - dt.timedelta(days=1)
    last = pd.Timestamp(rows["day"].max()).date() + dt.timedelta(days=1)
    site_ids = rows["site_id"].unique().tolist()
    stored = _stored_indexes(site_ids, first, last)
    file_rows = rows[[*columns, "line"]].assign(from_file=True)
    stored = stored.merge(file_rows[["site_id", "day", "post"]], how="left", indicator=True)
    stored = stored[stored["_merge"] == "left_only"].drop(columns="_merge").assign(from_file=False, line=0)
    both = pd.concat([file_rows, stored], ignore_index=True)
    sites = rows.drop_duplicates("site_id").set_index("site_id")
    both["limit_kwh"] = both["site_id"].map(plausible_daily_kwh_max(sites["power_kva"], sites["car_kwh"]))

    both = _differences(both)
    # A spike or a dip: wrong both with the previous and with the next index.
    bad_next = both.groupby("group")["bad"].shift(-1).fillna(False).astype(bool)
    has_next = both.groupby("group")["day"].shift(-1).notna()
    isolated = (both["from_file"] & both["bad"] & bad_next & has_next).to_numpy()
    kept = rejections.add(both, isolated, column="index_wh", reason="Index aberrant (pic ou creux isolé) : rejeté")
    both = _differences(kept.drop(columns=["turnover", "difference", "gap", "bad", "group"]))

    previous_from_file = both.groupby("group")["from_file"].shift().fillna(False).astype(bool)
    touched = both["from_file"] | previous_from_file
    excluded = touched & both["bad"] & (both["gap"] == 1)
    for reason, mask in (
        ("Saut d'index invraisemblable : énergie du jour exclue", excluded & (both["difference"] > 0)),
        (
            "Index en baisse sans passage à zéro du compteur : énergie du jour exclue",
            excluded & (both["difference"] < 0),
        ),
    ):
        for line in both.loc[mask & both["from_file"], "line"]:
            rejections.add_one(line=int(line), column="index_wh", value="", reason=reason)

    readings = both[both["from_file"]][[*columns, "turnover"]]
    usable = touched & (both["gap"] == 1) & ~both["bad"]
    per_post = both[usable]
    energy = per_post.groupby(["site_id", "day"], as_index=False).agg(wh=("difference", "sum"), posts=("post", "size"))
    options = rows.drop_duplicates("site_id").set_index("site_id")["tariff_option"]
    post_count = energy["site_id"].map(options).map({str(o): len(p) for o, p in POSTS_BY_OPTION.items()})
    complete = energy["posts"] == post_count
    computed = set(zip(energy.loc[complete, "site_id"], energy.loc[complete, "day"], strict=True))
    file_days = set(zip(rows["site_id"], rows["day"], strict=True))
    missing_days = len(file_days - computed)
    if missing_days > 0:
        rejections.messages.append(
            f"{missing_days} jour(s) sans énergie calculée : index de la veille absent, exclu ou poste manquant."
        )
    energy = energy[complete].assign(kwh=lambda e: e["wh"] / 1000.0)[["site_id", "day", "kwh"]]
    return readings, energy


def readings_store(readings: pd.DataFrame) -> tuple[int, int]:
    """Upsert the daily-flow readings (text COPY: they carry short strings)."""
    if readings.empty:
        return 0, 0
    days = readings["day"].to_numpy(dtype="datetime64[D]")
    partitions_ensure_range(pd.Timestamp(days.min()).date(), pd.Timestamp(days.max()).date())
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE staging_reading (LIKE consumption_reading INCLUDING DEFAULTS) ON COMMIT DROP")
        with cursor.copy(
            "COPY staging_reading (site_id, read_on, source, post, nature, index_wh, meter_turnover) FROM STDIN"
        ) as copy:
            for site_id, day, post, index_wh, turnover in zip(
                readings["site_id"].tolist(),
                pd.to_datetime(days).date,
                readings["post"].tolist(),
                readings["index_wh"].tolist(),
                readings["turnover"].tolist(),
                strict=True,
            ):
                copy.write_row(
                    (
                        site_id,
                        day,
                        ReadingSource.DAILY_FLOW.value,
                        post,
                        ReadingNature.REAL.value,
                        index_wh,
                        bool(turnover),
                    )
                )
        inserted, updated = upsert_from_staging(
            cursor,
            staging="staging_reading",
            table="consumption_reading",
            names=["site_id", "read_on", "source", "post", "nature", "index_wh", "meter_turnover"],
            key=["site_id", "read_on", "source", "post"],
        )
        cursor.execute("DROP TABLE staging_reading")
    return inserted, updated
