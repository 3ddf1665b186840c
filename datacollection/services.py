"""Writes of the data-collection journey. Every write first calls ``journey_assert_editable``.

Site statuses change only through perimeter's ``site_change_status`` / ``sites_change_status``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.mail import mail_message
from accounts.models import User
from billing_groups import services as billing
from billing_groups.services import ATTACHABLE_STATUSES
from datacollection.choices import MEMBER_SITE_STATUSES, JourneyEventKind
from datacollection.filtersets import filter_journey_sites
from datacollection.models import Campaign, Journey, JourneyEvent
from datacollection.selectors import journey_locked, member_journey
from perimeter import services as park
from perimeter.choices import ContactRole, EnergyMix
from perimeter.extensions import MemberLocked
from perimeter.models import Contact, Lot, Member, Site
from perimeter.validators import MEMBER_FIELDS as VALIDATED_MEMBER_FIELDS
from perimeter.validators import SITE_FIELDS as VALIDATED_SITE_FIELDS
from perimeter.validators import clean_fields_or_raise, validate_delivery_point

JOURNEY_LOCKED_MESSAGE = (
    "Votre parcours est validé : il n'est plus modifiable sans un appel ou un mail auprès de nos services."
)
MEMBER_FIELDS = (
    "legal_name",
    "siret",
    "address_line",
    "postcode",
    "city",
    "chorus_siret",
    "chorus_service_code",
    "chorus_commitment_number",
    "energy_mix",
)
# Step 1 asks for the address: the member may complete it, never empty it.
MEMBER_REQUIRED = ("legal_name", "siret", "address_line", "postcode", "city")
SITE_FIELDS = (
    "fluid",
    "distributor_state",
    "activation_date",
    "distributor",
    "delivery_point",
    "site_name",
    "internal_reference",
    "other_reference",
    "address_line",
    "postcode",
    "city",
    "contact",
)
# The step 2 form asks for the site's name and address: an update may not empty them.
SITE_REQUIRED = ("site_name", "address_line", "postcode", "city")
# What "Modifier en masse vos sites" may set on many sites at once (no per-site identity).
BULK_FIELDS = ("distributor_state", "activation_date", "distributor", "address_line", "postcode", "city")
NEW_SITE_FIELDS = (*SITE_FIELDS, "lot", "segment", "tariff_formula", "tariff_option", "subscribed_power_kva")
NEW_SITE_REQUIRED = (
    "fluid",
    "delivery_point",
    "distributor",
    "segment",
    "tariff_formula",
    "tariff_option",
    "site_name",
)


class JourneyLocked(MemberLocked):
    """The member validated its journey: nothing changes until the supplier unlocks it."""


def journey_assert_editable(member: Member | int) -> None:
    """Refuse a write on a validated journey (used by every journey write, billing perimeters included)."""
    if journey_locked(member):
        raise JourneyLocked(_(JOURNEY_LOCKED_MESSAGE))


CAMPAIGN_FIELDS = (
    "lot",
    "name",
    "opens_on",
    "closes_on",
    "switch_date",
    "welcome_text",
    "default_national_energy_mix",
    "default_grouped_invoice",
    "default_paper_delivery",
    "default_bank_transfer",
)


def _campaign_check(campaign: Campaign) -> None:
    """Dates in order, and one campaign at a time per lot (a member must see one journey per lot)."""
    errors: dict[str, str] = {}
    if campaign.opens_on and campaign.closes_on and campaign.closes_on < campaign.opens_on:
        errors["closes_on"] = _("La clôture doit suivre l'ouverture de la collecte.")
    if campaign.closes_on and campaign.switch_date and campaign.switch_date <= campaign.closes_on:
        errors["switch_date"] = _("La date de bascule doit suivre la clôture de la collecte.")
    if errors:
        raise ValidationError(errors)
    overlapping = Campaign.objects.filter(
        lot_id=campaign.lot_id, opens_on__lte=campaign.closes_on, closes_on__gte=campaign.opens_on
    ).exclude(pk=campaign.pk)
    other = overlapping.first()
    if other is not None:
        raise ValidationError(
            {
                "opens_on": _("La campagne « %(name)s » de ce lot couvre déjà ces dates (%(start)s – %(end)s).")
                % {"name": other.name, "start": f"{other.opens_on:%d/%m/%Y}", "end": f"{other.closes_on:%d/%m/%Y}"}
            }
        )
    campaign.full_clean()


@transaction.atomic
def campaign_create(
    *,
    lot: Lot,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    switch_date: dt.date,
    welcome_text: str = "",
    actor_email: str = "",
    request: HttpRequest | None = None,
    **defaults: bool,
) -> Campaign:
    """A campaign of one lot; its default parameters (national mix, grouped invoice, paper, transfer) unless given."""
    unknown = set(defaults) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign(
        lot=lot,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        switch_date=switch_date,
        welcome_text=welcome_text,
        **defaults,
    )
    _campaign_check(campaign)
    campaign.save()
    audit_record(action="campaign.created", actor_email=actor_email, request=request, target=campaign)
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, data: dict[str, Any], actor_email: str = "", request: HttpRequest | None = None
) -> Campaign:
    """Change a campaign's dates, texts or defaults (the journeys and their progress are kept)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changed = _apply(campaign, data, CAMPAIGN_FIELDS)
    _campaign_check(campaign)
    campaign.save()
    if changed:
        audit_record(
            action="campaign.updated", actor_email=actor_email, request=request, target=campaign, details=changed
        )
    return campaign


