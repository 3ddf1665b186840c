"""Back-office management of the data-collection campaigns: create one per lot, change its dates and defaults.

Account managers only (public host); the syndicate's schema is entered explicitly and every
change is written to the syndicate's audit trail (by the service) and the public one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.followup_views import _campaign
from backoffice.selectors import get_syndicate_for_backoffice
from config.form_errors import add_service_errors
from datacollection import services
from datacollection.models import Campaign
from perimeter.models import Lot


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = list(services.CAMPAIGN_FIELDS)
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "switch_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "welcome_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = Lot.objects.order_by("number")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The rules (dates in order, one campaign per lot at a time) are the service's.
        pass


def _campaign_form(request: HttpRequest, code: str, campaign_id: int | None) -> HttpResponse:
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        campaign = _campaign(campaign_id) if campaign_id is not None else None
        form = CampaignForm(request.POST or None, instance=campaign)
        saved = None
        if request.method == "POST" and form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.CAMPAIGN_FIELDS}
            try:
                if campaign is None:
                    saved = services.campaign_create(actor_email=manager.email, request=request, **data)
                else:
                    saved = services.campaign_update(
                        campaign=campaign, data=data, actor_email=manager.email, request=request
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
        response = render(
            request,
            "backoffice/campaign_form.html",
            {"syndicate": syndicate, "campaign": campaign, "form": form},
        )
    audit_record(
        action="backoffice.campaign_saved" if saved else "backoffice.campaign_form_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "campaign": saved.pk if saved else campaign_id},
    )
    if saved is not None:
        messages.success(request, _("La campagne « %(name)s » est enregistrée.") % {"name": saved.name})
        return redirect("backoffice:followup_campaigns")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, code: str) -> HttpResponse:
    return _campaign_form(request, code, None)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, code: str, campaign_id: int) -> HttpResponse:
    return _campaign_form(request, code, campaign_id)
