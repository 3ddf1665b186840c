"""The Park pages: the chart and table of the sites, the technical sheet, the invoice labels.

Every read goes through the member-scoping selectors (a foreign id gives 404); the
Parc right is checked once the object is found (403). Coordinators read every member
of the syndicate but change nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import can_write, module_user, request_user, require_module
from accounts.choices import Module
from accounts.models import User
from config.form_errors import add_service_errors
from perimeter import charts, label_services
from perimeter.extensions import last_readings, site_links
from perimeter.filtersets import SiteFilterSet
from perimeter.forms import SiteLabelsForm
from perimeter.selectors import get_site_for, members_for, sites_for
from perimeter.tables import PARK_SITES_REPORT, site_table

LAST_READINGS = 10
PERIMETER_REPORT = "perimeter_file"


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    """The export buttons appear only when the reports framework is installed."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _table_context(request: HttpRequest, user: User) -> dict[str, Any]:
    show_member = user.member_id is None  # a coordinator: every member of the syndicate
    filterset = SiteFilterSet(request.GET, queryset=sites_for(user))
    sites = filterset.qs if filterset.is_valid() else sites_for(user).none()
    return {
        "filterset": filterset,
        "table": site_table(sites, request.GET, show_member=show_member),
        "show_member": show_member,
        # The same filters and sort, exported through the reports framework.
        "table_export_url": _url_or_none("reports:direct_download", report=PARK_SITES_REPORT),
    }


@login_required
@require_GET
def park(request: HttpRequest) -> HttpResponse:
    """The chart by consumption class, its data table, and the filtered, paginated sites table.

    Queries (besides the session and the user): the chart's aggregate, the table's
    count and page, and for a coordinator the members of the filter.
    """
    user = module_user(request, Module.PARK)
    context = _table_context(request, user)
    if request.htmx and request.htmx.target == "park-table":  # type: ignore[attr-defined]
        return render(request, "perimeter/_site_table.html", context)
    distribution = charts.consumption_class_distribution(sites_for(user))
    context.update(
        distribution=distribution,
        figure=charts.distribution_figure(distribution) if distribution.total else None,
        members=list(members_for(user).values_list("pk", "legal_name")) if context["show_member"] else [],
        export_request_url=_url_or_none("reports:job_create"),
        export_direct_url=_url_or_none("reports:direct_download", report=PERIMETER_REPORT),
        perimeter_report=PERIMETER_REPORT,
    )
    return render(request, "perimeter/park.html", context)


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The technical sheet: technical data, status history, latest readings, invoice labels."""
    user = request_user(request)
    site = get_site_for(user, pk)
    require_module(user, Module.PARK)
    history = list(site.status_history.order_by("-at", "-id"))
    return render(
        request,
        "perimeter/site_detail.html",
        {
            "site": site,
            "history": history,
            "readings": last_readings(site, LAST_READINGS),
            "site_links": site_links(user, site),
            "can_edit": can_write(user, Module.PARK),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the site name and the two references printed on the member's invoices."""
    user = request_user(request)
    site = get_site_for(user, pk)
    require_module(user, Module.PARK, write=True)
    initial = {name: getattr(site, name) for name in label_services.LABEL_FIELDS}
    form = SiteLabelsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            label_services.site_labels_update(site=site, actor=user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Les libellés du site sont enregistrés."))
            return redirect("perimeter:site_detail", pk=site.pk)
    return render(request, "perimeter/site_labels.html", {"site": site, "form": form})
