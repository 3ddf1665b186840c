"""Billing perimeters (budget groups) of a member and the sites attached to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_groups.choices import BillingRhythm, BillingType, InvoiceDelivery, PaymentMode
from perimeter.choices import Segment
from perimeter.models import Member, Site
from perimeter.validators import validate_siret


def _values(choices: type[models.TextChoices]) -> list[str]:
    return [c.value for c in choices]


class BillingPerimeter(models.Model):
    """A group of sites of one segment billed together, with its payment and delivery settings."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="billing_perimeters")
    name = models.CharField(_("nom du périmètre"), max_length=200)
    segment = models.CharField(_("typologie de segment"), max_length=2, choices=Segment.choices)
    billing_type = models.CharField(
        _("type de facturation"), max_length=12, choices=BillingType.choices, default=BillingType.MULTI_SITE
    )
    payment_mode = models.CharField(
        _("mode de paiement"), max_length=30, choices=PaymentMode.choices, default=PaymentMode.TRANSFER
    )
    billing_rhythm = models.CharField(
        _("rythme de facturation"), max_length=12, choices=BillingRhythm.choices, default=BillingRhythm.MONTHLY
    )
    invoice_delivery = models.CharField(
        _("mode d'envoi des factures"), max_length=10, choices=InvoiceDelivery.choices, default=InvoiceDelivery.PAPER
    )
    delivery_email = models.EmailField(_("e-mail de réception des factures"), blank=True)
    chorus_siret = models.CharField(
        _("SIRET destinataire ChorusPro"), max_length=14, blank=True, validators=[validate_siret]
    )
    chorus_service_code = models.CharField(_("code service ChorusPro"), max_length=100, blank=True)
    chorus_commitment_number = models.CharField(_("numéro d'engagement"), max_length=50, blank=True)
    budget_reference = models.CharField(
        _("référence budgétaire"),
        max_length=100,
        blank=True,
        help_text=_("Imputation ou budget annexe dans votre comptabilité (ex. « Budget assainissement »)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("périmètre de facturation")
        verbose_name_plural = _("périmètres de facturation")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "name"], name="billing_perimeter_name_unique_per_member"),
            models.CheckConstraint(condition=Q(segment__in=_values(Segment)), name="billing_perimeter_segment_valid"),
            models.CheckConstraint(
                condition=Q(billing_type__in=_values(BillingType)), name="billing_perimeter_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(payment_mode__in=_values(PaymentMode)), name="billing_perimeter_payment_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(billing_rhythm__in=_values(BillingRhythm)), name="billing_perimeter_rhythm_valid"
            ),
            models.CheckConstraint(
                condition=Q(invoice_delivery__in=_values(InvoiceDelivery)), name="billing_perimeter_delivery_valid"
            ),
            # Each delivery channel needs its address: an email, or the ChorusPro recipient.
            models.CheckConstraint(
                condition=~Q(invoice_delivery=InvoiceDelivery.EMAIL) | ~Q(delivery_email=""),
                name="billing_perimeter_email_delivery_has_email",
            ),
            models.CheckConstraint(
                condition=~Q(invoice_delivery=InvoiceDelivery.CHORUS) | Q(chorus_siret__regex=r"^[0-9]{14}$"),
                name="billing_perimeter_chorus_delivery_has_siret",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BillingPerimeterSite(models.Model):
    """The attachment of a site to a billing perimeter; a site has at most one (unique site)."""

    perimeter = models.ForeignKey(BillingPerimeter, on_delete=models.CASCADE, related_name="attachments")
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="billing_attachment")
    attached_at = models.DateTimeField(default=timezone.now)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rattachement d'un site")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.site_id} → {self.perimeter_id}"


class BudgetLine(models.Model):
    """One of a member's own budget lines for a year (e.g. « 6061 — Budget assainissement »)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("année"))
    code = models.CharField(_("code de la ligne budgétaire"), max_length=50)
    label = models.CharField(_("libellé"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        ordering = ["member", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "code"], name="budget_line_unique_per_member_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="budget_line_year_range"),
            models.CheckConstraint(condition=~Q(code=""), name="budget_line_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}".strip()


class SiteRouting(models.Model):
    """A site's budget line for a year (the Direct View and the annual sheet carry it)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="routings")
    year = models.PositiveSmallIntegerField(_("année"))
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="site_routings")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("imputation d'un site")
        ordering = ["site", "year"]
        constraints = [models.UniqueConstraint(fields=["site", "year"], name="site_routing_once_per_year")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.year} → {self.budget_line_id}"


class PerimeterRouting(models.Model):
    """A billing perimeter's routing for a year: budget line, ChorusPro service code and commitment number."""

    perimeter = models.ForeignKey(BillingPerimeter, on_delete=models.CASCADE, related_name="routings")
    year = models.PositiveSmallIntegerField(_("année"))
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="perimeter_routings"
    )
    service_code = models.CharField(_("code service ChorusPro"), max_length=100, blank=True)
    commitment_number = models.CharField(_("numéro d'engagement"), max_length=50, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("routage d'un périmètre")
        ordering = ["perimeter", "year"]
        constraints = [models.UniqueConstraint(fields=["perimeter", "year"], name="perimeter_routing_once_per_year")]

    def __str__(self) -> str:
        return f"{self.perimeter_id} {self.year}"
