"""Reads of the follow-up: every member of a campaign with its state, progress and last activity.

Set-based: the same rules as ``datacollection.progress`` (three steps of a third each,
100 % only when complete) computed for all members at once in five queries whatever
the number of members and sites — members, complete contacts per role, one grouped
aggregate over the sites, journeys with their last event, reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from billing_groups.services import ATTACHABLE_STATUSES
from datacollection.choices import JourneyEventKind
from datacollection.followup.models import Reminder
from datacollection.models import Campaign, Journey
from datacollection.progress import CONTACT_ROLES, MEMBER_REQUIRED_FIELDS, site_incomplete_q
from perimeter.choices import SiteStatus
from perimeter.models import Contact, Member, Site

NOT_STARTED, IN_PROGRESS, VALIDATED = "not_started", "in_progress", "validated"
STATE_LABELS = {NOT_STARTED: _("Non démarré"), IN_PROGRESS: _("En cours"), VALIDATED: _("Validé")}
SORTS = {
    "nom": ("legal_name", False),
    "-nom": ("legal_name", True),
    "progression": ("percent", False),
    "-progression": ("percent", True),
    "activite": ("last_activity_key", False),
    "-activite": ("last_activity_key", True),
    "etat": ("state_order", False),
    "-etat": ("state_order", True),
}
SORT_LABELS = [
    ("nom", _("Nom (A → Z)")),
    ("-nom", _("Nom (Z → A)")),
    ("progression", _("Progression croissante")),
    ("-progression", _("Progression décroissante")),
    ("-activite", _("Activité la plus récente")),
    ("activite", _("Activité la plus ancienne")),
    ("etat", _("État")),
]
_STATE_ORDER = {NOT_STARTED: 0, IN_PROGRESS: 1, VALIDATED: 2}


@dataclass
class FollowupRow:
    """One member's line of the follow-up table."""

    member_id: int
    legal_name: str
    customer_number: str
    city: str
    state: str
    percent: int
    last_activity: dt.datetime | None
    journey_id: int | None
    validated_at: dt.datetime | None
    sites: int
    reminders: int
    last_reminder_at: dt.datetime | None
    reminders_failed: int = 0
    recap_failed: bool = False

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def finished(self) -> bool:
        return self.state == VALIDATED

    @property
    def state_order(self) -> int:
        return _STATE_ORDER[self.state]

    @property
    def last_activity_key(self) -> float:
        return self.last_activity.timestamp() if self.last_activity else 0.0


def campaign_members(campaign: Campaign) -> QuerySet[Member]:
    """The members concerned by a campaign: sites in its lot, or declared in the lot."""
    has_sites = Exists(Site.objects.filter(member_id=OuterRef("pk"), lot_id=campaign.lot_id))
    in_lot = Exists(Member.lots.through.objects.filter(member_id=OuterRef("pk"), lot_id=campaign.lot_id))
    return Member.objects.filter(has_sites | in_lot)


def _share(done: int, total: int) -> float:
    return 1.0 if total == 0 else done / total


