"""Reads of the data-collection journey, member-scoped (QUALITY.md item 2).

A member's journey spans every open campaign of a lot the member has sites in (a
syndicate runs one campaign per lot, usually on the same dates): the member sees one
journey, one site table and one validation, stored as one ``Journey`` row per campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from billing_groups.choices import BillingType, InvoiceDelivery, PaymentMode
from datacollection.choices import JourneyEventKind
from datacollection.models import Campaign, Journey, JourneyEvent
from datacollection.progress import JourneyProgress, journey_progress
from perimeter.choices import ContactRole
from perimeter.models import Contact, Member, Site
from perimeter.selectors import get_member_for


def open_campaigns(*, today: dt.date | None = None) -> QuerySet[Campaign]:
    today = today or timezone.localdate()
    return Campaign.objects.filter(opens_on__lte=today, closes_on__gte=today).select_related("lot")


def campaigns_for_member(member: Member | int, *, today: dt.date | None = None) -> list[Campaign]:
    """The open campaigns of the lots the member takes part in (sites or declared lots)."""
    member_id = member if isinstance(member, int) else member.pk
    has_sites = Exists(Site.objects.filter(member_id=member_id, lot_id=OuterRef("lot_id")))
    return list(open_campaigns(today=today).filter(has_sites | Q(lot__members__id=member_id)).distinct())


@dataclass
class MemberJourney:
    """Everything the journey pages need about one member, read in a few queries."""

    member: Member
    campaigns: list[Campaign]
    journeys: list[Journey]

    @property
    def has_campaign(self) -> bool:
        return bool(self.campaigns)

    @property
    def lot_ids(self) -> list[int]:
        return [campaign.lot_id for campaign in self.campaigns]

    @property
    def started(self) -> bool:
        return any(journey.started_at for journey in self.journeys)

    @property
    def validated(self) -> bool:
        return (
            bool(self.journeys)
            and all(journey.validated_at for journey in self.journeys)
            and len(self.journeys) >= len(self.campaigns)
        )

    @property
    def validated_at(self) -> dt.datetime | None:
        dates = [journey.validated_at for journey in self.journeys if journey.validated_at]
        return max(dates) if dates else None

    @property
    def deadline(self) -> dt.date | None:
        return min((campaign.closes_on for campaign in self.campaigns), default=None)

    @property
    def switch_date(self) -> dt.date | None:
        return min((campaign.switch_date for campaign in self.campaigns), default=None)

    @property
    def welcome_text(self) -> str:
        return "\n\n".join(dict.fromkeys(c.welcome_text for c in self.campaigns if c.welcome_text))

    def progress(self) -> JourneyProgress:
        return journey_progress(self.member, self.lot_ids)


def member_journey(member: Member) -> MemberJourney:
    campaigns = campaigns_for_member(member)
    journeys = list(
        Journey.objects.filter(member=member, campaign__in=[c.pk for c in campaigns]).select_related("campaign")
    )
    return MemberJourney(member=member, campaigns=campaigns, journeys=journeys)


def recap_failure(state: MemberJourney) -> str | None:
    """Why the recap of the current validation could not be mailed, if it could not (else None)."""
    pending = [j.pk for j in state.journeys if j.validated_at is not None and j.recap_sent_at is None]
    if not pending:
        return None
    last = (
        JourneyEvent.objects.filter(journey_id__in=pending, kind=JourneyEventKind.RECAP_FAILED)
        .filter(at__gte=min(j.validated_at for j in state.journeys if j.pk in pending))  # type: ignore[type-var]
        .order_by("-at")
        .values_list("reason", flat=True)
        .first()
    )
    return last


def journey_locked(member: Member | int) -> bool:
    """Whether the member validated its journey (in a campaign not closed yet)."""
    member_id = member if isinstance(member, int) else member.pk
    return Journey.objects.filter(
        member_id=member_id, validated_at__isnull=False, campaign__closes_on__gte=timezone.localdate()
    ).exists()


def journey_sites(member: Member, lot_ids: list[int]) -> QuerySet[Site]:
    """The member's sites concerned by the journey (the lots of its open campaigns)."""
    return Site.objects.filter(member=member, lot_id__in=lot_ids).select_related("contact")


def get_journey_site(member: Member, lot_ids: list[int], pk: Any) -> Site:
    """One site of the member's journey; a foreign or unknown id gives 404."""
    try:
        return journey_sites(member, lot_ids).get(pk=pk)
    except (Site.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such site") from exc


def get_journey_site_for(user: User, member: Member | None, pk: Any) -> tuple[Site, MemberJourney]:
    """A site of the journey of ``member`` (for a coordinator, None: the site tells the member).

    A foreign or unknown id gives 404, before any write check, so a refusal never tells
    that an id exists.
    """
    if member is None:
        site_member = Site.objects.filter(pk=pk).values_list("member_id", flat=True).first()
        if site_member is None:
            raise Http404("No such site")
        member = get_member_for(user, site_member)
    state = member_journey(member)
    return get_journey_site(member, state.lot_ids, pk), state


def journey_summary(user: Any) -> dict[str, Any] | None:
    """For the home page: the member's journey state and progress; None when no open campaign."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "member_id", None) is None:
        return None
    member = user.member
    journey = member_journey(member)
    if not journey.has_campaign:
        return None
    progress = journey.progress()
    return {
        "started": journey.started,
        "validated": journey.validated,
        "validated_at": journey.validated_at,
        "deadline": journey.deadline,
        "percent": progress.percent,
        "complete": progress.complete,
        "missing_count": len(progress.missing),
    }


def campaign_billing_defaults(member: Member) -> dict[str, str]:
    """The billing perimeter fields a new perimeter starts with, from the member's open campaign."""
    campaigns = campaigns_for_member(member)
    if not campaigns:
        return {}
    campaign = campaigns[0]
    defaults: dict[str, str] = {
        "billing_type": BillingType.MULTI_SITE if campaign.default_grouped_invoice else BillingType.MONO_SITE,
        "invoice_delivery": InvoiceDelivery.PAPER if campaign.default_paper_delivery else InvoiceDelivery.EMAIL,
        "payment_mode": PaymentMode.TRANSFER if campaign.default_bank_transfer else PaymentMode.DIRECT_DEBIT,
    }
    if not campaign.default_paper_delivery:  # invoices by e-mail go to the billing contact unless told otherwise
        email = (
            Contact.objects.filter(member=member, role=ContactRole.BILLING)
            .exclude(email="")
            .order_by("pk")
            .values_list("email", flat=True)
            .first()
        )
        if email:
            defaults["delivery_email"] = email
    return defaults