def _event(journey: Journey, kind: str, actor: User | None, reason: str = "") -> JourneyEvent:
    return JourneyEvent.objects.create(
        journey=journey, kind=kind, by=actor, by_label=actor.email if actor else "", reason=reason
    )


@transaction.atomic
def journey_start(*, member: Member, actor: User | None, request: HttpRequest | None = None) -> list[Journey]:
    """DÉMARRER MON PARCOURS: one journey per open campaign of the member (idempotent)."""
    journey_assert_editable(member)
    state = member_journey(member)
    if not state.has_campaign:
        raise ValidationError(_("Aucune campagne de collecte n'est ouverte pour votre structure."))
    journeys = []
    for campaign in state.campaigns:
        journey, _created = Journey.objects.get_or_create(campaign=campaign, member=member)
        if journey.started_at is None:
            journey.started_at = timezone.now()
            journey.started_by = actor
            journey.save(update_fields=["started_at", "started_by"])
            _event(journey, JourneyEventKind.STARTED, actor)
            audit_record(action="journey.started", actor=actor, request=request, target=journey)
        journeys.append(journey)
    return journeys


def _apply(instance: Any, data: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Set the allowed fields present in data; return what changed (for the audit)."""
    changed = {}
    for name in allowed:
        if name in data and getattr(instance, name) != data[name]:
            changed[name] = str(data[name]) if data[name] is not None else None
            setattr(instance, name, data[name])
    return changed


def _chorus_required(member: Member) -> list[str]:
    return [
        name
        for name, flag in (
            ("chorus_service_code", member.chorus_service_required),
            ("chorus_commitment_number", member.chorus_commitment_required),
        )
        if flag
    ]


@transaction.atomic
def member_general_data_update(
    *, member: Member, actor: User | None, data: dict[str, Any], request: HttpRequest | None = None
) -> Member:
    """Step 1: the member's administrative and ChorusPro data.

    The given fields go through the park's field rules (``perimeter.validators``); the
    step's required fields (and the ChorusPro codes the member's buyer requires) cannot be
    emptied, whether the page sends them all or the API only some (PATCH).
    """
    journey_assert_editable(member)
    given = {name: data[name] for name in MEMBER_FIELDS if name in data}
    required = (*MEMBER_REQUIRED, *_chorus_required(member))
    values = clean_fields_or_raise(VALIDATED_MEMBER_FIELDS, given, required=required)
    changed = _apply(member, values, MEMBER_FIELDS)
    try:
        member.full_clean(exclude=["customer_number"], validate_unique=False)
    except ValidationError:
        member.refresh_from_db()  # the caller's instance must not keep refused values
        raise
    member.save()
    if changed:
        audit_record(action="member.general_data_updated", actor=actor, request=request, target=member, details=changed)
    return member


def _check_contact(site_member_id: int, contact: Contact | None) -> None:
    if contact is not None and contact.member_id != site_member_id:
        raise ValidationError({"contact": _("Cet interlocuteur n'appartient pas à votre structure.")})


def _check_member_status(status: str) -> None:
    if status not in MEMBER_SITE_STATUSES:
        raise ValidationError({"status": _("Ce statut ne peut pas être choisi pendant la collecte.")})


@transaction.atomic
def site_update(*, site: Site, actor: User | None, data: dict[str, Any], request: HttpRequest | None = None) -> Site:
    """Step 2, one site: its data and, if given, the status the member chooses."""
    journey_assert_editable(site.member_id)
    site = Site.objects.select_for_update().get(pk=site.pk)
    status = data.get("status") or None
    if status is not None:
        _check_member_status(status)
    _check_contact(site.member_id, data.get("contact"))
    texts = {name: data[name] for name in VALIDATED_SITE_FIELDS if name in data}
    data = {**data, **clean_fields_or_raise(VALIDATED_SITE_FIELDS, texts, required=SITE_REQUIRED)}
    changed = _apply(site, data, SITE_FIELDS)
    if {"fluid", "delivery_point"} & changed.keys():
        try:  # the format depends on the fluid: say which, rather than the constraint's name
            validate_delivery_point(site.fluid, site.delivery_point)
        except ValidationError as exc:
            raise ValidationError({"delivery_point": exc.messages}) from exc
    site.full_clean(exclude=["status"])
    site.save()
    if changed:
        audit_record(action="site.updated", actor=actor, request=request, target=site, details=changed)
    if status is not None and status != site.status:
        site = park.site_change_status(site=site, to_status=status, by=actor, request=request)
        if status not in ATTACHABLE_STATUSES:
            billing.sites_release(site_ids=[site.pk], actor=actor, request=request)
    return site


@transaction.atomic
def sites_bulk_update(
    *,
    member: Member,
    actor: User | None,
    site_ids: Iterable[int] | None = None,
    filters: Mapping[str, Any] | None = None,
    status: str | None = None,
    fields: dict[str, Any] | None = None,
    contact: Contact | None = None,
    set_contact: bool = False,
    request: HttpRequest | None = None,
) -> int:
    """ "Modifier en masse vos sites" / "Associer un interlocuteur en masse": one request, a few queries.

    The sites are given either by id ("les sites cochés": foreign ids are ignored) or by the
    step 2 table's filters ("tous les sites correspondant au filtre": applied here, to the
    member's journey sites only; an invalid filter is refused). Only the member's journey
    sites are touched. Returns how many sites the action applied to.
    """
    if (site_ids is None) == (filters is None):
        raise TypeError("sites_bulk_update takes site_ids or filters, not both")
    journey_assert_editable(member)
    state = member_journey(member)
    journey_sites = Site.objects.filter(member=member, lot_id__in=state.lot_ids)
    scope = (
        filter_journey_sites(journey_sites, filters)
        if filters is not None
        else journey_sites.filter(pk__in=list(site_ids or ()))
    )
    sites = list(scope.select_for_update().only("pk", "status", "member_id", "site_name", "delivery_point"))
    if not sites:
        if filters is not None:
            raise ValidationError(_("Aucun site ne correspond au filtre."))
        raise ValidationError(_("Sélectionnez au moins un site."))
    values: dict[str, Any] = {}
    fields = dict(fields or {})
    texts = {name: fields[name] for name in VALIDATED_SITE_FIELDS if name in fields}
    fields.update(clean_fields_or_raise(VALIDATED_SITE_FIELDS, texts))
    for name, value in fields.items():
        if name not in BULK_FIELDS:
            raise ValidationError({name: _("Ce champ ne se modifie pas en masse.")})
        if value in (None, "") and name != "activation_date":
            continue
        field = Site._meta.get_field(name)
        values[name] = field.clean(value, None)  # type: ignore[union-attr]
    if set_contact:
        _check_contact(member.pk, contact)
        values["contact"] = contact
    if status:
        _check_member_status(status)
    pks = [site.pk for site in sites]
    if values:
        Site.objects.filter(pk__in=pks).update(updated_at=timezone.now(), **values)
        audit_record(
            action="sites.bulk_updated",
            actor=actor,
            request=request,
            target=member,
            details={"sites": len(pks), "fields": {k: str(v) if v is not None else None for k, v in values.items()}},
        )
    if status:
        park.sites_change_status(site_ids=[s.pk for s in sites], to_status=status, by=actor, request=request)
        if status not in ATTACHABLE_STATUSES:
            billing.sites_release(site_ids=[s.pk for s in sites], actor=actor, request=request)
    return len(sites)


@transaction.atomic
def site_add(*, member: Member, actor: User | None, data: dict[str, Any], request: HttpRequest | None = None) -> Site:
    """ "Ajouter un nouveau site": a site of one of the journey's lots, created by perimeter's service."""
    journey_assert_editable(member)
    state = member_journey(member)
    lot = data.get("lot")
    if lot is None or lot.pk not in state.lot_ids:
        raise ValidationError({"lot": _("Choisissez un lot de la campagne en cours.")})
    _check_contact(member.pk, data.get("contact"))
    values = {name: data[name] for name in NEW_SITE_FIELDS if name in data and data[name] not in (None, "")}
    missing = {name: _("Ce champ est obligatoire.") for name in NEW_SITE_REQUIRED if name not in values}
    if missing:
        raise ValidationError(missing)
    site = park.site_create(member=member, **values)
    audit_record(action="site.created", actor=actor, request=request, target=site)
    return site


def _apply_campaign_defaults(
    member: Member, campaign: Campaign, *, actor: User | None, request: HttpRequest | None
) -> None:
    """What the member left unsaid takes the campaign's default parameters (PRODUCT.md §2)."""
    if not member.energy_mix:
        member.energy_mix = EnergyMix.NATIONAL if campaign.default_national_energy_mix else EnergyMix.RENEWABLE
        member.save(update_fields=["energy_mix", "updated_at"])
        details = {"energy_mix": member.energy_mix, "from": "campaign_default"}
        audit_record(action="member.general_data_updated", actor=actor, request=request, target=member, details=details)


