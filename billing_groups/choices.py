from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingType(models.TextChoices):
    MONO_SITE = "mono_site", _("Mono-site (une facture par site)")
    MULTI_SITE = "multi_site", _("Multi-sites (plusieurs sites sur une facture)")


class PaymentMode(models.TextChoices):
    TRANSFER = "transfer", _("Virement")
    DIRECT_DEBIT = "direct_debit", _("Prélèvement")
    ADMINISTRATIVE_MANDATE = "administrative_mandate", _("Mandat administratif")


class BillingRhythm(models.TextChoices):
    MONTHLY = "monthly", _("Mensuelle")
    BIMONTHLY = "bimonthly", _("Bimestrielle")


class InvoiceDelivery(models.TextChoices):
    PAPER = "paper", _("Papier")
    EMAIL = "email", _("E-mail")
    CHORUS = "chorus", _("ChorusPro")
