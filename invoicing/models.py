"""Contract prices, billing runs and invoices of a syndicate (tenant schema).

The regulated rates are in `invoicing.grids` (public schema, national). An issued invoice and
its sites, lines and VAT amounts are immutable: a database trigger refuses any UPDATE or DELETE
(migration 0002); a correction is a credit note that cancels it in full, then a new invoice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from billing_groups.models import BillingPerimeter
from invoicing.choices import (
    FixedBilling,
    IndexNature,
    InvoiceKind,
    LineFamily,
    PriceComponent,
    RunCalendar,
    RunStatus,
)
from perimeter.models import Lot, Member, Site

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise


def _money(verbose_name: StrPromise | None = None) -> models.DecimalField[Any, Decimal]:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2)


def _unit_price(verbose_name: StrPromise | None = None) -> models.DecimalField[Any, Decimal]:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=6)


def _quantity(verbose_name: StrPromise | None = None) -> models.DecimalField[Any, Decimal]:
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=3)


def _values(choices: type[models.TextChoices]) -> list[str]:
    return [c.value for c in choices]


class ContractPriceSet(models.Model):
    """The supplier's prices for a lot from a date on (the newest set whose start has come applies)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="price_sets")
    valid_from = models.DateField(_("en vigueur à partir du"))
    fixed_billing = models.CharField(
        _("parts fixes facturées"), max_length=10, choices=FixedBilling.choices, default=FixedBilling.ADVANCE
    )
    payment_delay_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(_("saisi par"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("prix du contrat")
        ordering = ["lot", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "valid_from"], name="price_set_unique_per_lot_and_date"),
            models.CheckConstraint(
                condition=Q(fixed_billing__in=_values(FixedBilling)), name="price_set_fixed_billing_valid"
            ),
            models.CheckConstraint(condition=Q(payment_delay_days__lte=60), name="price_set_payment_delay_legal"),
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.valid_from}"


