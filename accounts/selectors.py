"""Reads on accounts, scoped to the requesting user (a foreign id gives 404)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from accounts.access import can_write
from accounts.choices import STAFF_ROLES, AccessRequestStatus, Module, Role
from accounts.models import AccessRequest, AuditEvent, LoginFailure, User
from tenants.models import Syndicate


def can_manage_users(user: User) -> bool:
    """Whether the user administers their member's accounts ("Administration des accès").

    The member administrator does, and so does a member user given the right; the
    coordinator and supplier staff never do. Pages, API, navigation and the selectors
    below all ask this one question.
    """
    return can_write(user, Module.ACCESS)


def can_change_user(actor: User, target: User) -> bool:
    """Whether ``actor`` may change ``target``'s account (rights, activation, disabling, removal).

    A member user holding "Administration des accès" manages its member's users like the
    administrator does, except the administrators themselves.
    """
    return (
        can_manage_users(actor)
        and actor.member_id == target.member_id
        and (actor.is_member_admin or not target.is_member_admin)
    )


def users_for(user: User) -> QuerySet[User]:
    """The users an account manager of the member sees: those of their own member, nobody else."""
    if not can_manage_users(user) or user.member_id is None:
        return User.objects.none()
    return User.objects.filter(member_id=user.member_id).order_by("last_name", "first_name", "email")


def _refuse(user: User, queryset: QuerySet[Any], pk: int | str) -> NoReturn:
    """Why a non-administrator cannot have an object: 403 if they may know it exists, else 404.

    A coordinator sees every member of the syndicate, a member user their own member;
    anything else (another member, another syndicate) is a foreign id: 404.
    """
    if user.is_coordinator:
        visible = queryset
    elif user.member_id is not None:
        visible = queryset.filter(member_id=user.member_id)
    else:
        visible = queryset.none()
    if visible.filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def get_user_for(user: User, pk: int | str) -> User:
    """A user of the caller's member; 404 for a foreign id, 403 for a visible one without the right."""
    if not can_manage_users(user):
        _refuse(user, User.objects.all(), pk)
    found = users_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def access_requests_for(user: User) -> QuerySet[AccessRequest]:
    """The sign-up requests the member's account managers decide on: those naming their member."""
    if not can_manage_users(user) or user.member_id is None:
        return AccessRequest.objects.none()
    return AccessRequest.objects.filter(member_id=user.member_id)


def get_access_request_for(user: User, pk: int | str) -> AccessRequest:
    if not can_manage_users(user):
        _refuse(user, AccessRequest.objects.all(), pk)
    found = access_requests_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def pending_access_requests() -> QuerySet[AccessRequest]:
    """Every pending request of the current schema (back-office, after entering a tenant)."""
    return AccessRequest.objects.filter(status=AccessRequestStatus.PENDING).select_related("member")


def staff_users() -> QuerySet[User]:
    """The supplier's staff, account managers and supervisors (public schema: the back-office's team list)."""
    return User.objects.filter(role__in=STAFF_ROLES).order_by("last_name", "first_name", "email")


def get_staff_user(pk: int) -> User:
    """One account manager by id; any other id (a member user, nobody) gives 404."""
    found = staff_users().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def login_lockout_ends_at(*, email: str, ip_address: str | None) -> datetime | None:
    """When the lockout of this (email, address) pair ends, or None if it is not locked.

    The pair is locked while LOGIN_LOCKOUT_FAILURES failures lie within the last
    LOGIN_LOCKOUT_MINUTES; it ends when the oldest of those leaves the window. Refused
    attempts are not counted, so waiting always ends the lockout. One query.
    """
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    nth = (
        LoginFailure.objects.filter(email=email, ip_address=ip_address, at__gte=timezone.now() - window)
        .order_by("-at")
        .values_list("at", flat=True)[settings.LOGIN_LOCKOUT_FAILURES - 1 : settings.LOGIN_LOCKOUT_FAILURES]
    )
    found = list(nth)
    return found[0] + window if found else None


def access_request_mismatches_recent(*, ip_address: str | None) -> int:
    """Sign-up requests from this address that matched no member within the lockout window."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return AuditEvent.objects.filter(action="access_request.mismatch", ip_address=ip_address, at__gte=since).count()


def account_managers_of(syndicate: Syndicate) -> list[dict[str, str]]:
    """The active account managers following ``syndicate`` (its portfolio holders), for the
    member space's "Votre chargé de compte": name, e-mail and phone only. Staff accounts live
    in the public schema, read there explicitly."""
    from django_tenants.utils import schema_context

    with schema_context("public"):
        rows = (
            User.objects.filter(portfolio=syndicate, role=Role.ACCOUNT_MANAGER, is_active=True)
            .order_by("last_name", "first_name", "email")
            .values("first_name", "last_name", "email", "phone")
        )
        return [{key: str(value) for key, value in row.items()} for row in rows]


def readonly_views_for(admin: User) -> list[AuditEvent]:
    """The supplier's read-only consultations of the admin's member's users (its audit trail), newest first."""
    if admin.member_id is None:
        return []
    ids = User.objects.filter(member_id=admin.member_id).annotate(key=Cast("pk", CharField())).values("key")
    return list(
        AuditEvent.objects.filter(
            action__in=["readonly_view.started", "readonly_view.ended"], target_type="accounts.user", target_id__in=ids
        ).order_by("-at", "-id")[:20]
    )  # one query
