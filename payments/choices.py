from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentSource(models.TextChoices):
    """Where a payment was learnt from."""

    ACCOUNTING = "accounting", _("Comptabilité du fournisseur (fichier)")
    API = "api", _("Comptabilité du fournisseur (API)")
    CHORUS = "chorus", _("ChorusPro (mise en paiement)")


class ImportStatus(models.TextChoices):
    DONE = "done", _("Enregistré")
    REFUSED = "refused", _("Refusé (rien n'a été enregistré)")


class PaymentState(models.TextChoices):
    """An invoice's payment state, derived (never stored) from its payments, its due date and its credit note."""

    UNPAID = "unpaid", _("À payer")
    PARTIAL = "partial", _("Partiellement payée")
    PAID = "paid", _("Payée")
    OVERDUE = "overdue", _("En retard")
    SETTLED = "settled", _("Soldée par avoir")
    CREDIT = "credit", _("Avoir")


# Reminder stages: days after the due date.
REMINDER_STAGES = (1, 15, 30)
