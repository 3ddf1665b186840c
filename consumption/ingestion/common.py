"""Helpers shared by the file kinds: the park lookup, numbers, duplicates, plausibility."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from consumption.choices import CALENDAR_OPTIONS
from consumption.ingestion.parsing import factorize, factorize_stripped, per_distinct
from consumption.ingestion.report import Rejections
from perimeter.choices import POSTS_BY_OPTION
from perimeter.models import Site


def to_number(values: pd.Series) -> pd.Series:
    """Numbers written with a dot or a French decimal comma; NaN when unreadable."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    return per_distinct(
        values,
        lambda texts: pd.to_numeric(
            texts.str.replace(",", ".", regex=False).str.replace(" ", "", regex=False), errors="coerce"
        ),
    ).astype("float64")


SITE_COLUMNS = ["site_id", "fluid", "tariff_option", "power_kva", "car_kwh"]


def attach_sites(frame: pd.DataFrame, rejections: Rejections, *, fluid: str) -> pd.DataFrame:
    """Add the site's id and characteristics; unknown delivery points and the wrong fluid are rejected."""
    codes, points = factorize_stripped(frame["point"])
    sites = (
        pd.DataFrame(
            list(
                Site.objects.filter(delivery_point__in=[str(point) for point in points]).values_list(
                    "delivery_point", "id", "fluid", "tariff_option", "subscribed_power_kva", "car_kwh"
                )
            ),
            columns=["point", *SITE_COLUMNS],
        )
        .set_index("point")
        .reindex(pd.Index(points, dtype=object).astype(str))
    )
    for column in ("power_kva", "car_kwh"):  # Decimals: converted once per site, not once per row
        sites[column] = pd.to_numeric(sites[column], errors="coerce").astype("float64")
    frame = frame.assign(**{column: sites[column].to_numpy()[codes] for column in SITE_COLUMNS})
    frame = rejections.add(
        frame, frame["site_id"].isna(), column="point", reason="Point de livraison inconnu dans le parc du syndicat"
    )
    label = "électricité" if fluid == "elec" else "gaz"
    frame = rejections.add(
        frame, frame["fluid"] != fluid, column="point", reason=f"Ce point de livraison n'est pas un site {label}"
    )
    frame["site_id"] = frame["site_id"].astype("int64")
    return frame


def site_lookup(per_site: pd.Series, site_ids: np.ndarray) -> np.ndarray:
    """The value of ``per_site`` (indexed by site id) for each of ``site_ids`` (all present in its index)."""
    order = np.argsort(per_site.index.to_numpy(np.int64))
    known = per_site.index.to_numpy(np.int64)[order]
    return per_site.to_numpy()[order][np.searchsorted(known, site_ids)]


def check_calendar_and_posts(frame: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """Index files: the optional distributor calendar, and the post, must match the site's tariff option."""
    if "calendar" in frame:
        calendar = frame["calendar"].fillna("")
        unknown = (calendar != "") & ~calendar.isin(list(CALENDAR_OPTIONS))
        frame = rejections.add(frame, unknown, column="calendrier", reason="Calendrier distributeur inconnu")
        expected = frame["calendar"].map(CALENDAR_OPTIONS)
        mismatch = expected.notna() & (expected != frame["tariff_option"])
        frame = rejections.add(
            frame, mismatch, column="calendrier", reason="Le calendrier ne correspond pas à l'option tarifaire du site"
        )
    frame["post"] = per_distinct(frame["post"], lambda posts: posts.str.upper().replace({"HPB": "HPE", "HCB": "HCE"}))
    return rejections.add(
        frame, ~allowed_posts_mask(frame), column="poste", reason="Poste inconnu pour l'option tarifaire du site"
    )


def check_indexes(frame: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """Index files: ``index_wh`` must be a whole, positive number of Wh; made an int64 column."""
    index = to_number(frame["index_wh"])
    frame = rejections.add(
        frame,
        index.isna() | (index < 0) | (index % 1 != 0),
        column="index_wh",
        reason="Index illisible (entier positif en Wh attendu)",
    )
    frame["index_wh"] = to_number(frame["index_wh"]).astype("int64")
    return frame


def allowed_posts_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose ``post`` is one of the posts of the site's ``tariff_option``."""
    option_codes, options = factorize(frame["tariff_option"])
    post_codes, posts = factorize(frame["post"])
    allowed = np.array(
        [[post in POSTS_BY_OPTION.get(option, ()) for post in posts] for option in options], bool
    ).reshape(len(options), len(posts))
    return allowed[option_codes, post_codes]


def codes_of(values: pd.Series, codes: dict[str, int]) -> np.ndarray:
    """``codes[value]`` for each value (-1 when absent), looked up once per distinct value."""
    positions, distinct = factorize(values)
    return np.array([codes.get(value, -1) for value in distinct], np.int64)[positions]


def parse_days(texts: pd.Series) -> pd.Series:
    """Local days written ``AAAA-MM-JJ`` (anything after the tenth character ignored); NaT when unreadable."""
    return per_distinct(texts, lambda distinct: pd.to_datetime(distinct.str[:10], format="%Y-%m-%d", errors="coerce"))


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
    if not frame["line"].is_monotonic_increasing:  # usually already in file order: no copy
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