def campaign_followup(campaign: Campaign) -> list[FollowupRow]:
    """Every member of the campaign with its state, % and last activity (6 queries)."""
    required = [name for name, _label in MEMBER_REQUIRED_FIELDS]
    members = list(
        campaign_members(campaign)
        .order_by("legal_name", "pk")
        .only(
            "pk",
            "legal_name",
            "customer_number",
            "updated_at",
            "chorus_service_required",
            "chorus_commitment_required",
            "chorus_service_code",
            "chorus_commitment_number",
            *required,
        )
    )
    ids = [m.pk for m in members]
    blank = Q(last_name="") | Q(email="") | Q(phone="")
    roles: dict[int, set[str]] = defaultdict(set)
    for member_id, role in (
        Contact.objects.filter(member_id__in=ids, role__in=list(CONTACT_ROLES))
        .exclude(blank)
        .values_list("member_id", "role")
        .distinct()
    ):
        roles[member_id].add(role)
    in_lot = Q(lot_id=campaign.lot_id)
    sites: dict[int, dict[str, Any]] = {
        row["member_id"]: dict(row)
        for row in Site.objects.filter(member_id__in=ids)
        .values("member_id")
        .annotate(
            total=Count("pk", filter=in_lot),
            to_confirm=Count("pk", filter=in_lot & Q(status=SiteStatus.TO_CONFIRM)),
            incomplete=Count("pk", filter=in_lot & site_incomplete_q()),
            confirmed=Count("pk", filter=Q(status=SiteStatus.SWITCH_CONFIRMED)),
            unattached=Count("pk", filter=Q(status__in=list(ATTACHABLE_STATUSES), billing_attachment__isnull=True)),
            last_change=Max("updated_at", filter=in_lot),
        )
        .order_by()
    }
    journeys = {
        journey.member_id: journey
        for journey in Journey.objects.filter(campaign=campaign, member_id__in=ids).annotate(
            last_event=Max("events__at"),
            # The recap of the current validation could not be mailed (the task gave up).
            recap_failed=Count(
                "events",
                filter=Q(
                    events__kind=JourneyEventKind.RECAP_FAILED,
                    events__at__gte=F("validated_at"),
                    recap_sent_at__isnull=True,
                ),
            ),
        )
    }
    # Anything the member's users did (step 1, contacts, billing perimeters, sites…), from the audit trail.
    acted: dict[int, dt.datetime] = dict(
        AuditEvent.objects.filter(actor__member_id__in=ids, at__date__gte=campaign.opens_on)
        .values("actor__member_id")
        .annotate(last=Max("at"))
        .order_by()
        .values_list("actor__member_id", "last")
    )
    reminders: dict[int, dict[str, Any]] = {
        row["member_id"]: dict(row)
        for row in Reminder.objects.filter(campaign=campaign, member_id__in=ids)
        .values("member_id")
        .annotate(
            count=Count("pk"),
            last=Max("requested_at"),
            failed=Count("pk", filter=Q(failed_at__isnull=False, sent_at__isnull=True)),
        )
        .order_by()
    }
    rows = []
    for member in members:
        site = sites.get(member.pk, {})
        journey = journeys.get(member.pk)
        percent = _percent(member, roles[member.pk], site)
        if journey is not None and journey.validated_at is not None:
            state = VALIDATED
        elif journey is not None and journey.started_at is not None:
            state = IN_PROGRESS
        else:
            state = NOT_STARTED
        activity = [
            when
            for when in (
                getattr(journey, "last_event", None),
                journey.started_at if journey else None,
                site.get("last_change") if state != NOT_STARTED else None,
                acted.get(member.pk),
            )
            if when is not None
        ]
        reminder = reminders.get(member.pk, {})
        rows.append(
            FollowupRow(
                member_id=member.pk,
                legal_name=member.legal_name,
                customer_number=member.customer_number,
                city=member.city,
                state=state,
                percent=100 if state == VALIDATED else percent,
                last_activity=max(activity) if activity else None,
                journey_id=journey.pk if journey else None,
                validated_at=journey.validated_at if journey else None,
                sites=site.get("total", 0),
                reminders=reminder.get("count", 0),
                last_reminder_at=reminder.get("last"),
                reminders_failed=reminder.get("failed", 0),
                recap_failed=bool(getattr(journey, "recap_failed", 0)) and state == VALIDATED,
            )
        )
    return rows


def _percent(member: Member, roles: set[str], site: dict[str, Any]) -> int:
    """``datacollection.progress.journey_progress`` on already aggregated counts."""
    required = [name for name, _label in MEMBER_REQUIRED_FIELDS]
    if member.chorus_service_required:
        required.append("chorus_service_code")
    if member.chorus_commitment_required:
        required.append("chorus_commitment_number")
    done1 = sum(1 for name in required if str(getattr(member, name) or "").strip()) + len(roles & set(CONTACT_ROLES))
    total1 = len(required) + len(CONTACT_ROLES)
    total2 = site.get("total", 0)
    pending = site.get("to_confirm", 0) + site.get("incomplete", 0)
    done2 = total2 - pending
    unattached = site.get("unattached", 0)
    total3 = max(site.get("confirmed", 0), unattached)
    done3 = total3 - unattached
    if total3 == 0 and pending:
        total3 = 1
    steps = [(done1, total1), (done2, total2), (done3, total3)]
    complete = all(done >= total for done, total in steps)
    percent = int(sum(_share(d, t) for d, t in steps) / len(steps) * 100)
    return 100 if complete else min(percent, 99)


def followup_filter(
    rows: Sequence[FollowupRow], *, state: str = "", query: str = "", max_percent: int | None = None, sort: str = ""
) -> list[FollowupRow]:
    """The table's filters (state, search on name / customer number / city, % at most) and sort."""
    result = list(rows)
    if state in STATE_LABELS:
        result = [r for r in result if r.state == state]
    if query:
        needle = query.casefold()
        result = [r for r in result if needle in f"{r.legal_name} {r.customer_number} {r.city}".casefold()]
    if max_percent is not None:
        result = [r for r in result if r.percent <= max_percent]
    key, reverse = SORTS.get(sort, ("legal_name", False))
    return sorted(result, key=lambda r: (getattr(r, key), r.legal_name.casefold()), reverse=reverse)


def campaigns_of_syndicate() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("lot").order_by("-closes_on", "lot__number")
