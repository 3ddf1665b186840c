"""Subscriptions to the Direct View mailed after each billing run, and the log of what was sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from invoicing.models import BillingRun


class BillingFileSubscription(models.Model):
    """A user receiving the Direct View of each billing run: its member's invoices (the coordinator: the
    whole syndicate's). Whom it covers follows the user's scoping at send time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_file_subscription"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement au Direct View")

    def __str__(self) -> str:
        return str(self.user_id)


class BillingFileDispatch(models.Model):
    """The Direct View of one run asked for one subscriber: once (unique), whatever the retries."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="file_dispatches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    export_job = models.UUIDField(null=True, blank=True)  # the reports framework's job that builds and mails it
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("envoi du Direct View")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="billing_file_dispatch_once")]

    def __str__(self) -> str:
        return f"{self.run_id} → {self.user_id}"
