"""Gas daily energy: gross volume (m³) × conversion coefficient (kWh/m³), per gas day (06:00 → 06:00)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from consumption.ingestion.common import attach_sites, drop_duplicates, plausible_daily_kwh_max, to_number
from consumption.ingestion.report import Rejections

# The coefficient is the higher heating value times a pressure/temperature correction:
# about 10–12 kWh/m³ on the French network; outside 8–14 it is a wrong column or unit.
COEFFICIENT_RANGE = (8.0, 14.0)


def gas_daily_prepare(frame: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """Validated daily energy: site_id, day (the gas day), kwh."""
    frame = attach_sites(frame, rejections, fluid="gas")
    frame["day"] = pd.to_datetime(frame["gas_day"], format="%Y-%m-%d", errors="coerce")
    frame = rejections.add(frame, frame["day"].isna(), column="jour_gazier", reason="Date illisible (AAAA-MM-JJ)")
    volume, coefficient = to_number(frame["volume_m3"]), to_number(frame["coef"])
    frame = rejections.add(
        frame, volume.isna() | (volume < 0), column="volume_m3", reason="Volume illisible ou négatif"
    )
    coefficient = to_number(frame["coef"])
    low, high = COEFFICIENT_RANGE
    frame = rejections.add(
        frame,
        coefficient.isna() | (coefficient < low) | (coefficient > high),
        column="coefficient",
        reason=f"Coefficient de conversion invraisemblable (attendu entre {low:g} et {high:g} kWh/m³)",
    )
    frame["kwh"] = to_number(frame["volume_m3"]) * to_number(frame["coef"])
    limit = plausible_daily_kwh_max(frame["power_kva"], frame["car_kwh"])
    frame = rejections.add(
        frame, (frame["kwh"] > limit).to_numpy(), column="volume_m3", reason="Énergie du jour invraisemblable"
    )
    frame["day"] = frame["day"].to_numpy(dtype="datetime64[D]")
    frame = drop_duplicates(frame, rejections, key=["site_id", "day"], value="kwh", column="jour_gazier")
    frame["kwh"] = frame["kwh"].astype(np.float64)
    return frame
