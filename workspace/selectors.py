"""Reads of the workspace: search across the portfolio, the work queue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Func, TextField, Value
from django.urls import reverse
from django_tenants.utils import tenant_context

from accounts.access import staff_syndicates
from accounts.models import User
from workspace.models import SearchEntry, WorkItemState
from workspace.registry import QueueItem, queue_kinds, search_kind, search_kinds
from workspace.sql import FOLD

PUBLIC_URLCONF = "config.urls_public"  # links of the back-office, built inside or outside a request
MIN_QUERY = 2
PER_KIND = 10
QUEUE_PER_KIND = 50


@dataclass
class SearchGroup:
    name: str
    label: Any
    results: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False


def normalise_query(q: str) -> str:
    """Strip, fold runs of spaces; an identifier typed with spaces (``300 000 000 000 09``) is joined."""
    q = " ".join(q.split())[:100]
    compact = q.replace(" ", "")
    return compact if compact.isdigit() else q


def _url(code: str, entry: SearchEntry) -> str:
    kind = search_kind(entry.kind)
    if kind is not None and kind.url is not None:
        return kind.url(code, entry)
    if entry.member_id is None:
        return ""
    url = reverse("backoffice:member_360", kwargs={"code": code, "member_id": entry.member_id}, urlconf=PUBLIC_URLCONF)
    return f"{url}#{entry.kind}-{entry.object_id}"


def search(user: User, q: str) -> list[SearchGroup]:
    """Entries of the user's portfolio matching ``q`` (accent- and case-insensitive, partial), by kind.

    One query per registered kind (each bounded to PER_KIND + 1 rows), on the trigram index."""
    q = normalise_query(q)
    if len(q) < MIN_QUERY:
        return []
    folded = Func(Value(q), function=FOLD, output_field=TextField())
    syndicates = list(staff_syndicates(user).values_list("pk", flat=True))
    base = (
        SearchEntry.objects.filter(syndicate_id__in=syndicates)
        .annotate(needle=folded)
        .filter(text__contains=F("needle"))
        .select_related("syndicate")
    )
    groups = []
    for kind in search_kinds():
        rows = list(base.filter(kind=kind.name).order_by("label", "object_id")[: PER_KIND + 1])
        if not rows:
            continue
        group = SearchGroup(name=kind.name, label=kind.label, more=len(rows) > PER_KIND)
        for entry in rows[:PER_KIND]:
            group.results.append(
                {
                    "label": entry.label,
                    "detail": entry.detail,
                    "syndicate": entry.syndicate.name,
                    "code": entry.syndicate.code,
                    "url": _url(entry.syndicate.code, entry),
                    "member_id": entry.member_id,
                    "object_id": entry.object_id,
                }
            )
        groups.append(group)
    return groups


_SAFE_KEY = re.compile(r"^[\w:.-]{1,100}$")


def valid_key(key: str) -> bool:
    return bool(_SAFE_KEY.match(key))


def work_queue(user: User) -> list[dict[str, Any]]:
    """Everything waiting in the user's portfolio, the oldest first: each registered kind listed
    inside each syndicate (one entry at a time, explicitly), less the items marked done."""
    items: list[dict[str, Any]] = []
    syndicates = list(staff_syndicates(user).order_by("name"))
    states = {
        (s.syndicate_id, s.kind, s.key): s
        for s in WorkItemState.objects.filter(syndicate__in=syndicates).select_related("taken_by")
    }
    for syndicate in syndicates:
        with tenant_context(syndicate):
            found: list[tuple[str, Any, QueueItem]] = [
                (kind.name, kind.label, item) for kind in queue_kinds() for item in kind.items(QUEUE_PER_KIND)
            ]
        for kind_name, kind_label, item in found:
            state = states.get((syndicate.pk, kind_name, item.key))
            if state is not None and state.done_at is not None:
                continue
            items.append(
                {
                    "syndicate": syndicate,
                    "kind": kind_name,
                    "kind_label": kind_label,
                    "item": item,
                    "taken_by": state.taken_by if state is not None else None,
                }
            )
    items.sort(key=lambda row: row["item"].since)
    return items


def work_queue_counts(items: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in items:
        counts[str(row["kind_label"])] = counts.get(str(row["kind_label"]), 0) + 1
    return counts
