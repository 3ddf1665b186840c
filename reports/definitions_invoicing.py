"""The invoice search's table as an Excel export (``invoices``), through the reports framework.

Same filters (``InvoiceFilterSet``: period of 12 months at most, perimeter, site, kind,
state), same sort keys and same columns (``invoicing.tables``) as the page and
``/api/v1/invoices/``, read through ``invoices_for`` (member scoping). Imported by
``ReportsConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from config.api_fields import StrictCharField
from invoicing.choices import InvoiceKind, InvoiceState
from invoicing.filtersets import InvoiceFilterSet
from invoicing.models import Invoice
from invoicing.selectors import invoices_for
from invoicing.tables import COLUMNS, INVOICES_REPORT, ROW_FIELDS, export_row, parse_sort, sort_invoices
from reports.registry import Params, ReportDefinition, ReportParams, params_only, register
from spreadsheets.xlsx import Column

CHUNK_SIZE = 2_000
EXPORT_COLUMNS = list(COLUMNS)  # the member column too: empty-free for a member, useful to a coordinator
PARAMS = {*InvoiceFilterSet.base_filters, "sort"}


class InvoicesParams(ReportParams):
    first = StrictCharField(
        required=False, allow_blank=True, help_text="Début : mois AAAA-MM ou date AAAA-MM-JJ (date comptable)."
    )
    last = StrictCharField(
        required=False, allow_blank=True, help_text="Fin : mois AAAA-MM ou date AAAA-MM-JJ ; 12 mois au plus."
    )
    perimeter = serializers.IntegerField(required=False, help_text="Périmètre de facturation.")
    site = serializers.IntegerField(required=False, help_text="Site.")
    kind = serializers.ChoiceField(choices=InvoiceKind.choices, required=False, help_text="Facture ou avoir.")
    state = serializers.ChoiceField(choices=InvoiceState.choices, required=False, help_text="État d'édition.")
    sort = StrictCharField(required=False, allow_blank=True, help_text="Colonne de tri (« -colonne » : décroissant).")


def _filter_data(params: Params) -> MultiValueDict[str, Any]:
    return MultiValueDict({k: [v] for k, v in params.items() if k != "sort"})


def _clean_params(params: Params) -> Params:
    params_only(params, PARAMS)
    filterset = InvoiceFilterSet(_filter_data(params), queryset=Invoice.objects.none())
    if not filterset.is_valid():
        raise ValidationError(" ".join(str(e) for errors in filterset.errors.values() for e in errors))
    return {k: v for k, v in params.items() if v not in (None, "")}


def _invoices(user: User, params: Params) -> QuerySet[Invoice]:
    filterset = InvoiceFilterSet(_filter_data(params), queryset=invoices_for(user))
    if not filterset.is_valid():  # checked by _clean_params when asked; the rules may not change meanwhile
        raise ValidationError(" ".join(str(e) for errors in filterset.errors.values() for e in errors))
    key, descending = parse_sort(params.get("sort"))
    return sort_invoices(filterset.qs, key, descending)


def _rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    for row in _invoices(user, params).values(*ROW_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        yield export_row(row, EXPORT_COLUMNS)


def _count(user: User, params: Params) -> int:
    return _invoices(user, params).order_by().count()


INVOICES = register(
    ReportDefinition(
        name=INVOICES_REPORT,
        title="Factures",
        columns=[Column(str(c.label), c.width, c.kind) for c in EXPORT_COLUMNS],
        rows=_rows,
        count=_count,
        module=Module.BILLING,
        clean_params=_clean_params,
        params=InvoicesParams,
    )
)
