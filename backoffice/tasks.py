"""The platform's housekeeping across syndicates (beat): stored files no longer needed are deleted.

A beat task runs without a tenant: it iterates the syndicates and enters each one with
``tenant_context``; each app's service decides which of its files may go (an expired
export, an upload past ``STORED_UPLOAD_RETENTION_DAYS``, an orphan) and audits what it
deleted in the syndicate's trail. Running it twice deletes nothing more.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django_tenants.utils import tenant_context

from config.tasks import PolicyTask
from consumption.services import ingestion_files_purge
from perimeter.importing.services import import_files_purge
from reports.services import exports_purge_expired
from tenants.models import Syndicate

logger = logging.getLogger(__name__)


@shared_task(base=PolicyTask, queue="light")
def stored_files_purge_all() -> dict[str, dict[str, int]]:
    """Delete every syndicate's expired export files, old uploads and orphan files (beat, daily)."""
    result: dict[str, dict[str, int]] = {}
    # Inactive syndicates too: their files age like the others'.
    for syndicate in Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("schema_name"):
        with tenant_context(syndicate):
            counts = {
                "exports": exports_purge_expired(),
                "imports": import_files_purge(),
                "ingestions": ingestion_files_purge(),
            }
        result[syndicate.code] = {
            f"{kind}_{field}": getattr(count, field)
            for kind, count in counts.items()
            for field in ("expired", "orphans")
        }
        logger.info("stored files purge %s: %s", syndicate.schema_name, result[syndicate.code])
    return result