class ContractPrice(models.Model):
    """One price of a set: energy or capacity per post (energy per delivery year), or a CEE obligation."""

    price_set = models.ForeignKey(ContractPriceSet, on_delete=models.CASCADE, related_name="prices")
    component = models.CharField(_("composante"), max_length=20, choices=PriceComponent.choices)
    post = models.CharField(_("poste"), max_length=4, default="BASE")
    # Energy prices differ by delivery year; null: every year of the set.
    delivery_year = models.PositiveSmallIntegerField(_("année de livraison"), null=True, blank=True)
    unit_price = _unit_price(_("prix unitaire (€/kWh)"))
    coefficient = models.DecimalField(_("coefficient CEE"), max_digits=8, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("prix unitaire")
        ordering = ["price_set", "component", "post", "delivery_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_set", "component", "post", "delivery_year"],
                name="contract_price_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(component__in=_values(PriceComponent)), name="contract_price_component_valid"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="contract_price_not_negative"),
            # A CEE price carries its coefficient; energy and capacity do not.
            models.CheckConstraint(
                condition=Q(component__startswith="CEE_", coefficient__isnull=False)
                | (~Q(component__startswith="CEE_") & Q(coefficient__isnull=True)),
                name="contract_price_cee_coefficient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component}/{self.post} {self.unit_price}"


class BillingRun(models.Model):
    """One billing of the syndicate for an issue date and a calendar; the same run twice bills nothing twice."""

    calendar = models.CharField(_("calendrier"), max_length=12, choices=RunCalendar.choices)
    issue_date = models.DateField(_("date d'émission"))
    status = models.CharField(_("état"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.CharField(_("lancée par"), max_length=254, blank=True)  # e-mail, or "calendrier"
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    perimeters_total = models.PositiveIntegerField(default=0)
    perimeters_done = models.PositiveIntegerField(default=0)
    invoices_issued = models.PositiveIntegerField(default=0)
    sites_billed = models.PositiveIntegerField(default=0)
    sites_skipped = models.PositiveIntegerField(default=0)
    # [{"site": id, "delivery_point": "…", "reason": "…"}], the run report's skipped rows.
    skipped = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("campagne de facturation")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "issue_date"], name="billing_run_unique_per_date"),
            models.CheckConstraint(condition=Q(calendar__in=_values(RunCalendar)), name="billing_run_calendar_valid"),
            models.CheckConstraint(condition=Q(status__in=_values(RunStatus)), name="billing_run_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_calendar_display()} {self.issue_date}"


class InvoiceCounter(models.Model):
    """The last number given in a series (per year); locked while a number is assigned, so no gap."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de factures")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Invoice(models.Model):
    """An issued invoice or credit note of one billing perimeter: immutable once written."""

    number = models.CharField(_("numéro"), max_length=30, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    run = models.ForeignKey(BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    perimeter = models.ForeignKey(BillingPerimeter, on_delete=models.PROTECT, related_name="invoices")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="invoices")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="invoices")
    cancels = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="cancelled_by", verbose_name=_("annule")
    )
    label = models.CharField(_("libellé"), max_length=200)
    issue_date = models.DateField(_("date d'émission"))
    accounting_date = models.DateField(_("date comptable"))
    due_date = models.DateField(_("date d'échéance"))
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    consumption_kwh = _quantity(_("consommation (kWh)"))
    energy = _money(_("fourniture HT"))
    network = _money(_("acheminement HT"))
    taxes = _money(_("taxes HT"))
    total_excl_vat = _money(_("total HT"))
    vat_total = _money(_("TVA"))
    total_incl_vat = _money(_("total TTC"))
    reception_mode = models.CharField(_("mode de réception"), max_length=10)  # the perimeter's, at issue
    payment_mode = models.CharField(_("mode de paiement"), max_length=30)
    # The buyer as it was at issue (legal name, SIRET, address, customer number, ChorusPro routing).
    buyer = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("facture")
        ordering = ["-issue_date", "-number"]
        indexes = [
            models.Index(fields=["member", "issue_date"], name="invoice_member_issue_date"),
            models.Index(fields=["perimeter", "issue_date"], name="invoice_perimeter_issue_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=_values(InvoiceKind)), name="invoice_kind_valid"),
            # A credit note cancels exactly one invoice; an invoice cancels nothing.
            models.CheckConstraint(
                condition=Q(kind=InvoiceKind.CREDIT_NOTE, cancels__isnull=False)
                | Q(kind=InvoiceKind.INVOICE, cancels__isnull=True),
                name="invoice_credit_note_cancels_one",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="invoice_period_ordered"),
            models.CheckConstraint(
                condition=Q(total_incl_vat=F("total_excl_vat") + F("vat_total")), name="invoice_totals_consistent"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceSite(models.Model):
    """A site's part of an invoice: its recap line, its periods and the indexes billed."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="sites")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="invoice_parts")
    position = models.PositiveIntegerField()
    delivery_point = models.CharField(_("point de livraison"), max_length=14)
    site_name = models.CharField(_("nom du site"), max_length=200)
    consumption_start = models.DateField()
    consumption_end = models.DateField()
    fixed_start = models.DateField()
    fixed_end = models.DateField()
    consumption_kwh = _quantity()
    # {post: {"start": "…", "end": "…"}} in kWh, and the nature of the end index.
    indexes = models.JSONField(default=dict)
    index_nature = models.CharField(max_length=10, choices=IndexNature.choices)
    energy = _money()
    network = _money()
    taxes = _money()
    total_excl_vat = _money()
    vat_total = _money()
    total_incl_vat = _money()

    class Meta:
        verbose_name = _("site facturé")
        ordering = ["invoice", "position"]
        indexes = [models.Index(fields=["site", "consumption_end"], name="invoice_site_site_end")]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "site"], name="invoice_site_once"),
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_site_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.delivery_point}"


class InvoiceLine(models.Model):
    """One line of the engine's output: quantity × unit price, rounded to the cent."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    invoice_site = models.ForeignKey(InvoiceSite, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField()
    code = models.CharField(max_length=40)
    family = models.CharField(max_length=10, choices=LineFamily.choices)
    label = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField()
    quantity = _quantity()
    unit = models.CharField(max_length=20)
    unit_price = _unit_price()
    amount = _money()
    vat_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("ligne de facture")
        ordering = ["invoice_site", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice_site", "position"], name="invoice_line_position_unique"),
            models.CheckConstraint(condition=Q(family__in=_values(LineFamily)), name="invoice_line_family_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.amount}"


class InvoiceVat(models.Model):
    """The VAT of an invoice at one rate: rounded on the sum of its base (EN 16931 BR-CO-17)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="vat_lines")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    base = _money()
    amount = _money()

    class Meta:
        verbose_name = _("TVA par taux")
        ordering = ["invoice", "percent"]
        constraints = [models.UniqueConstraint(fields=["invoice", "percent"], name="invoice_vat_rate_once")]

    def __str__(self) -> str:
        return f"{self.percent} % {self.amount}"


class InvoicePdf(models.Model):
    """The archived PDF of an issued invoice: written once under MEDIA_ROOT, never replaced (migration 0003).

    ``path`` is relative to MEDIA_ROOT (``invoices/<schema>/<year>/<number>.pdf``); ``sha256`` and
    ``size`` describe the bytes written, so the file can be checked against its row.
    """

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="stored_pdf")
    path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    rendered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("PDF archivé de facture")

    def __str__(self) -> str:
        return self.path
