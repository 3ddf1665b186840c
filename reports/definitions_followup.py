"""Report definitions of the follow-up: the follow-up table and all the data collected in a campaign.

Syndicate-wide: a coordinator (in the syndicate's space) or an account manager (from the
back-office, which enters the syndicate explicitly) asks for them through the reports
framework; member users never get them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Trim
from rest_framework import serializers

from billing_groups.choices import BillingRhythm, BillingType, InvoiceDelivery, PaymentMode
from billing_groups.services import PERIMETER_FIELDS
from datacollection.followup.selectors import campaign_followup
from datacollection.models import Campaign, Journey
from datacollection.services import MEMBER_FIELDS
from perimeter.choices import ContactRole, DistributorState, EnergyMix, SiteStatus
from perimeter.models import Contact, Member, Site
from reports.registry import (
    Params,
    ReportParams,
    Requester,
    StaffRequester,
    SyndicateReportDefinition,
    params_only,
    register,
)
from spreadsheets.xlsx import DATE, DATETIME, NUMBER, Column

FOLLOWUP_COLUMNS = (
    Column("Membre", 34),
    Column("N° client", 14),
    Column("Commune", 20),
    Column("État", 14),
    Column("Progression (%)", 12, NUMBER),
    Column("Sites", 8, NUMBER),
    Column("Dernière activité", 18, DATETIME),
    Column("Validé le", 18, DATETIME),
    Column("Relances", 9, NUMBER),
    Column("Dernière relance", 18, DATETIME),
)

COLLECTED_COLUMNS = (
    Column("Membre", 34),
    Column("N° client", 14),
    Column("SIRET", 16),
    Column("Adresse du membre", 30),
    Column("Code postal du membre", 10),
    Column("Commune du membre", 20),
    Column("SIRET ChorusPro", 16),
    Column("Code service ChorusPro", 16),
    Column("N° d'engagement", 16),
    Column("Mix énergétique", 22),
    Column("Interlocuteur administratif", 28),
    Column("Interlocuteur facturation", 28),
    Column("Interlocuteur technique", 28),
    Column("Parcours validé le", 18, DATETIME),
    Column("Point de livraison", 18),
    Column("Nom du site", 30),
    Column("Référence interne", 16),
    Column("Statut", 22),
    Column("État chez le distributeur", 18),
    Column("Date de mise en service", 13, DATE),
    Column("Segment", 8),
    Column("Option tarifaire", 10),
    Column("Adresse du site", 30),
    Column("Code postal", 10),
    Column("Commune", 20),
    Column("Interlocuteur du site", 26),
    Column("Périmètre de facturation", 30),
    Column("Segment du périmètre", 10),
    Column("Type de facturation", 14),
    Column("Mode de paiement", 14),
    Column("Rythme", 12),
    Column("Envoi des factures", 14),
    Column("E-mail de réception", 26),
    Column("SIRET ChorusPro du périmètre", 16),
    Column("Code service du périmètre", 16),
    Column("N° d'engagement du périmètre", 16),
    Column("Référence budgétaire", 16),
)
# Where the site's own columns start: a member without a site leaves them empty.
_SITE_COLUMNS_FROM = 14

_STATUSES = {c.value: str(c.label) for c in SiteStatus}
_STATES = {c.value: str(c.label) for c in DistributorState}


class CampaignParams(ReportParams):
    campaign = serializers.IntegerField(min_value=1, help_text="La campagne de collecte.")


def _campaign_params(params: Params) -> Params:
    params_only(params, {"campaign"})
    try:
        campaign_id = int(params.get("campaign", ""))
    except (TypeError, ValueError) as exc:
        raise ValidationError("Indiquez la campagne.") from exc
    if not Campaign.objects.filter(pk=campaign_id).exists():
        raise ValidationError("Campagne inconnue.")
    return {"campaign": campaign_id}


def _syndicate_reader(requester: Requester) -> None:
    """The whole syndicate's rows: supplier staff, or the syndicate's coordinator; nobody else."""
    if isinstance(requester, StaffRequester):
        return
    if not requester.is_coordinator:
        raise PermissionDenied


def followup_rows(campaign: Campaign) -> Iterator[Sequence[Any]]:
    for row in campaign_followup(campaign):
        yield (
            row.legal_name,
            row.customer_number,
            row.city,
            row.state_label,
            row.percent,
            row.sites,
            row.last_activity,
            row.validated_at,
            row.reminders,
            row.last_reminder_at,
        )


def collected_queryset(campaign: Campaign) -> QuerySet[Site]:
    return Site.objects.filter(lot_id=campaign.lot_id)


def _members_without_sites(campaign: Campaign) -> QuerySet[Member]:
    return Member.objects.filter(lots__id=campaign.lot_id).exclude(sites__lot_id=campaign.lot_id)


def collected_count(campaign: Campaign) -> int:
    return collected_queryset(campaign).count() + _members_without_sites(campaign).count()


def _member_values(campaign: Campaign, member_ref: str) -> dict[str, Any]:
    """The member's columns as annotations: its contact per role and its journey's validation."""
    annotations: dict[str, Any] = {}
    for role in (ContactRole.ADMINISTRATIVE, ContactRole.BILLING, ContactRole.TECHNICAL):
        contact = Contact.objects.filter(member_id=OuterRef(member_ref), role=role).order_by("pk")
        annotations[f"contact_{role}"] = Subquery(
            contact.annotate(
                label=Concat(
                    Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField())),
                    Value(" — "),
                    "email",
                    output_field=CharField(),
                )
            ).values("label")[:1]
        )
    journey = Journey.objects.filter(campaign=campaign, member_id=OuterRef(member_ref))
    annotations["validated_at"] = Subquery(journey.values("validated_at")[:1])
    return annotations


# The member's columns: its name and customer number, then what step 1 collects.
_MEMBER_FIELDS = ("legal_name", "customer_number", *MEMBER_FIELDS[1:])
_PERIMETER_FIELDS = PERIMETER_FIELDS
_MIXES = {c.value: str(c.label) for c in EnergyMix}
_LABELS = {
    "status": _STATUSES,
    "distributor_state": _STATES,
    "billing_attachment__perimeter__billing_type": {c.value: str(c.label) for c in BillingType},
    "billing_attachment__perimeter__payment_mode": {c.value: str(c.label) for c in PaymentMode},
    "billing_attachment__perimeter__billing_rhythm": {c.value: str(c.label) for c in BillingRhythm},
    "billing_attachment__perimeter__invoice_delivery": {c.value: str(c.label) for c in InvoiceDelivery},
    "member__energy_mix": _MIXES,
}


def collected_rows(campaign: Campaign) -> Iterator[Sequence[Any]]:
    """Everything collected in the campaign: one row per site of the lot (member, site, billing
    perimeter), then one row per member of the lot that has no site in it."""
    site_fields = [
        *[f"member__{name}" for name in _MEMBER_FIELDS],
        "contact_administrative",
        "contact_billing",
        "contact_technical",
        "validated_at",
        "delivery_point",
        "site_name",
        "internal_reference",
        "status",
        "distributor_state",
        "activation_date",
        "segment",
        "tariff_option",
        "address_line",
        "postcode",
        "city",
        "contact__email",
        *[f"billing_attachment__perimeter__{name}" for name in _PERIMETER_FIELDS],
    ]
    labels = [_LABELS.get(name) for name in site_fields]
    sites = (
        collected_queryset(campaign)
        .annotate(**_member_values(campaign, "member_id"))
        .order_by("member__legal_name", "site_name", "pk")
        .values_list(*site_fields)
    )
    for row in sites.iterator(chunk_size=2000):
        yield [label.get(value, value) if label and value else value for label, value in zip(labels, row, strict=True)]
    member_fields = [*_MEMBER_FIELDS, "contact_administrative", "contact_billing", "contact_technical", "validated_at"]
    without_sites = (
        _members_without_sites(campaign)
        .annotate(**_member_values(campaign, "pk"))
        .order_by("legal_name", "pk")
        .values_list(*member_fields)
    )
    empty = [None] * (len(COLLECTED_COLUMNS) - _SITE_COLUMNS_FROM)
    for member_row in without_sites.iterator(chunk_size=2000):
        values = list(member_row)
        values[9] = _MIXES.get(values[9], values[9])
        yield [*values, *empty]


def _followup_report_rows(requester: Requester, params: Params) -> Iterator[Sequence[Any]]:
    _syndicate_reader(requester)
    return followup_rows(Campaign.objects.get(pk=params["campaign"]))


def _followup_report_count(requester: Requester, params: Params) -> int:
    _syndicate_reader(requester)
    return len(list(followup_rows(Campaign.objects.get(pk=params["campaign"]))))


def _collected_report_rows(requester: Requester, params: Params) -> Iterator[Sequence[Any]]:
    _syndicate_reader(requester)
    return collected_rows(Campaign.objects.get(pk=params["campaign"]))


def _collected_report_count(requester: Requester, params: Params) -> int:
    _syndicate_reader(requester)
    return collected_count(Campaign.objects.get(pk=params["campaign"]))


CAMPAIGN_FOLLOWUP = register(
    SyndicateReportDefinition(
        name="campaign_followup",
        title="Suivi de la collecte",
        columns=FOLLOWUP_COLUMNS,
        rows=_followup_report_rows,
        count=_followup_report_count,
        clean_params=_campaign_params,
        params=CampaignParams,
    )
)
CAMPAIGN_COLLECTED_DATA = register(
    SyndicateReportDefinition(
        name="campaign_collected_data",
        title="Données collectées",
        columns=COLLECTED_COLUMNS,
        rows=_collected_report_rows,
        count=_collected_report_count,
        clean_params=_campaign_params,
        params=CampaignParams,
    )
)
