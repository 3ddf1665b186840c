"""Reads of the back-office (public schema)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from tenants.models import Syndicate


def syndicates_for_backoffice() -> QuerySet[Syndicate]:
    """Every syndicate (tenant), the public schema excepted."""
    return Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("name")
