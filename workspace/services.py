"""Writes of the workspace: index rows of apps without a trigger, work-queue item states."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from tenants.models import Syndicate
from workspace.models import SearchEntry, WorkItemState
from workspace.registry import IndexRow
from workspace.sql import FOLD, TABLE_KINDS


def _current_syndicate() -> Syndicate:
    tenant = connection.tenant  # type: ignore[attr-defined]
    assert isinstance(tenant, Syndicate), "search entries are written inside a syndicate"
    return tenant


@transaction.atomic
def search_entries_upsert(*, kind: str, rows: Iterable[IndexRow]) -> int:
    """Index (or re-index) rows of the current syndicate, in the caller's transaction; one statement."""
    syndicate = _current_syndicate()
    values = [
        (syndicate.pk, kind, row.object_id, row.member_id, row.label[:300], row.detail[:500], row.text or row.label)
        for row in rows
    ]
    if not values:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.workspace_searchentry (syndicate_id, kind, object_id, member_id, label, detail, text) "
            f"SELECT v.s, v.k, v.o, v.m, v.l, v.d, {FOLD}(v.l || ' ' || v.d || ' ' || v.t) "
            "FROM unnest(%s::int[], %s::text[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[]) "
            "AS v(s, k, o, m, l, d, t) "
            "ON CONFLICT (syndicate_id, kind, object_id) DO UPDATE SET member_id = EXCLUDED.member_id, "
            "label = EXCLUDED.label, detail = EXCLUDED.detail, text = EXCLUDED.text",
            [list(column) for column in zip(*values, strict=True)],
        )
    return len(values)


@transaction.atomic
def search_entries_delete(*, kind: str, object_ids: Iterable[int]) -> int:
    """Remove rows of the current syndicate from the index."""
    syndicate = _current_syndicate()
    deleted, _ = SearchEntry.objects.filter(syndicate=syndicate, kind=kind, object_id__in=list(object_ids)).delete()
    return deleted


@transaction.atomic
def search_index_rebuild(*, syndicate: Syndicate) -> int:
    """Rebuild one syndicate's entries from its tables and the registered kinds (inside it)."""
    from django_tenants.utils import tenant_context

    from workspace.registry import search_kinds

    with tenant_context(syndicate), connection.cursor() as cursor:
        for table_kind in TABLE_KINDS:
            for statement in table_kind.rebuild_sql(schema=syndicate.schema_name, syndicate_id=syndicate.pk):
                cursor.execute(statement)
        for kind in search_kinds():
            if kind.rebuild is not None:
                rows = list(kind.rebuild())
                SearchEntry.objects.filter(syndicate=syndicate, kind=kind.name).exclude(
                    object_id__in=[row.object_id for row in rows]
                ).delete()
                search_entries_upsert(kind=kind.name, rows=rows)
    return SearchEntry.objects.filter(syndicate=syndicate).count()


@transaction.atomic
def work_item_take(*, actor: User, syndicate: Syndicate, kind: str, key: str) -> WorkItemState:
    """An account manager takes a waiting item (it shows as theirs); audited."""
    state, _ = WorkItemState.objects.select_for_update().get_or_create(syndicate=syndicate, kind=kind, key=key)
    state.taken_by = actor
    state.taken_at = timezone.now()
    state.save(update_fields=["taken_by", "taken_at"])
    audit_record(
        action="workspace.item_taken", actor=actor, details={"schema": syndicate.schema_name, "kind": kind, "key": key}
    )
    return state


@transaction.atomic
def work_item_done(*, actor: User, syndicate: Syndicate, kind: str, key: str) -> WorkItemState:
    """Mark an item done: it leaves the queue (until its source says it waits again under a new key)."""
    state, _ = WorkItemState.objects.select_for_update().get_or_create(syndicate=syndicate, kind=kind, key=key)
    state.done_at = timezone.now()
    state.done_by_email = actor.email
    state.save(update_fields=["done_at", "done_by_email"])
    audit_record(
        action="workspace.item_done", actor=actor, details={"schema": syndicate.schema_name, "kind": kind, "key": key}
    )
    return state
