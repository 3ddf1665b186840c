"""Figures of the consumption pages, built in Python, drawn by ``static/consumption/charts.js``.

Monthly and daily charts are plotly figures serialised to JSON (the page embeds them
in a ``<script type="application/json">`` block: the CSP forbids inline scripts). The
load curve is too long for a figure with a JSON number per point: it travels as a
compact series (first instant, then the minutes between points, which are nearly all
equal and compress to almost nothing; powers as integers) and the script builds the
plotly trace. Times are naive local days or epoch values, never tz-aware (plotly is
200× slower on those, see docs/architecture.md). The load curve is drawn at its real
instants (UTC epoch milliseconds), so the two 02:00 of the October change are two
distinct points; the script labels the axis and the hover in Paris time, from the
offsets the series carries (``tz``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import plotly.graph_objects as go
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consumption.partitions import add_months
from consumption.selectors import PARIS, DailyValue, LoadCurve, MonthlyValue

CURRENT_COLOUR = "#1d4f91"
PREVIOUS_COLOUR = "#9aa5b8"
NEGATIVE_COLOUR = "#b35806"
CUMULATED_COLOUR = "#2a7d4f"
FONT = {"family": "system-ui, sans-serif", "size": 13}


def _layout(**extra: Any) -> go.Layout:
    settings: dict[str, Any] = {
        "template": "none",  # the default template adds ~10 KB of styling we do not use
        "height": 360,
        "margin": {"l": 60, "r": 10, "t": 10, "b": 50},
        "legend": {"orientation": "h", "y": 1.12},
        "font": FONT,
        "separators": ", ",
    }
    return go.Layout(**(settings | extra))


def _json(figure: go.Figure) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(figure.to_json())
    return data


@dataclass(frozen=True)
class MonthRow:
    """One line of the monthly table (and one bar of the chart)."""

    month: dt.date
    label: str
    kwh: float | None
    cumulated: float
    previous_kwh: float | None

    @property
    def is_regularisation(self) -> bool:
        return self.kwh is not None and self.kwh < 0


def month_label(month: dt.date) -> str:
    return date_format(month, "F Y")


def month_rows(
    values: Sequence[MonthlyValue], first: dt.date, last: dt.date, previous: Sequence[MonthlyValue] = ()
) -> list[MonthRow]:
    """Every month of the period (months without data included), with the running total."""
    by_month = dict(values)
    previous_by_month = dict(previous)
    rows: list[MonthRow] = []
    total = 0.0
    month = first
    while month <= last:
        kwh = by_month.get(month)
        total += kwh or 0.0
        rows.append(
            MonthRow(
                month=month,
                label=month_label(month),
                kwh=kwh,
                cumulated=total,
                previous_kwh=previous_by_month.get(add_months(month, -12)),
            )
        )
        month = add_months(month, 1)
    return rows


def monthly_figure(rows: Sequence[MonthRow], *, compare: bool) -> dict[str, Any]:
    """Bars per month (last year's beside them when ``compare``), the running total as a line on a right axis.

    The consumption home and the curves page draw it; the table under each is its
    accessible alternative (same rows).
    """
    labels = [row.label for row in rows]
    traces = []
    if compare:
        traces.append(
            go.Bar(
                name=_("Année précédente"),
                x=labels,
                y=[row.previous_kwh for row in rows],
                marker_color=PREVIOUS_COLOUR,
                hovertemplate="%{x} : %{y:,.0f} kWh<extra>" + _("Année précédente") + "</extra>",
            )
        )
    traces.append(
        go.Bar(
            name=_("Consommation"),
            x=labels,
            y=[row.kwh for row in rows],
            marker_color=[NEGATIVE_COLOUR if row.is_regularisation else CURRENT_COLOUR for row in rows],
            hovertemplate="%{x} : %{y:,.0f} kWh<extra></extra>",
        )
    )
    traces.append(
        go.Scatter(
            name=_("Total cumulé"),
            x=labels,
            y=[row.cumulated for row in rows],
            yaxis="y2",
            mode="lines+markers",
            line={"color": CUMULATED_COLOUR, "width": 2},
            hovertemplate="%{x} : %{y:,.0f} kWh<extra>" + _("Total cumulé") + "</extra>",
        )
    )
    figure = go.Figure(
        data=traces,
        layout=_layout(
            barmode="group",
            margin={"l": 60, "r": 70, "t": 10, "b": 50},
            yaxis={"title": {"text": _("kWh par mois")}, "zeroline": True},
            yaxis2={
                "title": {"text": _("kWh cumulés")},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
            },
            xaxis={"type": "category"},
        ),
    )
    return _json(figure)


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    kwh: float | None
    previous_kwh: float | None


def same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def day_rows(
    values: Sequence[DailyValue], first: dt.date, last: dt.date, previous: Sequence[DailyValue] = ()
) -> list[DayRow]:
    by_day = dict(values)
    previous_by_day = dict(previous)
    days = (last - first).days + 1
    return [
        DayRow(day=day, kwh=by_day.get(day), previous_kwh=previous_by_day.get(same_day_last_year(day)))
        for day in (first + dt.timedelta(days=n) for n in range(days))
    ]


def daily_figure(rows: Sequence[DayRow], *, compare: bool) -> dict[str, Any]:
    x = [row.day.isoformat() for row in rows]  # naive local days
    traces = []
    if compare:
        traces.append(
            go.Scatter(
                name=_("Année précédente"),
                x=x,
                y=[row.previous_kwh for row in rows],
                mode="lines",
                line={"color": PREVIOUS_COLOUR, "dash": "dot"},
                hovertemplate="%{x|%d/%m} : %{y:,.1f} kWh<extra>" + _("Année précédente") + "</extra>",
            )
        )
    traces.append(
        go.Bar(
            name=_("Consommation"),
            x=x,
            y=[row.kwh for row in rows],
            marker_color=CURRENT_COLOUR,
            hovertemplate="%{x|%d/%m/%Y} : %{y:,.1f} kWh<extra></extra>",
        )
    )
    figure = go.Figure(data=traces, layout=_layout(yaxis={"title": {"text": "kWh"}}, xaxis={"type": "date"}))
    return _json(figure)


# The load curve is compared with the same weekdays one year earlier (52 weeks): a
# curve's shape follows the day of the week (offices, schools, weekends), so Monday is
# drawn over last year's Monday, not over whatever day that date was.
PREVIOUS_YEAR_SHIFT = dt.timedelta(weeks=52)


def previous_year_days(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The days a load curve of ``first``..``last`` is compared with (52 weeks earlier)."""
    return first - PREVIOUS_YEAR_SHIFT, last - PREVIOUS_YEAR_SHIFT


def shifted_to_this_year(previous: LoadCurve) -> LoadCurve:
    """Last year's curve moved 52 weeks later, onto this year's days (the same instants + 52 weeks)."""
    shift_ms = int(PREVIOUS_YEAR_SHIFT.total_seconds() * 1000)
    return previous._replace(ends_local=np.asarray(previous.ends_local, dtype=np.int64) + shift_ms)


HOUR_MS = 3_600_000


def _utc_ms(curve: LoadCurve) -> np.ndarray:
    """The real instants of a curve's ends (epoch ms): its naive local epoch ms minus each point's offset."""
    local = np.asarray(curve.ends_local, dtype=np.int64)
    return local - np.asarray(curve.utc_offset_minutes, dtype=np.int64) * 60_000


def _offset_minutes(utc_ms: int) -> int:
    offset = dt.datetime.fromtimestamp(utc_ms / 1000, tz=PARIS).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def paris_offsets(first_ms: int, last_ms: int) -> dict[str, Any]:
    """Europe/Paris's UTC offset over ``first_ms``..``last_ms`` (epoch ms), one day of margin each side.

    ``{"base": minutes at the start, "changes": [[epoch ms, minutes from then on], …]}``:
    what the script needs to print any instant of the axis (ticks included, not only the
    points) in Paris time. Paris changes on whole UTC hours: a daily walk finds the day,
    an hourly one the hour.
    """
    day_ms = 24 * HOUR_MS
    start = first_ms - day_ms - first_ms % HOUR_MS
    end = last_ms + day_ms
    base = current = _offset_minutes(start)
    changes: list[list[int]] = []
    day = start
    while day < end:
        if _offset_minutes(day + day_ms) != current:
            for hour in range(day + HOUR_MS, day + day_ms + 1, HOUR_MS):
                offset = _offset_minutes(hour)
                if offset != current:
                    changes.append([hour, offset])
                    current = offset
        day += day_ms
    return {"base": base, "changes": changes}


def _compact(curve: LoadCurve) -> dict[str, Any]:
    ends = _utc_ms(curve)
    if len(ends) == 0:
        return {"t0": None, "dt": [], "w": []}
    minutes = np.diff(ends) // 60_000
    return {"t0": int(ends[0]), "dt": minutes.tolist(), "w": np.asarray(curve.power_w).tolist()}


def load_curve_series(curve: LoadCurve, *, title: str, previous: LoadCurve | None = None) -> dict[str, Any]:
    """The curve as compact JSON: ``t0`` (epoch ms of the first end, UTC), ``dt`` minutes, ``w`` watts.

    ``curve`` must carry epoch milliseconds (``epoch_ms=True``) with each point's offset:
    the series holds real instants, so the October repeated hour gives distinct points,
    and ``tz`` (``paris_offsets``) lets the script label them in Paris time
    ("02:00 (UTC+2)", then "02:00 (UTC+1)"). ``previous``: last year's curve, already
    moved onto this year's days (``shifted_to_this_year``), in the same compact form.
    """
    series = {**_compact(curve), "title": title}
    if previous is not None:
        series["previous"] = _compact(previous)
    instants = [int(e) for c in (curve, previous) if c is not None and len(c.power_w) for e in _utc_ms(c)[[0, -1]]]
    if instants:
        series["tz"] = paris_offsets(min(instants), max(instants))
    return series


@dataclass(frozen=True)
class CurveDayRow:
    """The daily summary of a load curve: its data-table alternative (the points are in the export)."""

    day: dt.date
    points: int
    max_w: int
    mean_w: int
    kwh: float
    previous_max_w: int | None = None
    previous_kwh: float | None = None


def load_curve_day_rows(curve: LoadCurve, previous: LoadCurve | None = None) -> list[CurveDayRow]:
    """Per local day of the interval *start*: count, maximum and mean power, energy (kWh).

    ``previous`` (moved onto this year's days): its maximum and energy on the same line.
    """
    rows = _day_rows(curve)
    if previous is None:
        return rows
    before = {row.day: row for row in _day_rows(previous)}
    return [
        replace(row, previous_max_w=before[row.day].max_w, previous_kwh=before[row.day].kwh)
        if row.day in before
        else row
        for row in rows
    ]


def _day_rows(curve: LoadCurve) -> list[CurveDayRow]:
    ends = np.asarray(curve.ends_local, dtype=np.int64)
    if len(ends) == 0:
        return []
    power = np.asarray(curve.power_w, dtype=np.int64)
    steps = np.asarray(curve.step_minutes, dtype=np.int64)
    # The point stamped at local midnight closes the previous day: shift by one step.
    starts_day = (ends - steps * 60_000) // 86_400_000
    days, index, counts = np.unique(starts_day, return_index=True, return_counts=True)
    energy_wh = power * steps / 60.0
    max_w = np.maximum.reduceat(power, index)
    sum_w = np.add.reduceat(power, index)
    sum_wh = np.add.reduceat(energy_wh, index)
    epoch = dt.date(1970, 1, 1)
    return [
        CurveDayRow(
            day=epoch + dt.timedelta(days=int(day)),
            points=int(count),
            max_w=int(peak),
            mean_w=round(total / count),
            kwh=round(float(wh) / 1000, 3),
        )
        for day, count, peak, total, wh in zip(days, counts, max_w, sum_w, sum_wh, strict=True)
    ]
