"""Reads of the back-office (public schema)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import scoped_syndicates
from tenants.models import Syndicate


def syndicates_for_backoffice() -> QuerySet[Syndicate]:
    """The syndicates the current staff user reaches (its portfolio; every one for a supervisor,
    and for a task or a command), the public schema excepted (``accounts.access.scoped_syndicates``)."""
    return scoped_syndicates().order_by("name")


def get_syndicate_for_backoffice(code: str) -> Syndicate:
    """One syndicate by its code (active or not); 404 for an unknown code, the public schema or a
    syndicate outside the current staff user's portfolio."""
    syndicate = syndicates_for_backoffice().filter(code=code).first()
    if syndicate is None:
        raise Http404
    return syndicate
