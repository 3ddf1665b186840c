"""Interval-end timestamps to UTC instants, DST-correct.

Two shapes arrive: ISO 8601 with an offset (``2025-10-26T02:30:00+02:00``, or ``Z``),
which is exact; and naive local times (``2025-10-26 02:30``), where the October
repeated hour is ambiguous. A naive label is resolved by its order of appearance for
the same site (the file order, whatever the sorting of the rest of the file): the
first occurrence is summer time (CEST, +02:00), the second winter time (CET, +01:00);
a third one is a duplicate. A naive label inside the March gap (02:00 ≤ t < 03:00)
does not exist and is rejected.

Speed: a curve file repeats the same few thousand timestamps for every site, so each
distinct string is parsed once (``pd.factorize``) and the result spread back by code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from consumption.ingestion.parsing import factorize_stripped

PARIS = "Europe/Paris"
_PATTERN = r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
UNREADABLE = "Horodate illisible (attendu AAAA-MM-JJTHH:MM:SS+HH:MM ou heure locale)"
INVALID = "Horodate invalide"
NONEXISTENT = "Heure locale inexistante (passage à l'heure d'été)"


def _parse_distinct(texts: pd.Series) -> pd.DataFrame:
    """For each distinct string: UTC instant(s), offset, error; naive labels get both DST readings."""
    parts = texts.str.strip().str.extract(_PATTERN)
    out = pd.DataFrame(index=texts.index)
    out["error"] = np.where(parts[0].isna(), UNREADABLE, "")
    local = pd.to_datetime(
        parts[0] + " " + parts[1] + parts[2].fillna(":00"), format="%Y-%m-%d %H:%M:%S", errors="coerce"
    ).astype("datetime64[us]")
    out.loc[parts[0].notna() & local.isna(), "error"] = INVALID
    text = parts[3].fillna("").str.replace(":", "", regex=False)
    aware = local.notna() & (text != "")
    is_z = text == "Z"
    hours = pd.to_numeric(text.str[1:3].where(~is_z, "0"), errors="coerce").fillna(0)
    minutes = pd.to_numeric(text.str[3:5].where(~is_z, "0"), errors="coerce").fillna(0)
    sign = np.where(text.str[:1] == "-", -1, 1)
    offset = (sign * (hours * 60 + minutes)).astype("int64")
    out["aware"] = aware
    out["utc"] = (local - pd.to_timedelta(offset, unit="min")).where(aware)
    out["offset"] = offset.where(aware, 0)
    naive = local.notna() & ~aware
    out["naive"] = naive
    out["ambiguous"] = False
    out["utc_winter"] = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    if naive.any():
        labels = local[naive]
        summer = labels.dt.tz_localize(PARIS, ambiguous=True, nonexistent="NaT")
        winter = labels.dt.tz_localize(PARIS, ambiguous=False, nonexistent="NaT")
        out.loc[summer[summer.isna()].index, "error"] = NONEXISTENT
        good = summer.notna()
        to_utc = lambda s: s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")  # noqa: E731
        out.loc[good[good].index, "utc"] = to_utc(summer[good])
        out.loc[good[good].index, "utc_winter"] = to_utc(winter[good])
        out.loc[good[good].index, "ambiguous"] = (summer[good] != winter[good]).to_numpy()
        out.loc[good[good].index, "offset"] = ((labels[good] - to_utc(summer[good])) / pd.Timedelta(minutes=1)).astype(
            "int64"
        )
    out["utc"] = out["utc"].astype("datetime64[us]")
    out["utc_winter"] = out["utc_winter"].astype("datetime64[us]")
    return out


def resolve_interval_ends(raw: pd.Series, sites: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(UTC instants as naive datetime64[us], offset in minutes, French error or "") for each row.

    ``raw`` and ``sites`` share the frame's index, in file order.
    """
    codes, distinct = factorize_stripped(raw)
    parsed = _parse_distinct(pd.Series(distinct, dtype=object).astype(str))
    utc = pd.Series(parsed["utc"].to_numpy()[codes], index=raw.index)
    offset = pd.Series(parsed["offset"].to_numpy(np.int64)[codes], index=raw.index)
    error = pd.Series(parsed["error"].to_numpy(object)[codes], index=raw.index)
    ambiguous = parsed["ambiguous"].to_numpy(bool)[codes]
    if ambiguous.any():
        # Order of appearance of each (site, label) among the repeated hour: 0 = summer time, then winter time.
        rows = np.flatnonzero(ambiguous)
        occurrence = pd.Series(codes[rows]).groupby([sites.to_numpy()[rows], codes[rows]]).cumcount().to_numpy()
        second = rows[occurrence >= 1]
        utc.iloc[second] = parsed["utc_winter"].to_numpy()[codes[second]]
        offset.iloc[second] = offset.iloc[second] - 60
    return utc.astype("datetime64[us]"), offset, error
