"""The technical requests' tracking table as an Excel export, through the reports framework.

Same filters (``TechnicalRequestFilterSet``), sort keys and columns (``technical_requests.tables``)
as the page, so that "Exporter ces demandes" gives what the table lists, plus the expected
completion date and the lateness flag.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from config.api_fields import StrictCharField, StrictMultipleChoiceField
from reports.registry import Params, ReportDefinition, ReportParams, params_only, register
from spreadsheets.xlsx import Column
from technical_requests.filtersets import TechnicalRequestFilterSet
from technical_requests.models import TechnicalRequest
from technical_requests.selectors import requests_for
from technical_requests.tables import (
    EXPORT_COLUMNS,
    ROW_FIELDS,
    TECHNICAL_REQUESTS_REPORT,
    parse_sort,
    sort_requests,
    with_labels,
)

CHUNK_SIZE = 2_000
PARAMS = {*TechnicalRequestFilterSet.base_filters, "sort"}


def _params_serializer() -> type[ReportParams]:
    """The tracking table's filters (as on the page and in /api/v1/technical-requests/) and its sort key."""
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
    for name, request_filter in TechnicalRequestFilterSet.base_filters.items():
        label = str(request_filter.label)
        if isinstance(request_filter, django_filters.MultipleChoiceFilter):
            fields[name] = StrictMultipleChoiceField(
                choices=request_filter.extra["choices"], required=False, help_text=label
            )
        elif isinstance(request_filter, django_filters.ChoiceFilter):
            fields[name] = serializers.ChoiceField(
                choices=request_filter.extra["choices"], required=False, help_text=label
            )
        elif isinstance(request_filter, django_filters.NumberFilter):
            fields[name] = serializers.IntegerField(required=False, help_text=label)
        elif isinstance(request_filter, django_filters.DateFilter):
            fields[name] = serializers.DateField(required=False, help_text=label)
        elif isinstance(request_filter, django_filters.BooleanFilter):
            # Words, as in the page's query string: DRF's BooleanField would take 0 and 1 too.
            fields[name] = serializers.ChoiceField(choices=["true", "false"], required=False, help_text=label)
        else:
            fields[name] = StrictCharField(required=False, allow_blank=True, help_text=label)
    fields["sort"] = StrictCharField(
        required=False, allow_blank=True, help_text="Colonne de tri (« -colonne » : décroissant)."
    )
    return type("TechnicalRequestsParams", (ReportParams,), fields)


TechnicalRequestsParams = _params_serializer()


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _filter_data(params: Params) -> MultiValueDict[str, Any]:
    return MultiValueDict(
        {k: [_as_text(x) for x in v] if isinstance(v, list) else [_as_text(v)] for k, v in params.items()}
    )


def _clean_params(params: Params) -> Params:
    params_only(params, PARAMS)
    filterset = TechnicalRequestFilterSet(_filter_data(params), queryset=TechnicalRequest.objects.none())
    if not filterset.is_valid():
        raise ValidationError(" ".join(str(e) for errors in filterset.errors.values() for e in errors))
    return {k: _as_text(v) if not isinstance(v, list) else v for k, v in params.items() if v not in ("", None, [])}


def _requests(user: User, params: Params) -> QuerySet[TechnicalRequest]:
    filterset = TechnicalRequestFilterSet(_filter_data(params), queryset=requests_for(user))
    key, descending = parse_sort(params.get("sort"))
    return sort_requests(filterset.qs, key, descending)


def _rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    today = timezone.localdate()
    for row in _requests(user, params).values(*ROW_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        labelled = with_labels(row, today)
        yield [labelled[column.field] for column in EXPORT_COLUMNS]


def _count(user: User, params: Params) -> int:
    return _requests(user, params).order_by().count()


TECHNICAL_REQUESTS = register(
    ReportDefinition(
        name=TECHNICAL_REQUESTS_REPORT,
        title="Demandes techniques",
        columns=[Column(str(c.label), c.width) for c in EXPORT_COLUMNS],
        rows=_rows,
        count=_count,
        module=Module.TECHNICAL_REQUESTS,
        clean_params=_clean_params,
        params=TechnicalRequestsParams,
    )
)
