"""Reminders sent to the members that have not finished a campaign's journey."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datacollection.models import Campaign
from perimeter.models import Member


class Reminder(models.Model):
    """One reminder e-mail to one member for one campaign: who asked, when, to whom, when it went out.

    The account manager lives in the public schema: kept by e-mail. ``sent_at`` is the
    sending task's idempotency key (a redelivered task sends nothing twice).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="reminders")
    sent_by = models.EmailField(_("envoyée par"))
    requested_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    recipients = models.JSONField(_("destinataires"), default=list)
    # Set when the sending task gave up (retries exhausted): the follow-up table says so.
    failed_at = models.DateTimeField(_("échec de l'envoi le"), null=True, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("relance")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["campaign", "member", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.member_id} — {self.campaign_id} ({self.requested_at:%Y-%m-%d})"
