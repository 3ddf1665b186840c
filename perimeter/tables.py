"""The sites table of the park page, declared once: its columns, their sort keys, its page.

The view narrows the member-scoped queryset with ``SiteFilterSet``, then this module
sorts it (whitelisted keys only) and cuts the page: two queries (count, rows) whatever
the number of sites.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from perimeter.choices import Fluid, SiteStatus
from perimeter.models import Site

# Name of the export of this table in the reports registry (reports/definitions_park.py).
PARK_SITES_REPORT = "park_sites"

SITES_PER_PAGE = 50
DEFAULT_SORT = "site_name"

# The fields a row reads: the page query fetches these and nothing else.
ROW_FIELDS = (
    "id",
    "fluid",
    "site_name",
    "delivery_point",
    "address_line",
    "postcode",
    "city",
    "segment",
    "status",
    "member__id",
    "member__legal_name",
)


@dataclass(frozen=True)
class Column:
    """One column: its key (also the ``sort`` value), header and database ordering."""

    key: str
    label: str | Promise
    order_by: tuple[str, ...] = ()
    coordinator_only: bool = False
    field: str = ""  # the row value it shows (and exports); "" for a column of links
    width: float = 15  # in the Excel export, in characters

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


COLUMNS = (
    Column("fluid", _("Énergie"), ("fluid",), field="fluid_label", width=12),
    Column("member", _("Membre"), ("member__legal_name",), coordinator_only=True, field="member__legal_name", width=34),
    Column("site_name", _("Nom du site"), ("site_name",), field="site_name", width=32),
    Column("delivery_point", _("Point de livraison"), ("delivery_point",), field="delivery_point", width=18),
    Column("address", _("Adresse"), ("address_line",), field="address_line", width=34),
    Column("postcode", _("Code postal"), ("postcode",), field="postcode", width=11),
    Column("city", _("Commune"), ("city",), field="city", width=22),
    Column("segment", _("Segment"), ("segment",), field="segment", width=9),
    Column("status", _("Statut"), ("status",), field="status_label", width=22),
    Column("sheet", _("Fiche technique")),
)
_BY_KEY = {column.key: column for column in COLUMNS}


def columns_for(*, show_member: bool) -> list[Column]:
    return [c for c in COLUMNS if show_member or not c.coordinator_only]


def parse_sort(value: str | None) -> tuple[str, bool]:
    """(column key, descending) from ``?sort=city`` / ``?sort=-city``; unknown keys fall back to the default."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    column = _BY_KEY.get(key)
    if column is None or not column.sortable:
        return DEFAULT_SORT, False
    return key, descending


def sort_sites(sites: QuerySet[Site], key: str, descending: bool) -> QuerySet[Site]:
    fields = [f"-{f}" if descending else f for f in _BY_KEY[key].order_by]
    # The id last gives a stable order across pages when values tie.
    return sites.order_by(*fields, "-id" if descending else "id")


_FLUIDS, _STATUSES = dict(Fluid.choices), dict(SiteStatus.choices)


def with_labels(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``ROW_FIELDS`` with the French labels of its fluid and status."""
    return {
        **row,
        "fluid_label": _FLUIDS.get(row["fluid"], row["fluid"]),
        "status_label": _STATUSES.get(row["status"], ""),
    }


class CountingPaginator(Paginator):
    """Counts on the filtered queryset alone: the labels the rows show need joins the count does not
    (the park's sites, the invoices, the technical requests)."""

    def __init__(self, rows: QuerySet[Any], per_page: int, *, count_from: QuerySet[Any]) -> None:
        super().__init__(rows, per_page)
        self.count_from = count_from

    @cached_property
    def count(self) -> int:
        return self.count_from.order_by().count()


@dataclass
class HeaderCell:
    column: Any  # the table's column (this module's, or another table's with a key and `sortable`)
    sort_query: str  # query string that sorts by this column (toggling the direction)
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)


def sort_headers(columns: Iterable[Any], params: QueryDict, key: str, descending: bool) -> list[HeaderCell]:
    """Every table's header row: for each column, the query sorting by it (the same column again
    toggles the direction; the page number dropped) and its aria-sort state."""
    headers = []
    for column in columns:
        query = params.copy()
        query.pop("page", None)
        aria = ""
        if column.sortable:
            toggled = column.key == key and not descending
            query["sort"] = f"-{column.key}" if toggled else column.key
            if column.key == key:
                aria = "descending" if descending else "ascending"
        headers.append(HeaderCell(column=column, sort_query=query.urlencode(), aria_sort=aria))
    return headers


@dataclass
class SiteTable:
    """What the table template needs: columns with their sort links, the page and its links."""

    headers: list[HeaderCell]
    page: Page[Any]
    show_member: bool
    page_query: str  # the current filters and sort, without the page number


def site_table(sites: QuerySet[Site], params: QueryDict, *, show_member: bool) -> SiteTable:
    """Sort the filtered sites and cut the requested page (2 queries: count, rows)."""
    key, descending = parse_sort(params.get("sort"))
    rows = sort_sites(sites, key, descending).values(*ROW_FIELDS)
    page: Page[Any] = CountingPaginator(rows, SITES_PER_PAGE, count_from=sites).get_page(params.get("page"))
    page.object_list = [with_labels(row) for row in page.object_list]
    others = params.copy()
    others.pop("page", None)
    headers = sort_headers(columns_for(show_member=show_member), params, key, descending)
    return SiteTable(headers=headers, page=page, show_member=show_member, page_query=others.urlencode())
