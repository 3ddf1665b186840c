"""Helpers shared by the file kinds: the park lookup, numbers, duplicates, plausibility."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from consumption.ingestion.report import Rejections
from perimeter.models import Site


def to_number(values: pd.Series) -> pd.Series:
    """Numbers written with a dot or a French decimal comma; NaN when unreadable."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    return pd.to_numeric(values.str.replace(",", ".", regex=False).str.replace(" ", "", regex=False), errors="coerce")


def attach_sites(frame: pd.DataFrame, rejections: Rejections, *, fluid: str) -> pd.DataFrame:
    """Add the site's id and characteristics; unknown delivery points and the wrong fluid are rejected."""
    points = frame["point"].unique().tolist()
    sites = pd.DataFrame(
        list(
            Site.objects.filter(delivery_point__in=points).values_list(
                "delivery_point", "id", "fluid", "tariff_option", "subscribed_power_kva", "car_kwh"
            )
        ),
        columns=["point", "site_id", "fluid", "tariff_option", "power_kva", "car_kwh"],
    )
    frame = frame.merge(sites, on="point", how="left")
    frame = rejections.add(
        frame, frame["site_id"].isna(), column="point", reason="Point de livraison inconnu dans le parc du syndicat"
    )
    label = "électricité" if fluid == "elec" else "gaz"
    frame = rejections.add(
        frame, frame["fluid"] != fluid, column="point", reason=f"Ce point de livraison n'est pas un site {label}"
    )
    frame["site_id"] = frame["site_id"].astype("int64")
    frame["power_kva"] = pd.to_numeric(frame["power_kva"], errors="coerce").astype("float64")
    frame["car_kwh"] = pd.to_numeric(frame["car_kwh"], errors="coerce").astype("float64")
    return frame


def plausible_daily_kwh_max(power_kva: pd.Series, car_kwh: pd.Series) -> pd.Series:
    """Most energy a site can plausibly use in a day, from its subscribed power and its CAR.

    Full subscribed power all day long (1 kVA ≈ 1 kW) with a 20 % margin, or fifteen
    times the CAR's daily average; the larger of the two; 1 GWh when nothing is known.
    """
    by_power = power_kva * 24 * 1.2
    by_car = car_kwh / 365 * 15
    return pd.concat([by_power, by_car], axis=1).max(axis=1).fillna(1e6)


def drop_duplicates(
    frame: pd.DataFrame, rejections: Rejections, *, key: Sequence[str], value: str, column: str
) -> pd.DataFrame:
    """Identical repeats keep the first line; conflicting values for the same key reject every line."""
    frame = frame.sort_values("line", kind="stable")
    if not frame.duplicated(list(key), keep=False).any():
        return frame
    groups = frame.groupby(list(key), sort=False)[value]
    conflicting = groups.transform("nunique").to_numpy() > 1
    frame = rejections.add(
        frame, conflicting, column=column, reason="Valeurs contradictoires pour le même point et le même instant"
    )
    repeated = frame.duplicated(list(key), keep="first").to_numpy()
    return rejections.add(frame, repeated, column=column, reason="Doublon d'une ligne précédente (ignoré)")


def first_last(values: np.ndarray) -> tuple[object, object]:
    return values.min(), values.max()
