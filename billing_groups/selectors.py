"""Reads of billing perimeters, member-scoped: a foreign id gives 404 (QUALITY.md item 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import User
from billing_groups.models import BillingPerimeter
from billing_groups.services import ATTACHABLE_STATUSES
from perimeter.extensions import MemberLocked, assert_member_editable
from perimeter.models import Member, Site
from perimeter.selectors import members_for


def perimeters_locked(member: Member | int | None) -> bool:
    """Whether the member validated its journey: its perimeters are then read-only until unlocked."""
    if member is None:
        return False
    try:
        assert_member_editable(member)
    except MemberLocked:
        return True
    return False


def perimeters_for(user: User | Any) -> QuerySet[BillingPerimeter]:
    """The billing perimeters a user may see: its member's; every member's for a coordinator.

    A foreign perimeter is simply absent (``get_perimeter_for`` answers 404).

    Each carries ``site_count`` (one aggregate in the same query).
    """
    perimeters = BillingPerimeter.objects.select_related("member").annotate(site_count=Count("attachments"))
    # The park's scoping decides which members the user sees (one rule for every object).
    return perimeters.filter(member__in=members_for(user).order_by().values("pk"))


def get_perimeter_for(user: User | Any, pk: int | str) -> BillingPerimeter:
    try:
        return perimeters_for(user).get(pk=pk)
    except (BillingPerimeter.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such billing perimeter") from exc


def attachable_sites(member: Member | int) -> QuerySet[Site]:
    """The member's confirmed sites not attached to any perimeter (any segment)."""
    member_id = member if isinstance(member, int) else member.pk
    return Site.objects.filter(member_id=member_id, status__in=ATTACHABLE_STATUSES, billing_attachment__isnull=True)


def available_sites(perimeter: BillingPerimeter) -> QuerySet[Site]:
    """The sites the member can attach to this perimeter: confirmed, same segment, free."""
    return attachable_sites(perimeter.member_id).filter(segment=perimeter.segment)


def attached_sites(perimeter: BillingPerimeter) -> QuerySet[Site]:
    return Site.objects.filter(billing_attachment__perimeter_id=perimeter.pk)


def confirmed_site_counts(member: Member | int) -> dict[str, int]:
    """For step 3's page, in one query: the member's confirmed sites, and how many wait for a perimeter."""
    member_id = member if isinstance(member, int) else member.pk
    return Site.objects.filter(member_id=member_id, status__in=ATTACHABLE_STATUSES).aggregate(
        confirmed=Count("pk"), waiting=Count("pk", filter=Q(billing_attachment__isnull=True))
    )


def unattached_confirmed_sites(member: Member | int) -> QuerySet[Site]:
    """For the journey: the confirmed sites still waiting for a billing perimeter."""
    return attachable_sites(member)


def billing_step_complete(member: Member | int) -> bool:
    """Step 3 of the journey is complete when every confirmed site is in a perimeter."""
    return not unattached_confirmed_sites(member).exists()


def empty_perimeters(member: Member | int) -> QuerySet[BillingPerimeter]:
    """The member's perimeters without any site: the journey cannot be validated with them."""
    member_id = member if isinstance(member, int) else member.pk
    return BillingPerimeter.objects.filter(member_id=member_id, attachments__isnull=True)
