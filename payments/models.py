"""Payments of issued invoices, their imports and the overdue reminders (tenant schema).

An issued invoice is immutable, so its payment state lives here and is derived
(``payments.selectors``): the sum of its ``Payment`` rows against its total incl. VAT, its
due date, and whether a credit note cancels it. A payment's natural key
``(invoice, date, amount, reference)`` is unique: the same line imported twice is one payment.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from invoicing.models import Invoice
from payments.choices import ImportStatus, PaymentSource


class PaymentImport(models.Model):
    """One payments file (or API push): all its lines recorded, or none (``refused`` with the errors)."""

    source = models.CharField(_("origine"), max_length=12, choices=PaymentSource.choices)
    file_name = models.CharField(_("fichier"), max_length=255, blank=True)
    by = models.CharField(_("par"), max_length=254)
    status = models.CharField(_("état"), max_length=10, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("lignes lues"), default=0)
    created = models.PositiveIntegerField(_("paiements enregistrés"), default=0)
    duplicates = models.PositiveIntegerField(_("lignes déjà enregistrées"), default=0)
    # [{"line": 2, "column": "Montant", "message": "…"}]
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import de paiements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[c.value for c in ImportStatus]), name="payment_import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=[c.value for c in PaymentSource]), name="payment_import_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name or self.source} {self.status}"


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    source = models.CharField(_("origine"), max_length=12, choices=PaymentSource.choices)
    reference = models.CharField(_("référence"), max_length=100, blank=True, default="")
    batch = models.ForeignKey(PaymentImport, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paiement")
        ordering = ["invoice", "date", "id"]
        indexes = [models.Index(fields=["date"], name="payment_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "date", "amount", "reference"], name="payment_once_per_natural_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(source__in=[c.value for c in PaymentSource]), name="payment_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.date} {self.amount}"


class ReminderLog(models.Model):
    """One overdue reminder of an invoice at one stage (days after its due date): never twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payment_reminders")
    stage = models.PositiveSmallIntegerField(_("jours après l'échéance"))
    recipients = models.JSONField(default=list)
    remaining = models.DecimalField(_("reste à payer"), max_digits=14, decimal_places=2)
    sent_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("relance de paiement")
        ordering = ["invoice", "stage"]
        constraints = [models.UniqueConstraint(fields=["invoice", "stage"], name="payment_reminder_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.invoice_id} J+{self.stage}"
