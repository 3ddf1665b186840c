"""The syndicate coordinator's follow-up of the campaigns (tenant host): the back-office table, read-only.

Coordinators only: no reminder and no unlock here; the exports go through the reports
framework (``campaign_followup`` and ``campaign_collected_data`` definitions).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import require_coordinator
from config.query_params import int_or_none
from datacollection.followup.selectors import (
    SORT_LABELS,
    STATE_LABELS,
    campaign_followup,
    campaigns_of_syndicate,
    followup_filter,
)

ROWS_PER_PAGE = 50


@login_required
@require_GET
def coordinator_followup(request: HttpRequest) -> HttpResponse:
    require_coordinator(request)
    campaigns = list(campaigns_of_syndicate())
    wanted = int_or_none(request.GET.get("campagne"))
    campaign = next((c for c in campaigns if c.pk == wanted), campaigns[0] if campaigns else None)
    context: dict[str, object] = {
        "campaigns": campaigns,
        "campaign": campaign,
        "states": STATE_LABELS,
        "sort_labels": SORT_LABELS,
    }
    if campaign is not None:
        filters = {
            "state": request.GET.get("etat", ""),
            "query": request.GET.get("q", "").strip(),
            "max_percent": int_or_none(request.GET.get("max")),
            "sort": request.GET.get("tri", "nom"),
        }
        rows = campaign_followup(campaign)
        shown = followup_filter(rows, **filters)  # type: ignore[arg-type]
        querystring = request.GET.copy()
        querystring.pop("page", None)
        context |= {
            "page": Paginator(shown, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            "total": len(rows),
            "filters": filters,
            "querystring": querystring.urlencode(),
        }
    return render(request, "followup/coordinator_followup.html", context)
