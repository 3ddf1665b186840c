"""Back-office follow-up of the data-collection campaigns: states, reminders, unlock, export jobs.

Account managers only (public host). Each syndicate's schema is entered explicitly;
every look and every action is written to the public audit trail, and the actions
also to the syndicate's (datacollection.followup.services).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from config.query_params import int_or_none
from datacollection.followup.selectors import (
    SORT_LABELS,
    STATE_LABELS,
    campaign_followup,
    campaigns_of_syndicate,
    followup_filter,
)
from datacollection.followup.services import followup_unlock, member_of_campaign, reminders_send
from datacollection.models import Campaign, Journey
from reports.definitions_followup import CAMPAIGN_COLLECTED_DATA, CAMPAIGN_FOLLOWUP
from reports.services import export_request_staff

ROWS_PER_PAGE = 50


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif du déverrouillage"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Obligatoire ; conservé dans l'historique du parcours."),
    )


def _campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("lot").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


@login_required
@require_GET
def followup_campaigns(request: HttpRequest) -> HttpResponse:
    """Every syndicate's campaigns (one query per syndicate)."""
    require_account_manager(request)
    groups = []
    for syndicate in syndicates_for_backoffice():
        with tenant_context(syndicate):
            groups.append({"syndicate": syndicate, "campaigns": list(campaigns_of_syndicate())})
    audit_record(action="backoffice.followup_campaigns_viewed", request=request)
    return render(request, "backoffice/followup_campaigns.html", {"groups": groups})


@login_required
@require_GET
def followup_table(request: HttpRequest, code: str, campaign_id: int) -> HttpResponse:
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    filters = {
        "state": request.GET.get("etat", ""),
        "query": request.GET.get("q", "").strip(),
        "max_percent": int_or_none(request.GET.get("max")),
        "sort": request.GET.get("tri", "nom"),
    }
    with tenant_context(syndicate):
        campaign = _campaign(campaign_id)
        rows = campaign_followup(campaign)
        shown = followup_filter(rows, **filters)  # type: ignore[arg-type]
        page = Paginator(shown, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        querystring = request.GET.copy()
        querystring.pop("page", None)
        response = render(
            request,
            "backoffice/followup_table.html",
            {
                "syndicate": syndicate,
                "campaign": campaign,
                "page": page,
                "total": len(rows),
                "unfinished": sum(1 for r in rows if not r.finished),
                "filters": filters,
                "states": STATE_LABELS,
                "sort_labels": SORT_LABELS,
                "querystring": querystring.urlencode(),
                "unlock_form": UnlockForm(),
            },
        )
    audit_record(
        action="backoffice.followup_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "campaign": campaign_id},
    )
    return response


@login_required
@require_POST
def followup_remind(request: HttpRequest, code: str, campaign_id: int) -> HttpResponse:
    """ "Relancer" one member (``membre``) or every unfinished member (``tous``)."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        campaign = _campaign(campaign_id)
        if request.POST.get("tous"):
            member_ids = [row.member_id for row in campaign_followup(campaign) if not row.finished]
        else:
            member = member_of_campaign(campaign, int_or_none(request.POST.get("membre")) or 0)
            if member is None:
                raise Http404
            member_ids = [member.pk]
        try:
            reminders = reminders_send(campaign=campaign, member_ids=member_ids, sent_by=manager.email)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            reminders = []
        else:
            skipped = len(member_ids) - len(reminders)
            messages.success(
                request,
                _("%(n)d relance(s) envoyée(s).") % {"n": len(reminders)}
                + (_(" %(k)d membre(s) sans adresse e-mail.") % {"k": skipped} if skipped else ""),
            )
    audit_record(
        action="backoffice.reminders_sent",
        request=request,
        details={
            "schema": syndicate.schema_name,
            "campaign": campaign_id,
            "members": [r.member_id for r in reminders],
        },
    )
    return redirect("backoffice:followup_table", code=syndicate.code, campaign_id=campaign_id)


@login_required
@require_http_methods(["GET", "POST"])
def followup_unlock_view(request: HttpRequest, code: str, campaign_id: int, member_id: int) -> HttpResponse:
    """ "Déverrouiller" a validated journey, with a mandatory reason."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    form = UnlockForm(request.POST or None)
    unlocked = False
    with tenant_context(syndicate):
        campaign = _campaign(campaign_id)
        journey = Journey.objects.select_related("member").filter(campaign=campaign, member_id=member_id).first()
        if journey is None:
            raise Http404
        if request.method == "POST" and form.is_valid():
            try:
                followup_unlock(journey=journey, reason=form.cleaned_data["reason"], unlocked_by=manager.email)
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                unlocked = True
        response = render(
            request,
            "backoffice/followup_unlock.html",
            {"syndicate": syndicate, "campaign": campaign, "journey": journey, "form": form},
        )
    audit_record(
        action="backoffice.journey_unlocked" if unlocked else "backoffice.journey_unlock_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "campaign": campaign_id, "member": member_id}
        | ({"reason": form.cleaned_data["reason"]} if unlocked else {}),
    )
    if unlocked:
        messages.success(request, _("Le parcours est déverrouillé : le membre peut de nouveau le modifier."))
        return redirect("backoffice:followup_table", code=syndicate.code, campaign_id=campaign_id)
    return response


EXPORTS = {"suivi": CAMPAIGN_FOLLOWUP, "donnees": CAMPAIGN_COLLECTED_DATA}


@login_required
@require_POST
def followup_export(request: HttpRequest, code: str, campaign_id: int, kind: str) -> HttpResponse:
    """ "Exporter le suivi" / "Exporter les données collectées": an export job of the reports
    framework (built in the background, e-mailed), followed on its back-office page."""
    manager = require_account_manager(request)
    if kind not in EXPORTS:
        raise Http404
    definition = EXPORTS[kind]
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        campaign = _campaign(campaign_id)
        # Audited in the syndicate's trail by the service, under the manager's e-mail.
        job = export_request_staff(
            manager=manager, report=definition.name, params={"campaign": campaign.pk}, request=request
        )
    audit_record(
        action="backoffice.export_requested",
        request=request,
        details={
            "schema": syndicate.schema_name,
            "report": definition.name,
            "campaign": campaign_id,
            "job": str(job.pk),
        },
    )
    messages.success(request, _("L'export est en préparation ; il vous sera aussi envoyé par e-mail."))
    return redirect("backoffice:export_job", code=syndicate.code, job_id=job.pk)
