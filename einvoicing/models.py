"""ChorusPro deposits of issued invoices and their status history (tenant schema).

An issued invoice is immutable, so its e-invoicing state lives here: one ``Deposit`` per
invoice and routing attempt (unique ``(invoice, attempt)``: the idempotent key — a deposit
is sent at most once, its row locked while it is sent), and one ``DepositEvent`` per status
it went through. An invoice ChorusPro asks to recycle (``A_RECYCLER``) is deposited again,
same number, as the next attempt once its billing perimeter's routing is fixed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from einvoicing.choices import DepositStatus
from invoicing.models import Invoice


class Deposit(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="chorus_deposits")
    attempt = models.PositiveSmallIntegerField(_("tentative"), default=1)
    status = models.CharField(_("état"), max_length=16, choices=DepositStatus.choices, default=DepositStatus.PENDING)
    chorus_status = models.CharField(_("statut ChorusPro"), max_length=40, blank=True)
    # The routing sent (buyer SIRET, service code, commitment number), as it was at deposit.
    siret = models.CharField(_("SIRET destinataire"), max_length=14)
    service_code = models.CharField(_("code service"), max_length=100, blank=True)
    commitment_number = models.CharField(_("numéro d'engagement"), max_length=50, blank=True)
    flux_number = models.CharField(_("numéro de flux"), max_length=40, blank=True)
    chorus_invoice_id = models.CharField(_("identifiant ChorusPro"), max_length=40, blank=True)
    outbox_path = models.CharField(_("fichier du dossier d'envoi"), max_length=300, blank=True)
    reason = models.TextField(_("motif"), blank=True)  # plain French: what ChorusPro said
    fix = models.TextField(_("que faire"), blank=True)  # plain French: what to correct
    requested_by = models.CharField(_("demandé par"), max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dépôt ChorusPro")
        ordering = ["invoice", "-attempt"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "attempt"], name="deposit_once_per_attempt"),
            models.CheckConstraint(
                condition=Q(status__in=[c.value for c in DepositStatus]), name="deposit_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status"], name="deposit_status")]

    def __str__(self) -> str:
        return f"{self.invoice_id}#{self.attempt} {self.status}"


class DepositEvent(models.Model):
    """One status a deposit went through, with ChorusPro's code and the reason in French."""

    deposit = models.ForeignKey(Deposit, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=DepositStatus.choices)
    chorus_status = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("événement de dépôt")
        ordering = ["deposit", "at", "id"]

    def __str__(self) -> str:
        return f"{self.deposit_id} {self.status}"
