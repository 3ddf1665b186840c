"""What the workspace searches and queues, registered by each app at start-up (``AppConfig.ready``).

The workspace never imports the apps it serves. A kind of search result registers its
label and the link of a result (``register_search_kind``) and keeps its rows in the
index inside its writing transaction — by a statement trigger (``workspace.sql``, the
park and the accounts) or by calling ``workspace.services.search_entries_upsert`` /
``search_entries_delete`` from its services — and gives every row again for a rebuild
(``rebuild``, run inside the syndicate). A kind of work-queue item registers how to list
what is waiting in one syndicate (``register_queue_kind``; run inside the syndicate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndexRow:
    """One object to index: its id, its member (for the 360 page) and what is shown and searched."""

    object_id: int
    label: str
    detail: str = ""
    text: str = ""
    member_id: int | None = None


@dataclass(frozen=True)
class SearchKind:
    name: str
    label: Any  # plural, shown as the group's title (a lazy translation)
    order: int = 100
    # (syndicate code, entry) → the result's link; None: the member's 360 page.
    url: Callable[[str, Any], str] | None = None
    # Inside the syndicate: every row of the kind (manage.py search_index_rebuild); None for
    # the trigger-indexed tables, rebuilt from their SQL.
    rebuild: Callable[[], Iterable[IndexRow]] | None = None


@dataclass(frozen=True)
class QueueItem:
    """Something waiting for an account manager in one syndicate."""

    key: str  # stable within the kind and the syndicate (e.g. the object's id)
    label: str
    since: dt.datetime
    url: str = ""
    member_id: int | None = None


@dataclass(frozen=True)
class QueueKind:
    name: str
    label: Any
    # Inside the syndicate: the items waiting now (the oldest first, at most ``limit``).
    items: Callable[[int], list[QueueItem]]


_search_kinds: dict[str, SearchKind] = {}
_queue_kinds: dict[str, QueueKind] = {}


def register_search_kind(kind: SearchKind) -> None:
    _search_kinds[kind.name] = kind


def search_kinds() -> list[SearchKind]:
    return sorted(_search_kinds.values(), key=lambda k: (k.order, k.name))


def search_kind(name: str) -> SearchKind | None:
    return _search_kinds.get(name)


def register_queue_kind(kind: QueueKind) -> None:
    _queue_kinds[kind.name] = kind


def queue_kinds() -> list[QueueKind]:
    return list(_queue_kinds.values())
