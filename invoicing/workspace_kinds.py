"""Invoices in the account managers' search (``workspace``), registered by ``InvoicingConfig.ready``.

Issued invoices are written by bulk INSERT (``services/issue.py``) and never updated: the
statement-level trigger of ``INVOICE_TABLE_KIND`` (migration ``0003``) indexes every row of an
INSERT in the same transaction, whatever the number of invoices; ``rebuild`` gives them again
for ``manage.py search_index_rebuild``. A result links the member's 360 page (the default).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from workspace.registry import IndexRow, SearchKind, register_search_kind
from workspace.sql import TableKind

KIND = "invoice"

# The member's name now (resolved in the syndicate's schema through the search path). Searched
# too, as ``search_entries_upsert`` does with the rows of a rebuild (both give the same text).
_MEMBER = "(SELECT m.legal_name FROM perimeter_member m WHERE m.id = r.member_id)"

INVOICE_TABLE_KIND = TableKind(
    kind=KIND,
    table="invoicing_invoice",
    member_id="r.member_id",
    label="r.number",
    detail=_MEMBER,
    text=("r.number", _MEMBER),
)


def _rebuild() -> Iterator[IndexRow]:
    from invoicing.models import Invoice

    for invoice_id, number, member_id, legal_name in Invoice.objects.values_list(
        "pk", "number", "member_id", "member__legal_name"
    ).iterator(chunk_size=2000):
        yield IndexRow(object_id=invoice_id, label=number, detail=legal_name, member_id=member_id)


def register() -> None:
    register_search_kind(SearchKind(KIND, _("Factures et avoirs"), order=50, rebuild=_rebuild))
