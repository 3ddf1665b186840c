"""Progress of a member's journey, computed from the data every time (never stored by hand).

A fixed number of aggregate queries whatever the number of sites: the member's row, one
count per contact role, one conditional-count over the sites, a short list of sites to
fix, and the billing step's count. Each step weighs a third; inside a step the share of
done items counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing_groups.selectors import empty_perimeters, unattached_confirmed_sites
from perimeter.choices import ContactRole, SiteStatus
from perimeter.models import Contact, Member, Site

# Step 1: the member's mandatory administrative fields (field name, label).
MEMBER_REQUIRED_FIELDS = (
    ("legal_name", "Raison sociale"),
    ("siret", "SIRET"),
    ("address_line", "Adresse"),
    ("postcode", "Code postal"),
    ("city", "Commune"),
)
CONTACT_ROLES = (ContactRole.ADMINISTRATIVE, ContactRole.BILLING, ContactRole.TECHNICAL)
# Step 2: the data a confirmed site must carry.
SITE_REQUIRED_FIELDS = (
    "site_name",
    "delivery_point",
    "distributor",
    "segment",
    "tariff_option",
    "address_line",
    "postcode",
    "city",
)
# How many incomplete sites the control list names one by one before summing up.
LISTED_SITES = 10


@dataclass(frozen=True)
class MissingItem:
    """One thing still missing, with the page that fixes it."""

    step: int
    label: str
    url: str


@dataclass
class StepProgress:
    number: int
    title: str
    url: str
    done: int = 0
    total: int = 0
    missing: list[MissingItem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def share(self) -> float:
        return 1.0 if self.total == 0 else self.done / self.total


@dataclass
class JourneyProgress:
    steps: list[StepProgress]

    @property
    def percent(self) -> int:
        share = sum(step.share for step in self.steps) / len(self.steps)
        percent = int(share * 100)
        # 100 % only when everything is done (rounding must not claim completion).
        return 100 if self.complete else min(percent, 99)

    @property
    def complete(self) -> bool:
        return all(step.complete for step in self.steps)

    @property
    def missing(self) -> list[MissingItem]:
        return [item for step in self.steps for item in step.missing]


def _blank(field_name: str) -> Q:
    return Q(**{f"{field_name}__isnull": True}) | Q(**{field_name: ""})


def site_incomplete_q() -> Q:
    """Sites confirmed by the member whose mandatory data is incomplete."""
    blank = Q()
    for name in SITE_REQUIRED_FIELDS:
        blank |= _blank(name)
    return Q(status=SiteStatus.SWITCH_CONFIRMED) & blank


def site_pending_q() -> Q:
    """Sites still needing the member: no status chosen, or confirmed with missing data."""
    return Q(status=SiteStatus.TO_CONFIRM) | site_incomplete_q()


def general_data_progress(member: Member) -> StepProgress:
    url = reverse("datacollection:general")
    step = StepProgress(1, _("Données générales"), url)
    required = list(MEMBER_REQUIRED_FIELDS)
    if member.chorus_service_required:
        required.append(("chorus_service_code", "Code service ChorusPro"))
    if member.chorus_commitment_required:
        required.append(("chorus_commitment_number", "Numéro d'engagement ChorusPro"))
    for name, label in required:
        step.total += 1
        if str(getattr(member, name) or "").strip():
            step.done += 1
        else:
            step.missing.append(
                MissingItem(
                    1,
                    _("Données générales : « %(field)s » à renseigner") % {"field": _(label)},
                    f"{url}#id_member-{name}",
                )
            )
    complete_contact = ~_blank("last_name") & ~_blank("email") & ~_blank("phone")
    counts = Contact.objects.filter(member=member).aggregate(
        **{role.value: Count("pk", filter=Q(role=role) & complete_contact) for role in CONTACT_ROLES}
    )
    for role in CONTACT_ROLES:
        step.total += 1
        if counts[role.value]:
            step.done += 1
        else:
            step.missing.append(
                MissingItem(
                    1,
                    _("Interlocuteur %(role)s avec nom, e-mail et téléphone à renseigner")
                    % {"role": role.label.lower()},
                    f"{url}#interlocuteurs",
                )
            )
    return step


def perimeter_progress(sites: QuerySet[Site]) -> StepProgress:
    url = reverse("datacollection:sites")
    step = StepProgress(2, _("Périmètre"), url)
    counts = sites.aggregate(
        total=Count("pk"),
        to_confirm=Count("pk", filter=Q(status=SiteStatus.TO_CONFIRM)),
        incomplete=Count("pk", filter=site_incomplete_q()),
    )
    step.total = counts["total"]
    pending = counts["to_confirm"] + counts["incomplete"]
    step.done = step.total - pending
    if pending:
        listed = list(
            sites.filter(site_pending_q())
            .order_by("site_name", "pk")
            .values("pk", "site_name", "status")[:LISTED_SITES]
        )
        for row in listed:
            if row["status"] == SiteStatus.TO_CONFIRM:
                label = _("Site « %(site)s » : statut à choisir") % {"site": row["site_name"]}
            else:
                label = _("Site « %(site)s » : données obligatoires à compléter") % {"site": row["site_name"]}
            step.missing.append(MissingItem(2, label, reverse("datacollection:site_edit", args=[row["pk"]])))
        rest = pending - len(listed)
        if rest > 0:
            step.missing.append(
                MissingItem(
                    2,
                    ngettext("et %(n)s autre site à compléter", "et %(n)s autres sites à compléter", rest)
                    % {"n": rest},
                    f"{url}?a_completer=1",
                )
            )
    return step


def billing_progress(member: Member, confirmed: int, *, sites_pending: bool = False) -> StepProgress:
    url = reverse("billing_groups:list")
    step = StepProgress(3, _("Périmètres de facturation"), url)
    unattached = unattached_confirmed_sites(member).count()
    step.total = max(confirmed, unattached)
    step.done = step.total - unattached
    if step.total == 0 and sites_pending:
        # Nothing confirmed yet: the step waits for step 2 (not done by default).
        step.total = 1
    empty = list(empty_perimeters(member).order_by("name", "pk").values("pk", "name")[: LISTED_SITES + 1])
    step.total += len(empty)  # each empty perimeter is one thing left to do
    for row in empty[:LISTED_SITES]:
        step.missing.append(
            MissingItem(
                3,
                _("Le périmètre « %(name)s » ne contient aucun site : rattachez-lui des sites ou supprimez-le")
                % {"name": row["name"]},
                reverse("billing_groups:attach", args=[row["pk"]]),
            )
        )
    if unattached:
        step.missing.append(
            MissingItem(
                3,
                ngettext(
                    "%(n)s site confirmé n'est rattaché à aucun périmètre de facturation",
                    "%(n)s sites confirmés ne sont rattachés à aucun périmètre de facturation",
                    unattached,
                )
                % {"n": unattached},
                url,
            )
        )
    return step


def journey_progress(member: Member, lot_ids: Sequence[int]) -> JourneyProgress:
    """The three steps of a member's journey over the sites of the given lots."""
    sites = Site.objects.filter(member=member, lot_id__in=list(lot_ids))
    step2 = perimeter_progress(sites)
    confirmed = Site.objects.filter(member=member, status=SiteStatus.SWITCH_CONFIRMED).count()
    step3 = billing_progress(member, confirmed, sites_pending=not step2.complete)
    return JourneyProgress([general_data_progress(member), step2, step3])
