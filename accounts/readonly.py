""" "Voir l'espace du membre": a read-only, time-limited, audited view of a member user's space.

The staff user lives in the public schema and the member space answers on the syndicate's
own address (host-only session cookies), so the view crosses hosts without ever logging
the member user in and without its password:

1. ``readonly_view_start`` (back-office, staff whose portfolio holds the syndicate) writes a
   ``ReadOnlyView`` row (public schema) and returns the syndicate's address with a signed
   token (``signing``, salt of its own) valid ``TOKEN_SECONDS``, naming the row and the schema;
2. ``readonly_view_redeem`` (the syndicate's address) checks the signature, its age and its
   schema, and claims the row once (``redeemed_at`` set atomically: a token replayed or
   copied opens nothing); the view then starts a *new* session holding only the row's id —
   no ``_auth_user_id``, so no login of anybody, no ``last_login``, no password;
3. ``ReadOnlyViewMiddleware`` makes that session's requests run as the member user, with
   ``request.readonly_view`` set (the banner), refuses every writing method (403, JSON
   under ``/api/``) whatever the view, but the end; records each page in the syndicate's
   audit trail; and ends the session once the row is expired or ended;
4. ``readonly_view_end``: the explicit end (the banner's button).

The syndicate's audit trail (``readonly_view.started`` / ``.page`` / ``.ended``, signed with
the staff e-mail and naming the member user) is what the member's administrator reads on
its "Administration des accès" page; the public trail keeps the back-office side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from accounts.audit import audit_record
from accounts.models import ReadOnlyView, User
from tenants.models import Syndicate
from tenants.services import syndicate_url

READONLY_MINUTES = 30
TOKEN_SECONDS = 60
SESSION_KEY = "readonly_view"
_SALT = "accounts.readonly_view"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
REFUSAL = "Consultation en lecture seule par le fournisseur : aucune modification n'est possible."


class ReadOnlyViewInvalid(Exception):
    """The token is forged, too old, for another syndicate, or already used."""


@transaction.atomic
def readonly_view_start(*, staff: User, syndicate: Syndicate, member_user: User, request: HttpRequest) -> str:
    """Open a read-only view of ``member_user``'s space (call inside the back-office, after the
    portfolio lookup); returns the URL on the syndicate's address that enters it. Audited on both sides."""
    now = timezone.now()
    with schema_context("public"):
        grant = ReadOnlyView.objects.create(
            staff=staff,
            syndicate=syndicate,
            member_user_id=member_user.pk,
            member_id=member_user.member_id or 0,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=READONLY_MINUTES),
        )
        audit_record(
            action="backoffice.readonly_view_started",
            request=request,
            details={"schema": syndicate.schema_name, "member_user": member_user.email, "view": grant.pk},
        )
    with tenant_context(syndicate):
        audit_record(
            action="readonly_view.started",
            actor_email=staff.email,
            target=member_user,
            details={"staff": staff.email, "view": grant.pk, "until": grant.expires_at.isoformat()},
        )
    token = signing.dumps({"view": grant.pk, "schema": syndicate.schema_name}, salt=_SALT)
    return syndicate_url(syndicate) + reverse(
        "accounts:readonly_enter", kwargs={"token": token}, urlconf="config.urls_tenant"
    )


def readonly_view_redeem(*, token: str, schema: str) -> ReadOnlyView:
    """Claim a token on the syndicate's address, once, within TOKEN_SECONDS (ReadOnlyViewInvalid otherwise)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=TOKEN_SECONDS)
    except signing.BadSignature as error:  # SignatureExpired included
        raise ReadOnlyViewInvalid from error
    if not isinstance(data, dict) or data.get("schema") != schema or not isinstance(data.get("view"), int):
        raise ReadOnlyViewInvalid
    now = timezone.now()
    with schema_context("public"):
        claimed = ReadOnlyView.objects.filter(
            pk=data["view"], redeemed_at__isnull=True, ended_at__isnull=True, expires_at__gt=now
        ).update(redeemed_at=now)
        if not claimed:
            raise ReadOnlyViewInvalid
        return ReadOnlyView.objects.select_related("staff").get(pk=data["view"])


def readonly_view_end(*, view: ReadOnlyView, request: HttpRequest | None = None) -> None:
    """End the view (explicitly, or once expired): the row is closed and the end audited."""
    with schema_context("public"):
        ended = ReadOnlyView.objects.filter(pk=view.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    if ended:
        audit_record(
            action="readonly_view.ended",
            actor_email=view.staff.email,
            target=User.objects.filter(pk=view.member_user_id).first(),  # inside the syndicate
            details={"staff": view.staff.email, "view": view.pk},
        )


def _active_view(view_id: object) -> ReadOnlyView | None:
    if not isinstance(view_id, int):
        return None
    with schema_context("public"):
        view = ReadOnlyView.objects.select_related("staff").filter(pk=view_id).first()
    return view


class ReadOnlyViewMiddleware:
    """On a syndicate's address: a read-only view's session runs as the member user, never writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return self.get_response(request)
        from tenants.db import connection

        view = _active_view(session.get(SESSION_KEY))
        tenant = getattr(connection, "tenant", None)
        if (
            view is None
            or tenant is None
            or view.syndicate_id != tenant.pk
            or view.ended_at is not None
            or view.expires_at <= timezone.now()
        ):
            if view is not None and view.ended_at is None:
                readonly_view_end(view=view)
            session.flush()
            return render(request, "accounts/readonly_ended.html", status=403)
        member_user = User.objects.filter(pk=view.member_user_id, is_active=True).first()
        if member_user is None:
            readonly_view_end(view=view)
            session.flush()
            return render(request, "accounts/readonly_ended.html", status=403)
        request.user = member_user
        request.readonly_view = view  # type: ignore[attr-defined]
        end_path = reverse("accounts:readonly_end")
        if request.method not in SAFE_METHODS and request.path != end_path:
            audit_record(
                action="readonly_view.write_refused",
                actor_email=view.staff.email,
                details={"view": view.pk, "path": request.path[:200], "method": request.method},
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": REFUSAL}, status=403)
            return render(request, "accounts/readonly_refused.html", {"message": _(REFUSAL)}, status=403)
        if request.method == "GET" and not request.path.startswith("/static/"):
            audit_record(
                action="readonly_view.page",
                actor_email=view.staff.email,
                details={"view": view.pk, "path": request.path[:200]},
            )
        return self.get_response(request)
