"""The invoice search's consolidated chart: amount billed (incl. VAT) per accounting month.

A plotly figure serialised to JSON, embedded in a ``<script type="application/json">``
block and drawn by ``consumption/charts.js`` (the CSP forbids inline scripts); the table
beside it carries the same rows for those who do not see the chart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from invoicing.selectors import BilledMonth

AMOUNT_COLOUR = "#1d4f91"
NEGATIVE_COLOUR = "#b35806"


@dataclass(frozen=True)
class MonthRow:
    month_label: str
    amount_incl_vat: Decimal
    consumption_kwh: Decimal
    count: int


def month_rows(values: Sequence[BilledMonth]) -> list[MonthRow]:
    return [
        MonthRow(
            month_label=date_format(v.month, "F Y"),
            amount_incl_vat=v.amount_incl_vat,
            consumption_kwh=v.consumption_kwh,
            count=v.count,
        )
        for v in values
    ]


def amount_figure(rows: Sequence[MonthRow]) -> dict[str, Any]:
    """Bars of the amount billed per month (a negative month, credit notes over invoices, in orange)."""
    figure = go.Figure(
        data=[
            go.Bar(
                name=_("Montant TTC"),
                x=[row.month_label for row in rows],
                y=[float(row.amount_incl_vat) for row in rows],
                marker_color=[NEGATIVE_COLOUR if row.amount_incl_vat < 0 else AMOUNT_COLOUR for row in rows],
                hovertemplate="%{x} : %{y:,.2f} €<extra></extra>",
            )
        ],
        layout=go.Layout(
            template="none",
            height=320,
            margin={"l": 70, "r": 10, "t": 10, "b": 50},
            font={"family": "system-ui, sans-serif", "size": 13},
            separators=", ",
            yaxis={"title": {"text": _("€ TTC par mois")}, "zeroline": True},
            xaxis={"type": "category"},
            showlegend=False,
        ),
    )
    data: dict[str, Any] = json.loads(figure.to_json())
    return data
