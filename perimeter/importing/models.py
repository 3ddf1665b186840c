"""Import jobs: one record per listing uploaded by an account manager, run in the background."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perimeter.importing.choices import FINISHED_STATUSES, ImportStatus
from perimeter.models import Lot


class ImportJob(models.Model):
    """A listing file to import into one lot of the syndicate: its file, progress, outcome and error report.

    The account manager lives in the public schema, so who asked is kept by e-mail (no
    foreign key to this schema's users). The uuid is the task's idempotency key.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("lot"))
    requested_by_email = models.EmailField(_("demandé par"))
    original_name = models.CharField(_("fichier"), max_length=255)
    # Relative to MEDIA_ROOT: imports/<schema>/<uuid>.xlsx
    file_path = models.CharField(max_length=300)
    file_size = models.PositiveBigIntegerField(_("taille"), default=0)
    status = models.CharField(_("statut"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(_("progression"), default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    rows_read = models.PositiveIntegerField(_("lignes lues"), default=0)
    error_count = models.PositiveIntegerField(_("erreurs"), default=0)
    # Created / updated (with changed fields) / unchanged per sheet; see importing.services.
    summary = models.JSONField(default=dict, blank=True)
    error_report_path = models.CharField(max_length=300, blank=True)
    error_message = models.CharField(_("message"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import du listing")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ImportStatus]), name="importjob_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="importjob_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def has_changes(self) -> bool:
        return any(
            counts.get("created") or counts.get("updated") for counts in (self.summary.get("counts") or {}).values()
        )
