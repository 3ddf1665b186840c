"""The tracking table, declared once: its columns (page and export), sort keys and page.

Two queries whatever the number of requests (count, rows): the rows read only the
fields below, the member's name and the site's in the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perimeter.tables import Column, CountingPaginator, HeaderCell, sort_headers
from technical_requests.catalogue import TYPES_BY_CODE
from technical_requests.choices import CLOSED_STATUSES, RequestStatus
from technical_requests.models import TechnicalRequest

# Name of this table's export in the reports registry (reports/definitions_technical_requests.py).
TECHNICAL_REQUESTS_REPORT = "technical_requests"
PER_PAGE = 50
DEFAULT_SORT = "-created_at"

ROW_FIELDS = (
    "id",
    "reference",
    "type_code",
    "created_at",
    "member__legal_name",
    "delivery_point",
    "site__site_name",
    "appointment_date",
    "expected_by",
    "status",
    "author_email",
)

COLUMNS = (
    Column("reference", _("Référence"), ("reference",), field="reference", width=16),
    Column("type", _("Type"), ("type_code",), field="type_label", width=40),
    Column("created_at", _("Date"), ("created_at",), field="created_on", width=12),
    Column("member", _("Raison sociale"), ("member__legal_name",), field="member__legal_name", width=34),
    Column("delivery_point", _("Point de livraison"), ("delivery_point",), field="delivery_point", width=18),
    Column("appointment_date", _("Rendez-vous"), ("appointment_date",), field="appointment_date", width=12),
    Column("status", _("Statut"), ("status",), field="status_label", width=14),
    Column("author", _("Auteur"), ("author_email",), field="author_email", width=28),
    Column("actions", _("Actions")),
)
EXPORT_COLUMNS = (
    *(c for c in COLUMNS if c.field),
    Column("expected_by", _("Achèvement attendu"), field="expected_by", width=14),
    Column("late", _("En retard"), field="late_label", width=10),
)
_BY_KEY = {column.key: column for column in COLUMNS}
_STATUSES = dict(RequestStatus.choices)


def with_labels(row: dict[str, Any], today: Any = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    rtype = TYPES_BY_CODE.get(row["type_code"])
    late = row["status"] not in CLOSED_STATUSES and row["expected_by"] is not None and row["expected_by"] < today
    return {
        **row,
        "type_label": str(rtype.label) if rtype else row["type_code"],
        "status_label": str(_STATUSES.get(row["status"], "")),
        "created_on": timezone.localtime(row["created_at"]).date(),
        "late": late,
        "late_label": str(_("oui")) if late else "",
    }


def parse_sort(value: str | None) -> tuple[str, bool]:
    value = (value or DEFAULT_SORT).strip()
    descending = value.startswith("-")
    column = _BY_KEY.get(value.lstrip("-"))
    if column is None or not column.sortable:
        return "created_at", True
    return column.key, descending


def sort_requests(requests: QuerySet[TechnicalRequest], key: str, descending: bool) -> QuerySet[TechnicalRequest]:
    fields = [f"-{f}" if descending else f for f in _BY_KEY[key].order_by]
    return requests.order_by(*fields, "-id" if descending else "id")


@dataclass
class RequestTable:
    headers: list[HeaderCell]
    page: Page[Any]
    page_query: str


def request_table(requests: QuerySet[TechnicalRequest], params: QueryDict) -> RequestTable:
    """Sort the filtered requests and cut the page (2 queries: count, rows)."""
    key, descending = parse_sort(params.get("sort"))
    rows = sort_requests(requests, key, descending).values(*ROW_FIELDS)
    paginator = CountingPaginator(rows, PER_PAGE, count_from=requests.select_related(None))
    page: Page[Any] = paginator.get_page(params.get("page"))
    today = timezone.localdate()
    page.object_list = [with_labels(row, today) for row in page.object_list]
    others = params.copy()
    others.pop("page", None)
    headers = sort_headers(COLUMNS, params, key, descending)
    return RequestTable(headers=headers, page=page, page_query=others.urlencode())
