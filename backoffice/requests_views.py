"""Back-office handling of the members' technical requests, across syndicates.

Account managers only (public host). Each syndicate's schema is entered explicitly; every
look is written to the public audit trail, every action to the syndicate's (the services
of ``technical_requests`` audit and notify the author).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from technical_requests import services
from technical_requests.catalogue import TYPES_BY_CODE
from technical_requests.choices import CLOSED_STATUSES, RequestStatus
from technical_requests.models import TechnicalRequest
from technical_requests.selectors import late_q, with_lateness
from technical_requests.workflow import TRANSITIONS

# The queue shows at most this many requests per syndicate (the oldest first).
QUEUE_PER_SYNDICATE = 200

ACTIONS = {
    "progress": RequestStatus.IN_PROGRESS,
    "complete": RequestStatus.DONE,
    "refuse": RequestStatus.REFUSED,
    "abandon": RequestStatus.ABANDONED,
    "send": RequestStatus.SENT,
}


class ManageForm(forms.Form):
    """Every action of the request page posts this form with its ``action``."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in (*ACTIONS, "take", "record", "message")], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=gettext_lazy("Motif"), required=False, max_length=500)
    distributor_reference = forms.CharField(
        label=gettext_lazy("Référence du distributeur"), required=False, max_length=40
    )
    appointment_date = forms.DateField(
        label=gettext_lazy("Date de rendez-vous"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    body = forms.CharField(label=gettext_lazy("Message au demandeur"), required=False, widget=forms.Textarea)


@login_required
@require_GET
def requests_queue(request: HttpRequest) -> HttpResponse:
    """Open requests of every syndicate, oldest first, late ones highlighted (one query per syndicate)."""
    require_account_manager(request)
    show_closed = request.GET.get("closes") == "1"
    rows: list[dict[str, Any]] = []
    counts = []
    for syndicate in syndicates_for_backoffice():
        with tenant_context(syndicate):
            requests = with_lateness(TechnicalRequest.objects.select_related("member"))
            if not show_closed:
                requests = requests.exclude(status__in=sorted(CLOSED_STATUSES))
            found = list(requests.order_by("created_at", "id")[:QUEUE_PER_SYNDICATE])
            late = TechnicalRequest.objects.filter(late_q()).count()
        counts.append({"syndicate": syndicate, "shown": len(found), "late": late})
        rows.extend(
            {"syndicate": syndicate, "request": r, "type_label": TYPES_BY_CODE[r.type_code].label} for r in found
        )
    rows.sort(key=lambda row: row["request"].created_at)
    audit_record(action="backoffice.technical_requests_viewed", request=request, details={"rows": len(rows)})
    return render(
        request,
        "backoffice/requests_queue.html",
        {"rows": rows, "counts": counts, "show_closed": show_closed, "limit": QUEUE_PER_SYNDICATE},
    )


def _request_in(pk: int) -> TechnicalRequest:
    tech_request = with_lateness(TechnicalRequest.objects.select_related("member", "site")).filter(pk=pk).first()
    if tech_request is None:
        raise Http404
    return tech_request


@login_required
@require_http_methods(["GET", "POST"])
def request_manage(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One request: its data, timeline and messages, and the account manager's actions."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        tech_request = _request_in(pk)
        if request.method == "POST":
            form = ManageForm(request.POST)
            if form.is_valid():
                try:
                    _act(tech_request, form.cleaned_data, manager.email, request)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(request, _("La demande %(ref)s est à jour.") % {"ref": tech_request.reference})
            else:
                messages.error(request, _("Le formulaire est invalide : %(e)s") % {"e": form.errors.as_text()})
            return redirect("backoffice:technical_request", code=syndicate.code, pk=tech_request.pk)
        rtype = TYPES_BY_CODE[tech_request.type_code]
        response = render(
            request,
            "backoffice/request_manage.html",
            {
                "syndicate": syndicate,
                "tech_request": tech_request,
                "rtype": rtype,
                "fields": [
                    (f, tech_request.data[f.name])
                    for f in rtype.fields_for(new_site=True)
                    if f.name in tech_request.data
                ],
                "timeline": list(tech_request.status_changes.all()),
                "messages_list": list(tech_request.messages.all()),
                "attachments": list(tech_request.attachments.all()),
                "next": {a: s for a, s in ACTIONS.items() if s in TRANSITIONS[tech_request.status]},
                "closed": tech_request.status in CLOSED_STATUSES,
                "form": ManageForm(),
            },
        )
    audit_record(
        action="backoffice.technical_request_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "request": pk},
    )
    return response


def _act(tech_request: TechnicalRequest, data: dict[str, Any], email: str, request: HttpRequest) -> None:
    action = data["action"]
    appointment: dt.date | None = data.get("appointment_date")
    if action == "take":
        services.request_take(tech_request=tech_request, staff_email=email, request=request)
    elif action == "record":
        services.request_record_distributor(
            tech_request=tech_request,
            by_label=email,
            distributor_reference=data.get("distributor_reference") or "",
            appointment_date=appointment,
            request=request,
        )
    elif action == "message":
        services.message_post(
            tech_request=tech_request, author_label=email, from_staff=True, body=data.get("body") or "", request=request
        )
    else:
        if not tech_request.handled_by:
            services.request_take(tech_request=tech_request, staff_email=email, request=request)
        services.request_change_status(
            tech_request=tech_request,
            to_status=ACTIONS[action],
            by_label=email,
            reason=data.get("reason") or "",
            appointment_date=appointment,
            distributor_reference=data.get("distributor_reference") or None,
            at=timezone.now(),
            request=request,
        )
