"""The park's sites table as an Excel export, through the reports framework.

Same filters (``SiteFilterSet``), same sort keys and same columns (``perimeter.tables``)
as the page, so that "Exporter ces sites" gives exactly what the table lists, on every
page. Registered at start-up by ``PerimeterConfig.ready`` (web and worker alike).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from config.api_fields import StrictCharField, StrictMultipleChoiceField
from perimeter.filtersets import SiteFilterSet
from perimeter.models import Site
from perimeter.selectors import sites_for
from perimeter.tables import COLUMNS, PARK_SITES_REPORT, ROW_FIELDS, parse_sort, sort_sites, with_labels
from reports.registry import Params, ReportDefinition, ReportParams, params_only, register
from spreadsheets.xlsx import Column

CHUNK_SIZE = 2_000
EXPORT_COLUMNS = [c for c in COLUMNS if c.field]
PARAMS = {*SiteFilterSet.base_filters, "sort"}


def _park_params_serializer() -> type[ReportParams]:
    """The park table's filters (``SiteFilterSet``, as on the page and in /api/v1/sites/) and its sort key."""
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
    for name, site_filter in SiteFilterSet.base_filters.items():
        label = str(site_filter.label)
        if isinstance(site_filter, django_filters.MultipleChoiceFilter):
            choices = site_filter.extra["choices"]
            fields[name] = StrictMultipleChoiceField(choices=choices, required=False, help_text=label)
        elif isinstance(site_filter, django_filters.ChoiceFilter):
            fields[name] = serializers.ChoiceField(
                choices=site_filter.extra["choices"], required=False, help_text=label
            )
        elif isinstance(site_filter, django_filters.NumberFilter):
            fields[name] = serializers.IntegerField(required=False, help_text=label)
        else:
            fields[name] = StrictCharField(required=False, allow_blank=True, help_text=label)
    fields["sort"] = StrictCharField(
        required=False, allow_blank=True, help_text="Colonne de tri (« -colonne » : décroissant)."
    )
    return type("ParkSitesParams", (ReportParams,), fields)


ParkSitesParams = _park_params_serializer()


def _filter_data(params: Params) -> MultiValueDict[str, Any]:
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in params.items()})


def _clean_params(params: Params) -> Params:
    params_only(params, PARAMS)
    filterset = SiteFilterSet(_filter_data(params), queryset=Site.objects.none())
    if not filterset.is_valid():
        raise ValidationError(" ".join(str(e) for errors in filterset.errors.values() for e in errors))
    return {k: v for k, v in params.items() if v}


def _sites(user: User, params: Params) -> QuerySet[Site]:
    filterset = SiteFilterSet(_filter_data(params), queryset=sites_for(user))
    key, descending = parse_sort(params.get("sort"))
    return sort_sites(filterset.qs, key, descending)


def _rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    for row in _sites(user, params).values(*ROW_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        labelled = with_labels(row)
        yield [labelled[column.field] for column in EXPORT_COLUMNS]


def _count(user: User, params: Params) -> int:
    return _sites(user, params).order_by().count()


PARK_SITES = register(
    ReportDefinition(
        name=PARK_SITES_REPORT,
        title="Sites du parc",
        columns=[Column(str(c.label), c.width) for c in EXPORT_COLUMNS],
        rows=_rows,
        count=_count,
        module=Module.PARK,
        clean_params=_clean_params,
        params=ParkSitesParams,
    )
)
