"""Report definitions of the follow-up: the follow-up table and all the data collected in a campaign.

Syndicate-wide: only a coordinator (in the syndicate's space) may run them through the
reports framework; the back-office builds the same files with the same columns and rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from accounts.models import User
from datacollection.followup.selectors import campaign_followup
from datacollection.models import Campaign
from perimeter.choices import DistributorState, SiteStatus
from perimeter.models import Site
from reports.registry import Params, ReportDefinition, register
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
    Column("Interlocuteur", 26),
    Column("Périmètre de facturation", 30),
    Column("Type de facturation", 14),
    Column("Mode de paiement", 14),
    Column("Rythme", 12),
    Column("Envoi des factures", 14),
)

_STATUSES = {c.value: str(c.label) for c in SiteStatus}
_STATES = {c.value: str(c.label) for c in DistributorState}


def _campaign_params(params: Params) -> Params:
    unknown = set(params) - {"campaign"}
    if unknown:
        raise ValidationError(f"Paramètre inconnu : {', '.join(sorted(unknown))}.")
    try:
        campaign_id = int(params.get("campaign", ""))
    except (TypeError, ValueError) as exc:
        raise ValidationError("Indiquez la campagne.") from exc
    if not Campaign.objects.filter(pk=campaign_id).exists():
        raise ValidationError("Campagne inconnue.")
    return {"campaign": campaign_id}


def _coordinator(user: User) -> None:
    if not user.is_coordinator:
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


def collected_rows(campaign: Campaign) -> Iterator[Sequence[Any]]:
    rows = (
        collected_queryset(campaign)
        .order_by("member__legal_name", "site_name", "pk")
        .values_list(
            "member__legal_name",
            "member__customer_number",
            "member__siret",
            "member__address_line",
            "member__postcode",
            "member__city",
            "member__chorus_siret",
            "member__chorus_service_code",
            "member__chorus_commitment_number",
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
            "billing_attachment__perimeter__name",
            "billing_attachment__perimeter__billing_type",
            "billing_attachment__perimeter__payment_mode",
            "billing_attachment__perimeter__billing_rhythm",
            "billing_attachment__perimeter__invoice_delivery",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        values: list[Any] = list(row)
        values[12] = _STATUSES.get(str(values[12]), values[12])
        values[13] = _STATES.get(str(values[13]), values[13])
        yield values


def _followup_report_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    _coordinator(user)
    return followup_rows(Campaign.objects.get(pk=params["campaign"]))


def _collected_report_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    _coordinator(user)
    return collected_rows(Campaign.objects.get(pk=params["campaign"]))


@dataclass(frozen=True)
class SyndicateReportDefinition(ReportDefinition):
    """A syndicate-wide report: the coordinator only (member users never see other members' data)."""

    def allowed_for(self, user: User) -> bool:
        return bool(getattr(user, "is_coordinator", False))


CAMPAIGN_FOLLOWUP = register(
    SyndicateReportDefinition(
        name="campaign_followup",
        title="Suivi de la collecte",
        columns=FOLLOWUP_COLUMNS,
        rows=_followup_report_rows,
        count=lambda user, params: len(list(followup_rows(Campaign.objects.get(pk=params["campaign"])))),
        clean_params=_campaign_params,
    )
)
CAMPAIGN_COLLECTED_DATA = register(
    SyndicateReportDefinition(
        name="campaign_collected_data",
        title="Données collectées",
        columns=COLLECTED_COLUMNS,
        rows=_collected_report_rows,
        count=lambda user, params: collected_queryset(Campaign.objects.get(pk=params["campaign"])).count(),
        clean_params=_campaign_params,
    )
)