@transaction.atomic
def journey_validate(*, member: Member, actor: User | None, request: HttpRequest | None = None) -> list[Journey]:
    """ "Valider mon parcours": refused while incomplete; locks the journey and mails the recap once."""
    journey_assert_editable(member)
    state = member_journey(member)
    if not state.has_campaign:
        raise ValidationError(_("Aucune campagne de collecte n'est ouverte pour votre structure."))
    progress = state.progress()
    if not progress.complete:
        raise ValidationError(
            _("Votre parcours n'est pas complet : %(n)s élément(s) à compléter avant de le valider.")
            % {"n": len(progress.missing)}
        )
    _apply_campaign_defaults(member, state.campaigns[0], actor=actor, request=request)
    now = timezone.now()
    journeys = []
    for campaign in state.campaigns:
        journey, _created = Journey.objects.select_for_update().get_or_create(campaign=campaign, member=member)
        journey.started_at = journey.started_at or now
        journey.validated_at = now
        journey.validated_by = actor
        journey.recap_sent_at = None
        journey.save(update_fields=["started_at", "validated_at", "validated_by", "recap_sent_at"])
        _event(journey, JourneyEventKind.VALIDATED, actor)
        audit_record(action="journey.validated", actor=actor, request=request, target=journey)
        journeys.append(journey)
    from datacollection.tasks import send_recap

    ids, schema = [j.pk for j in journeys], connection.schema_name  # type: ignore[attr-defined]
    transaction.on_commit(lambda: send_recap.delay(ids, schema))
    return journeys


