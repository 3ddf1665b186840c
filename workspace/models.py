"""The search index and the work queue's states (public schema, every syndicate in one table)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class SearchEntry(models.Model):
    """One searchable object of a syndicate: a member, a site, a contact, a user… (``kind``).

    Kept fresh inside the writing transaction: the park's and the accounts' tables by
    statement-level triggers in each tenant schema (``workspace/sql.py``, every write path
    included: pages, API, import, bulk updates, COPY); other apps by the service
    ``search_entries_upsert``. ``text`` is folded (``workspace_fold``: unaccent + lower) and
    searched with a trigram index.
    """

    syndicate = models.ForeignKey("tenants.Syndicate", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    member_id = models.BigIntegerField(null=True, blank=True)
    label = models.CharField(max_length=300)
    detail = models.CharField(max_length=500, blank=True)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["syndicate", "kind", "object_id"], name="search_entry_unique"),
        ]
        indexes = [GinIndex(fields=["text"], opclasses=["gin_trgm_ops"], name="search_entry_text_trgm")]

    def __str__(self) -> str:
        return f"{self.kind} {self.label}"


class WorkItemState(models.Model):
    """What an account manager did with a work-queue item: taken (by whom), done."""

    syndicate = models.ForeignKey("tenants.Syndicate", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by_email = models.CharField(max_length=254, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["syndicate", "kind", "key"], name="work_item_state_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
