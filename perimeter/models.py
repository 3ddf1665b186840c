"""The park: lots, members, contacts, sites and the history of their status."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perimeter.choices import (
    ELECTRICITY_SEGMENTS,
    GAS_SEGMENTS,
    ContactRole,
    Distributor,
    DistributorState,
    EnergyMix,
    Fluid,
    MemberKind,
    Segment,
    SiteStatus,
    TariffFormula,
    TariffOption,
)
from perimeter.validators import PCE_SQL_RE, PRM_SQL_RE, validate_siren, validate_siret


def _values(choices: type[models.TextChoices]) -> list[str]:
    return [c.value for c in choices]


class Lot(models.Model):
    """A lot of the syndicate's tender: one fluid, one segment family, one delivery period."""

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    name = models.CharField(_("intitulé"), max_length=200)
    fluid = models.CharField(_("énergie"), max_length=10, choices=Fluid.choices)
    segment_family = models.CharField(_("segments"), max_length=60, help_text=_("ex. C5, ou T1/T2/T3"))
    delivery_start = models.DateField(_("début de fourniture"))
    delivery_end = models.DateField(_("fin de fourniture"))
    offer_name = models.CharField(_("offre"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lot")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(fluid__in=_values(Fluid)), name="lot_fluid_valid"),
            models.CheckConstraint(condition=Q(delivery_end__gt=models.F("delivery_start")), name="lot_period_valid"),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number} — {self.name}"


class Member(models.Model):
    """A public body of the syndicate (commune, school, hospital…): the unit of data isolation."""

    legal_name = models.CharField(_("raison sociale"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=MemberKind.choices, default=MemberKind.COMMUNE)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=14, validators=[validate_siret])
    customer_number = models.CharField(_("numéro client"), max_length=20, unique=True)
    address_line = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    # ChorusPro routing of the invoices (public buyers receive them only there).
    chorus_siret = models.CharField(_("SIRET destinataire ChorusPro"), max_length=14, blank=True)
    chorus_service_code = models.CharField(_("code service"), max_length=100, blank=True)
    chorus_commitment_number = models.CharField(_("numéro d'engagement"), max_length=50, blank=True)
    chorus_service_required = models.BooleanField(_("code service obligatoire"), default=False)
    chorus_commitment_required = models.BooleanField(_("numéro d'engagement obligatoire"), default=False)
    energy_mix = models.CharField(
        _("mix énergétique"),
        max_length=12,
        choices=EnergyMix.choices,
        blank=True,
        help_text=_("Sans choix de votre part, le mix énergétique par défaut de la campagne s'applique."),
    )
    lots = models.ManyToManyField(Lot, related_name="members", blank=True, verbose_name=_("lots"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membre")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=_values(MemberKind)), name="member_kind_valid"),
            models.CheckConstraint(condition=Q(siret__regex=r"^[0-9]{14}$"), name="member_siret_format"),
            models.CheckConstraint(
                condition=Q(energy_mix="") | Q(energy_mix__in=_values(EnergyMix)), name="member_energy_mix_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name


class Contact(models.Model):
    """A person to reach at a member, for one role (administrative, billing, technical)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(_("rôle"), max_length=20, choices=ContactRole.choices)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100)
    job_title = models.CharField(_("fonction"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("interlocuteur")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=_values(ContactRole)), name="contact_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Site(models.Model):
    """A delivery point (PRM for electricity, PCE for gas) of a member, in one lot."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="sites")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="sites")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites")
    fluid = models.CharField(_("énergie"), max_length=10, choices=Fluid.choices)
    delivery_point = models.CharField(_("point de livraison"), max_length=14, unique=True)
    distributor = models.CharField(_("gestionnaire de réseau"), max_length=20, choices=Distributor.choices)
    distributor_state = models.CharField(
        _("état chez le distributeur"),
        max_length=20,
        choices=DistributorState.choices,
        default=DistributorState.IN_SERVICE,
    )
    segment = models.CharField(_("segment"), max_length=2, choices=Segment.choices)
    tariff_formula = models.CharField(_("formule tarifaire (FTA)"), max_length=12, choices=TariffFormula.choices)
    tariff_option = models.CharField(_("option tarifaire"), max_length=6, choices=TariffOption.choices)
    subscribed_power_kva = models.DecimalField(
        _("puissance souscrite (kVA)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    car_kwh = models.PositiveIntegerField(_("consommation annuelle de référence (kWh)"), null=True, blank=True)
    meter_serial = models.CharField(_("numéro de compteur"), max_length=30, blank=True)
    meter_communicating = models.BooleanField(_("compteur communicant"), default=True)
    site_name = models.CharField(_("nom du site"), max_length=200)
    internal_reference = models.CharField(_("référence interne"), max_length=100, blank=True)
    other_reference = models.CharField(_("autre référence"), max_length=100, blank=True)
    address_line = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=SiteStatus.choices, default=SiteStatus.TO_CONFIRM)
    activation_date = models.DateField(_("date de mise en service"), null=True, blank=True)
    termination_date = models.DateField(_("date de résiliation"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site")
        ordering = ["site_name", "id"]
        indexes = [
            models.Index(fields=["member", "fluid", "status"]),
            models.Index(fields=["member", "site_name"]),
            models.Index(fields=["city"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(fluid__in=_values(Fluid)), name="site_fluid_valid"),
            models.CheckConstraint(condition=Q(status__in=_values(SiteStatus)), name="site_status_valid"),
            models.CheckConstraint(condition=Q(segment__in=_values(Segment)), name="site_segment_valid"),
            models.CheckConstraint(
                condition=Q(tariff_option__in=_values(TariffOption)), name="site_tariff_option_valid"
            ),
            models.CheckConstraint(condition=Q(distributor__in=_values(Distributor)), name="site_distributor_valid"),
            models.CheckConstraint(
                condition=Q(tariff_formula__in=_values(TariffFormula)), name="site_tariff_formula_valid"
            ),
            models.CheckConstraint(
                condition=Q(distributor_state__in=_values(DistributorState)), name="site_distributor_state_valid"
            ),
            models.CheckConstraint(
                condition=(Q(fluid=Fluid.ELECTRICITY) & Q(segment__in=sorted(ELECTRICITY_SEGMENTS)))
                | (Q(fluid=Fluid.GAS) & Q(segment__in=sorted(GAS_SEGMENTS))),
                name="site_segment_matches_fluid",
            ),
            models.CheckConstraint(
                condition=(Q(fluid=Fluid.ELECTRICITY) & Q(delivery_point__regex=PRM_SQL_RE))
                | (Q(fluid=Fluid.GAS) & Q(delivery_point__regex=PCE_SQL_RE)),
                name="site_delivery_point_format",
            ),
            models.CheckConstraint(
                condition=Q(subscribed_power_kva__isnull=True) | Q(subscribed_power_kva__gt=0),
                name="site_power_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_name} ({self.delivery_point})"


class SiteStatusChange(models.Model):
    """One change of a site's status, written by the single service that changes it."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=20, choices=SiteStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SiteStatus.choices)
    effective_date = models.DateField(_("date d'effet"), null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=254, blank=True)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=_values(SiteStatus)), name="status_change_from_valid"
            ),
            models.CheckConstraint(condition=Q(to_status__in=_values(SiteStatus)), name="status_change_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.from_status} → {self.to_status}"
