"""Back-office of the supplier (public schema): syndicates and pending sign-up requests.

Account managers only. Each syndicate's schema is entered explicitly (tenant_context)
and every look is written to the audit trail (QUALITY.md item 5).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_tenants.utils import tenant_context

from accounts import services
from accounts.access import require_account_manager
from accounts.audit import audit_record
from accounts.forms import AccessRequestDecisionForm
from accounts.models import AccessRequest
from accounts.selectors import pending_access_requests
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from tenants.services import syndicate_url
from workspace.selectors import work_queue, work_queue_counts

# Pending sign-up requests listed per syndicate on the home page (the oldest first).
PENDING_SHOWN = 20


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    manager = require_account_manager(request)
    syndicates = list(syndicates_for_backoffice())
    rows: list[dict[str, object]] = []
    pending: list[dict[str, object]] = []
    for syndicate in syndicates:
        # Two queries per syndicate (the oldest pending requests, and how many there are in all).
        with tenant_context(syndicate):
            waiting = pending_access_requests()
            oldest = list(waiting.order_by("created_at", "pk")[:PENDING_SHOWN])
            count = len(oldest) if len(oldest) < PENDING_SHOWN else waiting.count()
        rows.append({"syndicate": syndicate, "url": syndicate_url(syndicate), "pending": count})
        pending.extend({"syndicate": syndicate, "access_request": item} for item in oldest)
        if count > len(oldest):
            pending.append({"syndicate": syndicate, "more": count - len(oldest)})
    audit_record(
        action="backoffice.home_viewed",
        request=request,
        details={"schemas": [s.schema_name for s in syndicates], "pending_requests": sum(r["pending"] for r in rows)},
    )
    queue = work_queue(manager)
    context = {"rows": rows, "pending": pending, "queue_total": len(queue), "queue_counts": work_queue_counts(queue)}
    return render(request, "backoffice/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def access_request_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Approve or refuse a syndicate's sign-up request from the back-office."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    form = AccessRequestDecisionForm(request.POST or None)
    with tenant_context(syndicate):
        access_request = AccessRequest.objects.select_related("member").filter(pk=pk).first()
        if access_request is None:
            raise Http404
        decided = False
        if request.method == "POST" and form.is_valid():
            # No request/actor passed: the manager has no account in this schema; the
            # tenant's audit row keeps the email, the public one below the full context.
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.access_request_approve(
                        access_request=access_request, modules=form.cleaned_data["modules"], actor_email=manager.email
                    )
                else:
                    services.access_request_refuse(
                        access_request=access_request, reason=form.cleaned_data["reason"], actor_email=manager.email
                    )
            except ValidationError as error:
                form.add_error("reason" if hasattr(error, "error_dict") else None, " ".join(error.messages))
            else:
                decided = True
        response = render(
            request,
            "backoffice/access_request_decide.html",
            {"syndicate": syndicate, "access_request": access_request, "form": form},
        )
    action = (
        f"backoffice.access_request_{form.cleaned_data['decision']}d" if decided else "backoffice.access_request_viewed"
    )
    audit_record(
        action=action,
        request=request,
        details={"schema": syndicate.schema_name, "access_request": access_request.pk, "email": access_request.email},
    )
    if decided:
        messages.success(request, _("La décision est enregistrée ; le demandeur en est informé par e-mail."))
        return redirect("backoffice:home")
    return response
