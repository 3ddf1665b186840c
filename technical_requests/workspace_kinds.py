"""Technical requests in the account managers' workspace, registered by ``TechnicalRequestsConfig.ready``.

Search: a request's reference (and its delivery point) finds it, with its type and member. A
statement-level trigger (``table_kind()``, migration ``0005``) indexes the rows
in their writing transaction — the reference is set just after the INSERT, by an UPDATE, which
the trigger follows too. Work queue: the requests nobody has taken yet, the oldest first.
Both link the back-office request page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from technical_requests.catalogue import TYPES
from workspace.registry import IndexRow, QueueItem, QueueKind, SearchKind, register_queue_kind, register_search_kind
from workspace.sql import TableKind

KIND = "technical_request"
BACKOFFICE_URLCONF = "config.urls_public"


def _sql_text(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def table_kind() -> TableKind:
    """The trigger's SQL (built when the migration runs, the translations then loaded).

    The type's label comes from the catalogue: a type added later needs a migration re-running
    ``functions_sql``; until then its requests show their code."""
    type_label = (
        "CASE r.type_code "
        + " ".join(f"WHEN {_sql_text(t.code)} THEN {_sql_text(t.label)}" for t in TYPES)
        + " ELSE r.type_code END"
    )
    member = "(SELECT m.legal_name FROM perimeter_member m WHERE m.id = r.member_id)"
    detail = f"concat_ws(' · ', {type_label}, {member})"
    # The detail is searched too, as ``search_entries_upsert`` does with the rows of a rebuild.
    return TableKind(
        kind=KIND,
        table="technical_requests_technicalrequest",
        member_id="r.member_id",
        label="r.reference",
        detail=detail,
        text=("r.reference", "r.delivery_point", detail),
    )


def _request_url(code: str, pk: int) -> str:
    return reverse("backoffice:technical_request", kwargs={"code": code, "pk": pk}, urlconf=BACKOFFICE_URLCONF)


def _url(code: str, entry: Any) -> str:
    return _request_url(code, entry.object_id)


def _rebuild() -> Iterator[IndexRow]:
    from technical_requests.catalogue import TYPES_BY_CODE
    from technical_requests.models import TechnicalRequest

    rows = TechnicalRequest.objects.values_list(
        "pk", "reference", "type_code", "delivery_point", "member_id", "member__legal_name"
    )
    for pk, reference, type_code, delivery_point, member_id, legal_name in rows.iterator(chunk_size=2000):
        rtype = TYPES_BY_CODE.get(type_code)
        type_label = str(rtype.label) if rtype is not None else type_code
        yield IndexRow(
            object_id=pk,
            label=reference or "",
            detail=f"{type_label} · {legal_name}",
            text=delivery_point,
            member_id=member_id,
        )


def _open_requests(limit: int) -> list[QueueItem]:
    """Requests waiting for an account manager: still « Ouvert » and not taken, the oldest first."""
    from technical_requests.catalogue import TYPES_BY_CODE
    from technical_requests.choices import RequestStatus
    from technical_requests.models import TechnicalRequest
    from tenants.db import connection

    code = str(connection.tenant.code)
    requests = (
        TechnicalRequest.objects.filter(status=RequestStatus.OPEN, handled_by="")
        .select_related("member")
        .order_by("created_at", "pk")[:limit]
    )
    items = []
    for r in requests:
        rtype = TYPES_BY_CODE.get(r.type_code)
        items.append(
            QueueItem(
                key=str(r.pk),
                label=f"{r.reference} — {rtype.label if rtype else r.type_code} — {r.member.legal_name}",
                since=r.created_at,
                url=_request_url(code, r.pk),
                member_id=r.member_id,
            )
        )
    return items


def register() -> None:
    register_search_kind(SearchKind(KIND, _("Demandes techniques"), order=60, url=_url, rebuild=_rebuild))
    register_queue_kind(QueueKind(KIND, _("Demandes techniques à prendre en charge"), _open_requests))
