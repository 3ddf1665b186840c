"""The park chart: how many sites fall in each annual-consumption class, per fluid.

One aggregate query counts every (fluid, class) pair at once; plotly builds the figure
in Python and the page embeds its JSON for ``static/perimeter/park_chart.js`` to draw
(the CSP forbids inline scripts). The same counts feed the data table printed under
the chart, which is its accessible alternative (QUALITY.md item 17).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from perimeter.choices import Fluid, SiteStatus
from perimeter.models import Site

# Sites the supplier does not (or no longer) deliver: they would distort the picture
# of the park being supplied.
LEFT_OUT_OF_CHART = (
    SiteStatus.TERMINATED,
    SiteStatus.ALREADY_TERMINATED,
    SiteStatus.OUT_OF_MARKET,
    SiteStatus.NOT_MINE,
)

FLUID_COLOURS = {Fluid.ELECTRICITY: "#1d4f91", Fluid.GAS: "#b35806"}


@dataclass(frozen=True)
class ConsumptionClass:
    """A band of annual reference consumption (CAR), lower bound included, upper excluded."""

    key: str
    label: str
    min_kwh: int | None
    max_kwh: int | None

    def condition(self) -> Q:
        if self.min_kwh is None and self.max_kwh is None:
            return Q(car_kwh__isnull=True)
        condition = Q()
        if self.min_kwh is not None:
            condition &= Q(car_kwh__gte=self.min_kwh)
        if self.max_kwh is not None:
            condition &= Q(car_kwh__lt=self.max_kwh)
        return condition


def consumption_classes() -> list[ConsumptionClass]:
    """The classes, in MWh as the members speak of them (labels translated at call time)."""
    return [
        ConsumptionClass("lt3", _("< 3 MWh"), 0, 3_000),
        ConsumptionClass("3-10", _("3 à 10 MWh"), 3_000, 10_000),
        ConsumptionClass("10-30", _("10 à 30 MWh"), 10_000, 30_000),
        ConsumptionClass("30-100", _("30 à 100 MWh"), 30_000, 100_000),
        ConsumptionClass("100-300", _("100 à 300 MWh"), 100_000, 300_000),
        ConsumptionClass("ge300", _("> 300 MWh"), 300_000, None),
        ConsumptionClass("unknown", _("CAR non renseignée"), None, None),
    ]


@dataclass(frozen=True)
class ClassRow:
    label: str
    counts: dict[str, int]  # by fluid value
    cells: list[int]  # the counts of the fluids shown, in the order of Distribution.fluids
    total: int


@dataclass(frozen=True)
class Distribution:
    """Counts of the supplied sites by consumption class and fluid."""

    rows: list[ClassRow]
    fluids: list[tuple[str, str]]  # (value, label) of the fluids shown, in Fluid order
    totals: dict[str, int]
    total: int

    def count(self, class_label: str, fluid: str) -> int:
        return next(row.counts[fluid] for row in self.rows if row.label == class_label)


def consumption_class_distribution(sites: QuerySet[Site]) -> Distribution:
    """Count the sites of an (already member-scoped) queryset by class and fluid: one query.

    ``GROUP BY fluid, CASE …``: each row is classified once, so the query stays a single
    pass over the member's sites (or the whole syndicate's for a coordinator).
    """
    classes = consumption_classes()
    class_of = Case(*[When(c.condition(), then=Value(c.key)) for c in classes], output_field=CharField())
    grouped = (
        sites.order_by()
        .exclude(status__in=LEFT_OUT_OF_CHART)
        .annotate(klass=class_of)
        .values("fluid", "klass")
        .annotate(n=Count("pk"))
        .values_list("fluid", "klass", "n")
    )
    counts = {(fluid, key): n for fluid, key, n in grouped}
    by_class = {c.key: {fluid.value: counts.get((fluid.value, c.key), 0) for fluid in Fluid} for c in classes}
    totals = {fluid.value: sum(by_class[c.key][fluid.value] for c in classes) for fluid in Fluid}
    # A park without gas (or without electricity) shows only the fluid it has.
    fluids = [(fluid.value, str(fluid.label)) for fluid in Fluid if totals[fluid.value]]
    rows = [
        ClassRow(
            label=klass.label,
            counts=by_class[klass.key],
            cells=[by_class[klass.key][value] for value, _label in fluids],
            total=sum(by_class[klass.key].values()),
        )
        for klass in classes
    ]
    return Distribution(rows=rows, fluids=fluids, totals=totals, total=sum(totals.values()))


def distribution_figure(distribution: Distribution) -> dict[str, Any]:
    """The plotly figure (grouped bars, one trace per fluid) as plain JSON-ready data."""
    labels = [row.label for row in distribution.rows]
    figure = go.Figure(
        data=[
            go.Bar(
                name=label,
                x=labels,
                y=[row.counts[value] for row in distribution.rows],
                marker_color=FLUID_COLOURS.get(Fluid(value), "#555555"),
                hovertemplate="%{x} : %{y} site(s)<extra>" + label + "</extra>",
            )
            for value, label in distribution.fluids
        ],
        layout=go.Layout(
            template="none",  # the default template adds ~10 KB of styling we do not use
            barmode="group",
            height=320,
            margin={"l": 50, "r": 10, "t": 10, "b": 60},
            xaxis={"title": {"text": _("Consommation annuelle de référence (CAR)")}},
            yaxis={"title": {"text": _("Nombre de sites")}, "rangemode": "tozero", "tickformat": "d"},
            legend={"orientation": "h", "y": 1.12},
            font={"family": "system-ui, sans-serif", "size": 13},
        ),
    )
    # to_json() turns plotly's typed arrays into plain lists; the template re-serialises
    # the result with json_script, which escapes it for a <script> block.
    data: dict[str, Any] = json.loads(figure.to_json())
    return data
