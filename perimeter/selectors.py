"""Member scoping of the park, in one place (STYLE.md item 3).

Every member-facing read of members, contacts and sites goes through these helpers,
whether it serves an HTML page, the API or an export:

- a member user (administrator or user) sees only their own member;
- a coordinator sees every member of the syndicate (read-only: writes are refused
  elsewhere, by the permissions, never by widening or narrowing these querysets);
- anyone else (supplier staff, a user without member) sees nothing.

A foreign id answers 404, never 403: a user must not learn that another member's
object exists. Module rights (Parc, Collecte…) are not checked here but by the
caller (``accounts.access``), because the same rows serve several modules.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.choices import MEMBER_ROLES, Role
from accounts.models import User
from perimeter.models import Contact, Member, Site


def _scoped_member_id(user: User) -> int | None:
    """The one member a member user is confined to; None for a coordinator (all members)."""
    if user.role in MEMBER_ROLES and user.member_id is not None:
        return int(user.member_id)
    return None


def _valid_pk(pk: int | str) -> int:
    """A primary key from a URL or a form; anything that is not one is a foreign id (404)."""
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def _sees_nothing(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return True
    if user.role == Role.COORDINATOR:
        return False
    return _scoped_member_id(user) is None


def members_for(user: User) -> QuerySet[Member]:
    """The members the user may read: their own, or all of the syndicate for a coordinator."""
    if _sees_nothing(user):
        return Member.objects.none()
    member_id = _scoped_member_id(user)
    members = Member.objects.all()
    if member_id is not None:
        members = members.filter(pk=member_id)
    return members.order_by("legal_name", "pk")


def get_member_for(user: User, pk: int | str, *, with_details: bool = False) -> Member:
    """One member the user may read; 404 otherwise. ``with_details``: its contacts and lots prefetched."""
    members = members_for(user)
    if with_details:
        contacts = Prefetch("contacts", queryset=Contact.objects.order_by("role", "last_name", "pk"))
        members = members.prefetch_related(contacts, "lots")
    member = members.filter(pk=_valid_pk(pk)).first()
    if member is None:
        raise Http404
    return member


def contacts_for(user: User) -> QuerySet[Contact]:
    """The contacts of the members the user may read."""
    if _sees_nothing(user):
        return Contact.objects.none()
    member_id = _scoped_member_id(user)
    contacts = Contact.objects.all()
    if member_id is not None:
        contacts = contacts.filter(member_id=member_id)
    return contacts


def sites_for(user: User) -> QuerySet[Site]:
    """The sites the user may read: their member's, or the whole syndicate's for a coordinator.

    The member and the lot come in the same query (every list shows them).
    """
    if _sees_nothing(user):
        return Site.objects.none()
    member_id = _scoped_member_id(user)
    sites = Site.objects.select_related("member", "lot")
    if member_id is not None:
        sites = sites.filter(member_id=member_id)
    return sites


def get_site_for(user: User, pk: int | str) -> Site:
    """One site the user may read (with member, lot and contact); 404 for a foreign id."""
    site = sites_for(user).select_related("contact").filter(pk=_valid_pk(pk)).first()
    if site is None:
        raise Http404
    return site


def member_by_customer_number_and_delivery_point(customer_number: str, delivery_point: str) -> Member | None:
    """The member a sign-up request names: its customer number and one of its sites' delivery points.

    Not a member-scoped read (the requester has no account yet); registered for
    ``accounts`` at start-up (``PerimeterConfig.ready``), which never imports the park.
    """
    return Member.objects.filter(
        customer_number=customer_number,
        pk__in=Site.objects.filter(delivery_point=delivery_point).values("member_id"),
    ).first()