@transaction.atomic
def journey_unlock(*, journey: Journey, actor: User | None, reason: str, request: HttpRequest | None = None) -> Journey:
    """The supplier reopens a validated journey (back-office), with a reason kept in the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du déverrouillage.")})
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if journey.validated_at is None:
        raise ValidationError(_("Ce parcours n'est pas validé."))
    journey.validated_at = None
    journey.unlocked_at = timezone.now()
    journey.unlocked_by = actor
    journey.unlock_reason = reason
    journey.save(update_fields=["validated_at", "unlocked_at", "unlocked_by", "unlock_reason"])
    _event(journey, JourneyEventKind.UNLOCKED, actor, reason)
    audit_record(action="journey.unlocked", actor=actor, request=request, target=journey, details={"reason": reason})
    return journey


def recap_recipients(member: Member, validated_by: User | None) -> list[str]:
    emails = [validated_by.email] if validated_by is not None and validated_by.email else []
    emails += (
        Contact.objects.filter(member=member, role=ContactRole.ADMINISTRATIVE)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(e.lower() for e in emails))


@transaction.atomic
def journey_send_recap(*, journey_ids: list[int]) -> bool:
    """Mail the member the Excel recap of its validated journey. Idempotent: sent once per validation.

    The journeys are locked while mailing: a second run waits, then finds them marked and stops.
    """
    from datacollection.recap import build_recap_workbook

    journeys = list(
        Journey.objects.select_for_update(of=("self",))
        .filter(pk__in=journey_ids, validated_at__isnull=False)
        .select_related("member", "validated_by", "campaign")
    )
    pending = [j for j in journeys if j.recap_sent_at is None]
    if not pending:
        return False
    member = pending[0].member
    validated_by = pending[0].validated_by
    recipients = recap_recipients(member, validated_by)
    if not recipients:
        _recap_failed(pending, _("aucun destinataire : ni l'auteur de la validation ni un interlocuteur n'a d'e-mail"))
        return False
    context = {"member": member, "journeys": journeys, "validated_at": pending[0].validated_at}
    message = mail_message(
        to=recipients,
        subject=_("Votre parcours de collecte est validé — récapitulatif"),
        body=render_to_string("datacollection/mail/recap.txt", context),
    )
    message.attach(
        f"recapitulatif-collecte-{member.customer_number}.xlsx",
        build_recap_workbook(member),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    message.send()
    now = timezone.now()
    for journey in pending:
        journey.recap_sent_at = now
        journey.save(update_fields=["recap_sent_at"])
        _event(journey, JourneyEventKind.RECAP_SENT, None, ", ".join(recipients))
    return True


def _recap_failed(journeys: list[Journey], reason: str) -> None:
    for journey in journeys:
        _event(journey, JourneyEventKind.RECAP_FAILED, None, reason[:500])


@transaction.atomic
def journey_recap_failed(*, journey_ids: list[int], reason: str) -> None:
    """The recap could not be mailed (retries exhausted): the journey says so to the member and the supplier."""
    pending = list(Journey.objects.filter(pk__in=journey_ids, validated_at__isnull=False, recap_sent_at__isnull=True))
    _recap_failed(pending, reason)
