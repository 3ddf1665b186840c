"""Writing daily energy (kWh per site and local day) and refreshing the rollups it feeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from consumption.copy import copy_upsert
from consumption.partitions import partitions_ensure_range
from consumption.rollups import rollups_refresh


def daily_energy_load(energy: pd.DataFrame) -> tuple[int, int]:
    """Upsert (site_id, day, kwh) rows, then recompute the touched site-months' rollups."""
    if energy.empty:
        return 0, 0
    days = energy["day"].to_numpy(dtype="datetime64[D]")
    first, last = pd.Timestamp(days.min()).date(), pd.Timestamp(days.max()).date()
    site_ids = energy["site_id"].unique().tolist()
    partitions_ensure_range(first, last)
    counts = copy_upsert(
        table="consumption_dailyenergy",
        columns=[
            ("site_id", "int8", energy["site_id"].to_numpy(np.int64)),
            ("day", "date", days),
            ("kwh", "float8", energy["kwh"].to_numpy(np.float64)),
        ],
        key=["site_id", "day"],
        range_column="day",
        range_bounds=(first, last),
        site_ids=site_ids,
    )
    if any(counts):
        rollups_refresh(first_day=first, last_day=last, site_ids=site_ids)
    return counts
