"""The billing summary screen's queries ("Bilan de facturation", issue 10 §1).

A perimeter (the user's members, a billing perimeter, a site or — coordinator — a member) and
a period of 6 months at most, read through ``invoicing.billing_files`` (the same scope and
sums as the ``billing_summary`` file): per month (chart and its table) and per site over
the period. Three queries: the scope's members, the month sums, the site sums.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from invoicing.billing_files import (
    SCOPES,
    SUMMARY_MAX_MONTHS,
    MonthSums,
    SiteSums,
    clean_period,
    month_param,
    month_sums,
    next_month,
    scope_for,
    site_sums,
)

FAMILY_COLOURS = {"energy": "#1d4f91", "network": "#4d9221", "taxes": "#b35806"}


@dataclass
class Summary:
    params: dict[str, Any]  # the cleaned parameters (the file's too)
    first: dt.date
    last: dt.date
    months: list[MonthSums]
    sites: list[SiteSums]

    @property
    def totals(self) -> dict[str, Decimal]:
        names = ("consumption_kwh", "energy", "network", "taxes", "vat", "total_excl_vat", "total_incl_vat")
        return {n: sum((getattr(m, n) for m in self.months), Decimal("0")) for n in names}


def clean_summary(params: dict[str, Any]) -> dict[str, Any]:
    """The period (6 months at most, default the last 6) and one scope; French ValidationError otherwise."""
    unknown = set(params) - {"first", "last", *SCOPES}
    if unknown:
        raise ValidationError(f"Paramètre inconnu : {', '.join(sorted(unknown))}.")
    return clean_period(params, max_months=SUMMARY_MAX_MONTHS, default_months=SUMMARY_MAX_MONTHS)


def sites_by_period(entries: list[SiteSums]) -> list[SiteSums]:
    """The per-(month, site) sums folded per site over the period, largest total first."""
    folded: dict[tuple[str, str], SiteSums] = {}
    for e in entries:
        key = (e.member, e.delivery_point)
        site = folded.get(key)
        if site is None:
            site = folded[key] = SiteSums(
                member=e.member,
                perimeter=e.perimeter,
                budget=e.budget,
                delivery_point=e.delivery_point,
                site_name=e.site_name,
                internal_reference=e.internal_reference,
            )
        site.consumption_kwh += e.consumption_kwh
        site.energy += e.energy
        site.network += e.network
        site.taxes += e.taxes
        site.vat += e.vat
        site.invoices += e.invoices
    return sorted(folded.values(), key=lambda s: (-s.total_incl_vat, s.site_name))


def billing_summary(user: User, params: dict[str, Any]) -> Summary:
    """The summary of ``params`` (already cleaned) for ``user``; a foreign scope raises Http404."""
    first = month_param(params["first"], "first")
    last = month_param(params["last"], "last")
    scope = scope_for(
        user,
        first=first,
        end=next_month(last),
        perimeter=params.get("perimeter"),
        site=params.get("site"),
        member=params.get("member"),
    )
    return Summary(
        params=params,
        first=first,
        last=last,
        months=month_sums(scope),
        sites=sites_by_period(site_sums(scope, by_month=True)),
    )


def summary_figure(months: list[MonthSums]) -> dict[str, Any]:
    """Stacked bars per month: supply, network and taxes excl. VAT (credit notes count negative)."""
    labels = [date_format(m.month, "F Y") for m in months]
    bars = [
        go.Bar(
            name=name,
            x=labels,
            y=[float(getattr(m, family)) for m in months],
            marker_color=FAMILY_COLOURS[family],
            hovertemplate="%{x} : %{y:,.2f} € HT<extra>" + name + "</extra>",
        )
        for family, name in (
            ("energy", _("Fourniture")),
            ("network", _("Acheminement")),
            ("taxes", _("Taxes et contributions")),
        )
    ]
    figure = go.Figure(
        data=bars,
        layout=go.Layout(
            template="none",
            barmode="relative",
            height=340,
            margin={"l": 70, "r": 10, "t": 10, "b": 50},
            font={"family": "system-ui, sans-serif", "size": 13},
            separators=", ",
            yaxis={"title": {"text": _("€ HT par mois")}, "zeroline": True},
            xaxis={"type": "category"},
            legend={"orientation": "h", "y": -0.2},
        ),
    )
    data: dict[str, Any] = json.loads(figure.to_json())
    return data
