"""The invoice search's table, declared once: its columns (page and Excel export), sort keys and page.

The view narrows ``invoices_for(user)`` with ``InvoiceFilterSet``, then this module sorts
it (whitelisted keys only) and cuts the page: two queries (count, rows) whatever the
number of invoices. The ``invoices`` report (``reports/definitions_invoicing.py``) writes
the same columns from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from billing_groups.choices import InvoiceDelivery
from invoicing.choices import InvoiceKind, InvoiceState
from invoicing.models import Invoice
from perimeter.tables import CountingPaginator, HeaderCell, sort_headers
from spreadsheets.xlsx import DATE, DECIMAL, TEXT

INVOICES_REPORT = "invoices"
INVOICES_PER_PAGE = 50
DEFAULT_SORT = "-accounting_date"

# The fields a row reads (the annotations come from ``invoicing.selectors.with_state``).
ROW_FIELDS = (
    "id",
    "number",
    "kind",
    "label",
    "accounting_date",
    "issue_date",
    "consumption_kwh",
    "reception_mode",
    "total_excl_vat",
    "total_incl_vat",
    "state",
    "cancels_id",
    "cancels_number",
    "cancelled_by_pk",
    "cancelled_by_number",
    "member__legal_name",
)


@dataclass(frozen=True)
class Column:
    """One column: its key (also the ``sort`` value), header, database ordering and exported value."""

    key: str
    label: str | Promise
    order_by: tuple[str, ...] = ()
    field: str = ""  # the row value it shows and exports
    kind: str = TEXT  # its type in the Excel export
    width: float = 15
    coordinator_only: bool = False

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


COLUMNS = (
    Column("accounting_date", _("Date comptable"), ("accounting_date",), "accounting_date", DATE, 12),
    Column("member", _("Membre"), ("member__legal_name",), "member__legal_name", width=30, coordinator_only=True),
    Column("number", _("Numéro"), ("number",), "number", width=16),
    Column("kind", _("Type"), ("kind",), "kind_label", width=9),
    Column("label", _("Libellé"), ("label",), "label", width=40),
    Column("consumption_kwh", _("Consommation (kWh)"), ("consumption_kwh",), "consumption_kwh", DECIMAL, 14),
    Column("reception_mode", _("Mode de réception"), ("reception_mode",), "reception_mode_label", width=14),
    Column("state", _("État d'édition"), (), "state_label", width=11),
    Column("total_incl_vat", _("Montant TTC (€)"), ("total_incl_vat",), "total_incl_vat", DECIMAL, 14),
    Column("links", _("Annule / annulée par"), (), "links_label", width=30),
)
_BY_KEY = {column.key: column for column in COLUMNS}


def columns_for(*, show_member: bool) -> list[Column]:
    return [c for c in COLUMNS if show_member or not c.coordinator_only]


def parse_sort(value: str | None) -> tuple[str, bool]:
    """(column key, descending) from ``?sort=number`` / ``?sort=-number``; unknown keys give the default."""
    value = (value or "").strip()
    descending = value.startswith("-")
    column = _BY_KEY.get(value.lstrip("-"))
    if column is None or not column.sortable:
        return DEFAULT_SORT.lstrip("-"), True
    return column.key, descending


def sort_invoices(invoices: QuerySet[Invoice], key: str, descending: bool) -> QuerySet[Invoice]:
    fields = [f"-{f}" if descending else f for f in _BY_KEY[key].order_by]
    return invoices.order_by(*fields, "-id" if descending else "id")


_KINDS = {c.value: str(c.label) for c in InvoiceKind}
_STATES = {c.value: str(c.label) for c in InvoiceState}
_MODES = {c.value: str(c.label) for c in InvoiceDelivery}


def links_label(row: dict[str, Any]) -> str:
    if row["cancels_number"]:
        return str(_("Annule la facture %(number)s")) % {"number": row["cancels_number"]}
    if row["cancelled_by_number"]:
        return str(_("Annulée par l'avoir %(number)s")) % {"number": row["cancelled_by_number"]}
    return ""


def with_labels(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``ROW_FIELDS`` with the French labels its columns show."""
    return {
        **row,
        "kind_label": _KINDS.get(row["kind"], row["kind"]),
        "state_label": _STATES.get(row["state"], row["state"]),
        "reception_mode_label": _MODES.get(row["reception_mode"], row["reception_mode"]),
        "links_label": links_label(row),
        "is_credit_note": row["kind"] == InvoiceKind.CREDIT_NOTE,
    }


def export_row(row: dict[str, Any], columns: list[Column]) -> list[Any]:
    labelled = with_labels(row)
    return [labelled[column.field] for column in columns]


@dataclass
class InvoiceTable:
    headers: list[HeaderCell]
    page: Page[Any]
    show_member: bool
    page_query: str  # the current filters and sort, without the page number


def invoice_table(invoices: QuerySet[Invoice], params: QueryDict, *, show_member: bool) -> InvoiceTable:
    """Sort the filtered invoices and cut the requested page (2 queries: count, rows)."""
    key, descending = parse_sort(params.get("sort"))
    rows = sort_invoices(invoices, key, descending).values(*ROW_FIELDS)
    page: Page[Any] = CountingPaginator(rows, INVOICES_PER_PAGE, count_from=invoices).get_page(params.get("page"))
    page.object_list = [with_labels(row) for row in page.object_list]
    others = params.copy()
    others.pop("page", None)
    headers = sort_headers(columns_for(show_member=show_member), params, key, descending)
    return InvoiceTable(headers=headers, page=page, show_member=show_member, page_query=others.urlencode())
