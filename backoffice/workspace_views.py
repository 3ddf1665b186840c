"""The account managers' workspace: search across the portfolio, the member "360" page, the work queue.

Account managers only; a syndicate outside the portfolio answers 404 (``get_syndicate_for_backoffice``).
Each syndicate is entered explicitly and every look is audited (QUALITY.md item 5).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tenants.utils import tenant_context
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import IsAccountManager, request_user, require_account_manager
from accounts.audit import audit_record
from accounts.models import AccessRequest, AuditEvent, User
from accounts.readonly import READONLY_MINUTES, readonly_view_start
from backoffice.selectors import get_syndicate_for_backoffice
from billing_groups.models import BillingPerimeter
from datacollection.models import Journey, JourneyEvent
from perimeter.models import Member
from workspace.selectors import search, valid_key, work_queue
from workspace.services import work_item_done, work_item_take

# Bounds of the 360 page (a large member has hundreds of sites: counted by status, the newest shown).
SITES_SHOWN = 50
AUDIT_SHOWN = 50


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """ "Rechercher": one box, results grouped by kind with their syndicate, as the user types (htmx)."""
    user = require_account_manager(request)
    q = request.GET.get("q", "")
    groups = search(user, q) if q else []
    if q:
        audit_record(action="backoffice.search", request=request, details={"q": q[:100]})
    template = "backoffice/_search_results.html" if request.htmx else "backoffice/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"q": q, "groups": groups})


class SearchResultSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    detail = serializers.CharField()
    syndicate = serializers.CharField()
    code = serializers.CharField()
    url = serializers.CharField()


class SearchGroupSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(source="name")
    label = serializers.CharField()  # type: ignore[assignment]
    more = serializers.BooleanField()
    results = SearchResultSerializer(many=True)


class SearchView(APIView):
    """GET ?q=: the same search as the page, in JSON (the user's portfolio only)."""

    permission_classes = [IsAccountManager]

    @extend_schema(
        operation_id="staff_search",
        summary="Rechercher dans le portefeuille",
        parameters=[OpenApiParameter("q", str, description="Texte cherché (2 caractères au moins).", required=False)],
        responses={200: SearchGroupSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        q = str(request.query_params.get("q", ""))
        groups = search(user, q)
        if q:
            audit_record(action="backoffice.search", request=request._request, details={"q": q[:100], "api": True})
        return Response(SearchGroupSerializer(groups, many=True).data)


@login_required
@require_GET
def member_360(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """A member, whole: identity, lots, contacts, sites by status, journeys, users, access requests,
    billing perimeters and its audit trail (bounded queries, whatever its size)."""
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        member = Member.objects.prefetch_related("lots", "contacts").filter(pk=member_id).first()
        if member is None:
            raise Http404
        sites = member.sites.select_related("lot").order_by("site_name", "pk")
        by_status = list(sites.values("status").annotate(n=Count("pk")).order_by("status"))
        users = list(User.objects.filter(member=member).order_by("last_name", "first_name", "email"))
        user_ids = [str(u.pk) for u in users]
        context: dict[str, Any] = {
            "syndicate": syndicate,
            "member": member,
            "lots": list(member.lots.all()),
            "contacts": list(member.contacts.all()),
            "sites": list(sites[:SITES_SHOWN]),
            "sites_total": sum(row["n"] for row in by_status),
            "by_status": [{"status": _status_label(row["status"]), "n": row["n"]} for row in by_status],
            "journeys": list(Journey.objects.filter(member=member).select_related("campaign").order_by("-pk")),
            "journey_events": list(
                JourneyEvent.objects.filter(journey__member=member).select_related("journey__campaign")[:AUDIT_SHOWN]
            ),
            "users": users,
            "active_users": [u for u in users if u.is_active],
            "readonly_minutes": READONLY_MINUTES,
            "access_requests": list(AccessRequest.objects.filter(member=member).order_by("-created_at")[:20]),
            "perimeters": list(
                BillingPerimeter.objects.filter(member=member).annotate(n=Count("attachments")).order_by("name")
            ),
            "audit": list(
                AuditEvent.objects.filter(
                    Q(target_type="perimeter.member", target_id=str(member.pk))
                    | Q(actor__member=member)
                    | Q(target_type="accounts.user", target_id__in=user_ids)
                ).order_by("-at", "-id")[:AUDIT_SHOWN]
            ),
        }
        response = render(request, "backoffice/member_360.html", context)
        audit_record(
            action="backoffice.member_viewed",
            request=request,
            target=member,
            details={"schema": syndicate.schema_name},
        )
    return response


def _status_label(value: str) -> str:
    from perimeter.choices import SiteStatus

    try:
        return str(SiteStatus(value).label)
    except ValueError:
        return value


@login_required
@require_GET
def work_queue_page(request: HttpRequest) -> HttpResponse:
    """Everything waiting in the portfolio, the oldest first."""
    user = require_account_manager(request)
    items = work_queue(user)
    audit_record(action="backoffice.work_queue_viewed", request=request, details={"items": len(items)})
    return render(request, "backoffice/work_queue.html", {"items": items, "me": user})


@login_required
@require_POST
def work_item_action(request: HttpRequest, code: str, kind: str, key: str) -> HttpResponse:
    """Take an item (``action=take``) or mark it done (``action=done``)."""
    user = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    if not valid_key(key) or not valid_key(kind):
        raise Http404
    if request.POST.get("action") == "done":
        work_item_done(actor=user, syndicate=syndicate, kind=kind, key=key)
        messages.success(request, _("Élément traité."))
    else:
        work_item_take(actor=user, syndicate=syndicate, kind=kind, key=key)
        messages.success(request, _("Élément pris en charge."))
    return redirect("backoffice:work_queue")


@login_required
@require_POST
def readonly_view_start_view(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """ "Voir l'espace du membre" as one of its users: read-only, time-limited, audited on both sides."""
    staff = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    try:
        user_id = int(request.POST.get("user", ""))
    except ValueError:
        raise Http404 from None
    with tenant_context(syndicate):
        member_user = User.objects.filter(pk=user_id, member_id=member_id, is_active=True).first()
        if member_user is None:
            raise Http404
        url = readonly_view_start(staff=staff, syndicate=syndicate, member_user=member_user, request=request)
    # A page with the link rather than a redirect: the CSP's form-action 'self' forbids a form's
    # redirect to another host (the syndicate's address); following a link is allowed.
    context = {"url": url, "member_user": member_user, "syndicate": syndicate, "member_id": member_id}
    return render(request, "backoffice/readonly_view_ready.html", context)
