from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Facture")
    CREDIT_NOTE = "credit_note", _("Avoir")


class InvoiceState(models.TextChoices):
    """The edition state a member sees; "cancelled" is derived (a credit note cancels it)."""

    ISSUED = "issued", _("Émise")
    CANCELLED = "cancelled", _("Annulée")


class LineFamily(models.TextChoices):
    ENERGY = "energy", _("Fourniture")
    NETWORK = "network", _("Acheminement")
    TAXES = "taxes", _("Taxes et contributions")


class FixedBilling(models.TextChoices):
    """When the fixed parts (subscription, network fixed parts) are billed."""

    ADVANCE = "advance", _("À échoir")
    ARREARS = "arrears", _("Terme échu")


class PriceComponent(models.TextChoices):
    ENERGY = "energy", _("Énergie")
    CAPACITY = "capacity", _("Mécanisme de capacité")
    CEE_CLASSIC = "CEE_CLASSIC", _("Certificats d'économies d'énergie (classiques)")
    CEE_PRECARITY = "CEE_PRECARITY", _("Certificats d'économies d'énergie (précarité)")


class RunCalendar(models.TextChoices):
    """The billing calendar: which sites a run bills, and on which day of the month."""

    ESTIMATED = "estimated", _("C5 et gaz T1/T2 sur index estimés (le 1er)")
    GAS_T3 = "gas_t3", _("Gaz T3 sur index réels (le 10)")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Échec")


class IndexNature(models.TextChoices):
    REAL = "real", _("Réel")
    ESTIMATED = "estimated", _("Estimé")
