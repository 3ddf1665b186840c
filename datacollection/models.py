"""The data-collection campaign of a lot and each member's journey through it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from datacollection.choices import JourneyEventKind
from perimeter.models import Lot, Member


class Campaign(models.Model):
    """The collection of contractual data for one lot: dates and the defaults applied when the member says nothing."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("lot"))
    name = models.CharField(_("intitulé"), max_length=200)
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    switch_date = models.DateField(_("date de bascule"))
    welcome_text = models.TextField(_("texte d'accueil"), blank=True)
    default_national_energy_mix = models.BooleanField(_("mix énergétique national par défaut"), default=True)
    default_grouped_invoice = models.BooleanField(_("facture groupée (multisite) par défaut"), default=True)
    default_paper_delivery = models.BooleanField(_("envoi papier par défaut"), default=True)
    default_bank_transfer = models.BooleanField(_("paiement par virement par défaut"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campagne de collecte")
        ordering = ["closes_on", "lot__number"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Journey(models.Model):
    """One member's journey through one campaign. Its progress is computed from the data, never stored."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="journeys")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="journeys")
    started_at = models.DateTimeField(_("démarré le"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the recap mail of the current validation went out (the task's idempotency key).
    recap_sent_at = models.DateTimeField(null=True, blank=True)
    unlocked_at = models.DateTimeField(_("déverrouillé le"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unlock_reason = models.CharField(_("motif du déverrouillage"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("parcours")
        ordering = ["campaign", "member"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="journey_one_per_member_and_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.campaign}"

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None


class JourneyEvent(models.Model):
    """The history of a journey (start, validations, unlocks with their reason). Append-only."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=JourneyEventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("événement du parcours")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.journey_id}: {self.kind}"
