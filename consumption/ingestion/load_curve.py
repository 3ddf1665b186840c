"""Load curves: average power (W) per 10- or 30-minute interval, stamped at the interval's end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from consumption.choices import LOAD_CURVE_STEPS
from consumption.copy import copy_upsert
from consumption.ingestion.common import attach_sites, drop_duplicates, to_number
from consumption.ingestion.report import Rejections
from consumption.ingestion.timestamps import resolve_interval_ends
from consumption.partitions import partitions_ensure_range


def load_curve_prepare(frame: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """Validated points: site_id, ends_at (UTC, naive datetime64), power_w, step_minutes, utc_offset_minutes."""
    frame = attach_sites(frame, rejections, fluid="elec")
    frame["step"] = step = to_number(frame["step"])
    frame = rejections.add(
        frame,
        ~step.isin(LOAD_CURVE_STEPS),
        column="pas_minutes",
        reason="Pas de mesure non pris en charge (10 ou 30 minutes attendus)",
    )
    frame["step_minutes"] = frame["step"].astype("int64")
    frame["power"] = to_number(frame["power_w"])
    frame = rejections.add(frame, frame["power"].isna(), column="puissance_w", reason="Puissance illisible")
    frame = rejections.add(frame, frame["power"] < 0, column="puissance_w", reason="Puissance négative")
    power = frame["power"]
    # Twice the subscribed power is beyond what the meter's breaker lets through.
    too_high = (frame["power_kva"].notna() & (power > frame["power_kva"] * 1000 * 2)).to_numpy()
    frame = rejections.add(frame, too_high, column="puissance_w", reason="Puissance invraisemblable (saut absurde)")
    frame["power_w"] = frame["power"].round().astype("int64")

    utc, offset, error = resolve_interval_ends(frame["timestamp"], frame["site_id"])
    frame["ends_at"], frame["utc_offset_minutes"] = utc, offset
    for reason in error[error != ""].unique():
        frame = rejections.add(frame, (error[frame.index] == reason).to_numpy(), column="horodate", reason=reason)
    minutes = frame["ends_at"].astype("int64") // 60_000_000
    frame = rejections.add(
        frame,
        (minutes % frame["step_minutes"] != 0).to_numpy(),
        column="horodate",
        reason="Horodate non alignée sur le pas de mesure",
    )
    return drop_duplicates(frame, rejections, key=["site_id", "ends_at"], value="power_w", column="horodate")


def load_curve_load(points: pd.DataFrame) -> tuple[int, int]:
    if points.empty:
        return 0, 0
    ends = points["ends_at"].to_numpy(dtype="datetime64[us]")
    first, last = ends.min(), ends.max()
    partitions_ensure_range(pd.Timestamp(first).date(), pd.Timestamp(last).date())
    return copy_upsert(
        table="consumption_loadcurvepoint",
        columns=[
            ("site_id", "int8", points["site_id"].to_numpy(np.int64)),
            ("ends_at", "timestamptz", ends),
            ("power_w", "int4", points["power_w"].to_numpy(np.int64)),
            ("step_minutes", "int2", points["step_minutes"].to_numpy(np.int64)),
            ("utc_offset_minutes", "int2", points["utc_offset_minutes"].to_numpy(np.int64)),
        ],
        key=["site_id", "ends_at"],
        range_column="ends_at",
        range_bounds=(pd.Timestamp(first).tz_localize("UTC"), pd.Timestamp(last).tz_localize("UTC")),
        site_ids=points["site_id"].unique().tolist(),
    )
