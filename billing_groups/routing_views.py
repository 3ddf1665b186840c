"""The member's budget lines and routing page (Facturation module, issue 10 §3).

Year by year: the member's budget lines (create), its sites with their line (tick sites, set
a line — in bulk), its billing perimeters with their line, ChorusPro service code and
commitment number; export and import of the whole mapping as a spreadsheet (all or nothing).
Facturation right to read; member users write (the coordinator reads every member's, exports).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can_write, module_user
from accounts.choices import Module
from accounts.models import User
from billing_groups import routing
from billing_groups.models import PerimeterRouting, SiteRouting
from billing_groups.routing_io import COLUMNS, routing_import, routing_rows
from billing_groups.routing_selectors import budget_lines_for, get_budget_line_for
from billing_groups.selectors import get_perimeter_for, perimeters_for
from perimeter.selectors import sites_for
from spreadsheets.xlsx import write_xlsx

SITES_PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    try:
        return routing.clean_year(request.GET.get("year") or request.POST.get("year") or dt.date.today().year)
    except ValidationError:
        return dt.date.today().year


def _back(year: int, page: Any = None) -> HttpResponse:
    url = f"{reverse('billing_routing:home')}?year={year}"
    return redirect(f"{url}&page={page}" if page else url)


def _post(request: HttpRequest, user: User, year: int) -> None:
    action = request.POST.get("action")
    assert user.member is not None
    if action == "line_create":
        routing.budget_line_create(
            member=user.member,
            year=year,
            code=request.POST.get("code", ""),
            label=request.POST.get("label", ""),
            actor=user,
            request=request,
        )
        messages.success(request, _("Ligne budgétaire ajoutée."))
    elif action == "sites_assign":
        line_id = request.POST.get("budget_line")
        line = get_budget_line_for(user, line_id) if line_id else None
        ids = [pk for pk in request.POST.getlist("sites") if pk.isdigit()]
        scoped = list(sites_for(user).filter(pk__in=ids).values_list("pk", flat=True))
        changed = routing.sites_budget_line_set(
            member=user.member, year=year, sites=scoped, budget_line=line, actor=user, request=request
        )
        messages.success(request, _("%(n)d site(s) mis à jour.") % {"n": changed})
    elif action == "perimeter_set":
        perimeter = get_perimeter_for(user, request.POST.get("perimeter", ""))
        line_id = request.POST.get("budget_line")
        routing.perimeter_routing_set(
            perimeter=perimeter,
            year=year,
            budget_line=get_budget_line_for(user, line_id) if line_id else None,
            service_code=request.POST.get("service_code", ""),
            commitment_number=request.POST.get("commitment_number", ""),
            actor=user,
            request=request,
        )
        messages.success(request, _("Routage du périmètre « %(name)s » enregistré.") % {"name": perimeter.name})
    else:
        raise ValidationError(_("Action inconnue."))


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if request.method == "POST":
        user = module_user(request, Module.BILLING, write=True)
        try:
            _post(request, user, year)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return _back(year, request.POST.get("page"))
    user = module_user(request, Module.BILLING)
    lines = list(budget_lines_for(user).filter(year=year).order_by("member__legal_name", "code"))
    site_lines = dict(
        SiteRouting.objects.filter(site__in=sites_for(user).order_by().values("pk"), year=year).values_list(
            "site_id", "budget_line__code"
        )
    )
    page = Paginator(
        sites_for(user).order_by("site_name", "pk").values("pk", "site_name", "delivery_point", "member__legal_name"),
        SITES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    sites = [{**site, "line": site_lines.get(site["pk"], "")} for site in page.object_list]
    perimeters = list(perimeters_for(user).order_by("member__legal_name", "name"))
    routings = {
        r.perimeter_id: r for r in PerimeterRouting.objects.filter(perimeter__in=[p.pk for p in perimeters], year=year)
    }
    return render(
        request,
        "billing_groups/routing.html",
        {
            "year": year,
            "years": list(range(dt.date.today().year + 1, dt.date.today().year - 5, -1)),
            "lines": lines,
            "page": page,
            "sites": sites,
            "perimeter_rows": [(p, routings.get(p.pk)) for p in perimeters],
            "can_edit": can_write(user, Module.BILLING),
            "show_member": user.member_id is None,
        },
    )


@login_required
@require_GET
def export(request: HttpRequest) -> FileResponse:
    user = module_user(request, Module.BILLING)
    year = request.GET.get("year")
    out = io.BytesIO()
    write_xlsx(
        out,
        columns=COLUMNS,
        rows=routing_rows(user, year=routing.clean_year(year) if year else None),
        sheet_title="Imputations",
    )
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="imputations.xlsx", content_type=XLSX)


@login_required
@require_POST
def import_(request: HttpRequest) -> HttpResponse:
    user = module_user(request, Module.BILLING, write=True)
    assert user.member is not None
    upload = request.FILES.get("file")
    year = _year(request)
    if upload is None:
        messages.error(request, _("Choisissez un fichier .xlsx."))
        return _back(year)
    try:
        count = routing_import(
            member=user.member,
            upload=upload,
            name=upload.name or "",
            size=upload.size or 0,
            actor=user,
            request=request,
        )
    except ValidationError as exc:
        return render(
            request,
            "billing_groups/routing_import_refused.html",
            {"errors": exc.messages, "year": year},
            status=400,
        )
    messages.success(request, _("%(n)d ligne(s) importée(s).") % {"n": count})
    return _back(year)
