"""Reads of the back-office (public schema)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from tenants.models import Syndicate


def syndicates_for_backoffice() -> QuerySet[Syndicate]:
    """Every syndicate (tenant), the public schema excepted."""
    return Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("name")


def get_syndicate_for_backoffice(code: str) -> Syndicate:
    """One syndicate by its code (active or not); 404 for an unknown code or the public schema."""
    syndicate = syndicates_for_backoffice().filter(code=code).first()
    if syndicate is None:
        raise Http404
    return syndicate
