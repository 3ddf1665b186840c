"""The billing summary page ("Bilan de facturation"): perimeter and period (6 months at most), chart, tables,
and the file through the export framework (``billing_summary``, the same sums)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.access import module_user
from accounts.choices import Module
from billing_groups.selectors import perimeters_for
from invoicing.summary import billing_summary, clean_summary, summary_figure
from perimeter.selectors import members_for, sites_for

SITES_PER_PAGE = 50
SITE_CHOICES_MAX = 1_000


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    user = module_user(request, Module.BILLING)
    raw = {k: v for k, v in request.GET.items() if k in {"first", "last", "perimeter", "site", "member"} and v}
    context: dict[str, Any] = {"raw": raw}
    try:
        params = clean_summary(raw)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
    else:
        result = billing_summary(user, params)
        page = Paginator(result.sites, SITES_PER_PAGE).get_page(request.GET.get("page"))
        query = dict(params)
        export = _url_or_none("reports:direct_download", report="billing_summary")
        context.update(
            summary=result,
            totals=result.totals,
            page=page,
            page_query=urlencode(query),
            figure=summary_figure(result.months) if any(m.total_incl_vat for m in result.months) else None,
            export_url=f"{export}?{urlencode({**query, 'format': 'xlsx'})}" if export else None,
        )
    sites = list(
        sites_for(user)
        .order_by("site_name", "pk")
        .values_list("pk", "site_name", "delivery_point")[: SITE_CHOICES_MAX + 1]
    )
    context.update(
        perimeter_choices=list(perimeters_for(user).order_by("name", "pk").values_list("pk", "name")),
        site_choices=sites if len(sites) <= SITE_CHOICES_MAX else [],
        member_choices=list(members_for(user).order_by("legal_name").values_list("pk", "legal_name"))
        if user.member_id is None
        else [],
        files_url=_url_or_none("billing_files:home"),
    )
    return render(request, "invoicing/summary.html", context)
