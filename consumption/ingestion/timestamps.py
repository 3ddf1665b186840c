"""Interval-end timestamps to UTC instants, DST-correct.

Two shapes arrive: ISO 8601 with an offset (``2025-10-26T02:30:00+02:00``, or ``Z``),
which is exact; and naive local times (``2025-10-26 02:30``), where the October
repeated hour is ambiguous. A naive label is resolved by its order of appearance for
the same site (the file order, whatever the sorting of the rest of the file): the
first occurrence is summer time (CEST, +02:00), the second winter time (CET, +01:00);
a third one is a duplicate. A naive label inside the March gap (02:00 ≤ t < 03:00)
does not exist and is rejected.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PARIS = "Europe/Paris"
_PATTERN = r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"


def resolve_interval_ends(raw: pd.Series, sites: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(UTC instants as naive datetime64[us], offset in minutes, French error or "") for each row.

    ``raw`` and ``sites`` share the frame's index, in file order.
    """
    parts = raw.str.extract(_PATTERN)
    error = pd.Series("", index=raw.index, dtype=object)
    unreadable = parts[0].isna()
    error[unreadable] = "Horodate illisible (attendu AAAA-MM-JJTHH:MM:SS+HH:MM ou heure locale)"
    local_text = parts[0] + " " + parts[1] + parts[2].fillna(":00")
    local = pd.to_datetime(local_text, format="%Y-%m-%d %H:%M:%S", errors="coerce").astype("datetime64[us]")
    error[~unreadable & local.isna()] = "Horodate invalide"
    utc = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    offset = pd.Series(0, index=raw.index, dtype="int64")

    offset_text = parts[3]
    aware = local.notna() & offset_text.notna()
    if aware.any():
        text = offset_text[aware].str.replace(":", "", regex=False)
        is_z = text == "Z"
        hours = pd.to_numeric(text.str[1:3].where(~is_z, "0"))
        minutes = pd.to_numeric(text.str[3:5].where(~is_z, "0"))
        sign = np.where(text.str[0] == "-", -1, 1)
        offset_minutes = (sign * (hours * 60 + minutes)).astype("int64")
        offset[aware] = offset_minutes
        utc[aware] = local[aware] - pd.to_timedelta(offset_minutes, unit="min")

    naive = local.notna() & offset_text.isna()
    if naive.any():
        labels = local[naive]
        # Order of appearance of each (site, label): 0 = first (summer time), 1 = second (winter time).
        occurrence = labels.groupby([sites[naive], labels]).cumcount()
        localized = labels.dt.tz_localize(PARIS, ambiguous=(occurrence == 0).to_numpy(), nonexistent="NaT")
        missing = localized.isna()
        error[missing[missing].index] = "Heure locale inexistante (passage à l'heure d'été)"
        good = localized[~missing]
        as_utc = good.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        utc[good.index] = as_utc
        offset[good.index] = ((labels[good.index] - as_utc) / pd.Timedelta(minutes=1)).astype("int64")
    return utc, offset, error
