"""Export jobs: one record per export a user asked for, built in the background."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.choices import ExportStatus


class ExportJob(models.Model):
    """An export asked by a user: what, with which parameters, its progress and its file.

    The uuid is the job's unique key: the task, the download link and the email all
    refer to it, so running the task twice finds the same job (idempotency).

    Asked either by a user of the syndicate (``requested_by``) or by an account manager
    from the back-office (``requested_by_staff``, an e-mail: supplier staff have no row in
    the syndicate's schema); exactly one is set, and a staff job is syndicate-wide.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("demandé par"),
    )
    requested_by_staff = models.EmailField(_("demandé par (fournisseur)"), blank=True)
    # The member whose data the export holds; null for a coordinator's syndicate-wide export.
    member = models.ForeignKey(
        "perimeter.Member",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("membre"),
    )
    report = models.CharField(_("rapport"), max_length=60)
    parameters = models.JSONField(_("paramètres"), default=dict, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress_rows = models.PositiveIntegerField(_("lignes écrites"), default=0)
    row_count = models.PositiveIntegerField(_("nombre de lignes"), null=True, blank=True)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # Relative to MEDIA_ROOT: exports/<schema>/<member id or "all">/<uuid>.xlsx
    file_path = models.CharField(_("fichier"), max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(_("taille"), null=True, blank=True)
    error_message = models.CharField(_("message d'erreur"), max_length=500, blank=True)
    emailed_at = models.DateTimeField(_("envoyé par e-mail le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["member", "-created_at"]),
            models.Index(
                fields=["requested_by_staff", "-created_at"],
                condition=~Q(requested_by_staff=""),
                name="exportjob_staff_created_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ExportStatus]), name="exportjob_status_valid"
            ),
            # A syndicate's user, or supplier staff asking for the whole syndicate: never both, never none.
            models.CheckConstraint(
                condition=Q(requested_by__isnull=False, requested_by_staff="")
                | (Q(requested_by__isnull=True, member__isnull=True) & ~Q(requested_by_staff="")),
                name="exportjob_one_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.id}"

    @property
    def is_staff_job(self) -> bool:
        return self.requested_by_id is None

    @property
    def requester_email(self) -> str:
        """Who asked, by e-mail (where the completion mail goes)."""
        if self.requested_by_id is None:
            return self.requested_by_staff
        assert self.requested_by is not None
        return self.requested_by.email

    @property
    def is_finished(self) -> bool:
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED}

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file_path) and not self.is_expired
