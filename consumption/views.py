"""The Consommation pages: monthly consumption, curves, readings, self-reading, alerts.

Every site or perimeter comes from the member-scoping helpers (``get_site_for``,
``get_perimeter_for``: a foreign id answers 404), and only then are its ids given to
the consumption selectors. The Consommation right is checked first (403). A
coordinator reads every member's data and writes nothing.

Monthly figures come from the monthly rollups of the meter data, not from invoices
(billing comes later): the pages say "Consommation mensuelle", and a negative month
is a regularisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can_read, can_write, module_user, request_user, require_module
from accounts.choices import Module
from accounts.models import User
from billing_groups.selectors import attached_sites, get_perimeter_for, perimeters_for
from consumption import alerts as alert_services
from consumption import charts, selectors
from consumption.choices import ReadingNature, ReadingSource
from consumption.extensions import billed_consumption
from consumption.forms import DayPeriodForm, MonthPeriodForm, SelfReadingForm
from consumption.models import Alert
from consumption.partitions import add_months
from consumption.selfreading import (
    SelfReadingRefused,
    communicating_refusal,
    last_indexes,
    posts_for,
    self_reading_allowed,
    self_reading_submit,
)
from perimeter.choices import Fluid
from perimeter.models import Site
from perimeter.selectors import get_member_for, get_site_for, members_for, sites_for

HOME_ALERTS = 5
READINGS_PER_PAGE = 50
MONTHLY_REPORT = "consumption_monthly"
READINGS_REPORT = "consumption_readings"
LOAD_CURVE_REPORT = "consumption_load_curve"
DAILY_REPORT = "consumption_daily"


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _fluid_rows(
    user: User, *, first: dt.date, last: dt.date, fluid: str, member_id: int | None
) -> list[selectors.MonthlyValue]:
    """Monthly totals of the user's member (or of one member / the whole syndicate for a coordinator)."""
    if member_id is not None:
        return selectors.monthly_energy_for_member(member_id, first_month=first, last_month=last, fluid=fluid)
    return [
        selectors.MonthlyValue(row.month, row.kwh)
        for row in selectors.syndicate_monthly_totals(first_month=first, last_month=last, fluid=fluid)
    ]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Consumption per month over the last twelve months, per fluid, the last three months, the alerts.

    Queries (besides the session and the user): one rollup query per fluid (and, with the
    Facturation right, one query of the billed consumption per fluid), the alerts.
    """
    user = module_user(request, Module.CONSUMPTION)
    first, last = MonthPeriodForm.default_period()
    tables = []
    for fluid in Fluid:
        values = _fluid_rows(user, first=first, last=last, fluid=fluid.value, member_id=user.member_id)
        if values:
            rows = charts.month_rows(values, first, last)
            billed = billed_consumption(user, first, last, fluid.value)
            tables.append(
                {
                    "fluid": fluid.value,
                    "label": str(fluid.label),
                    "rows": rows,
                    # The consumption billed per invoice month beside the metered one (Facturation right).
                    "billed": billed is not None,
                    "lines": [(row, (billed or {}).get(row.month)) for row in rows],
                    "last_three": rows[-3:],
                    "figure": charts.monthly_figure(rows, compare=False),
                }
            )
    return render(
        request,
        "consumption/home.html",
        {
            "tables": tables,
            "first": first,
            "last": last,
            "alerts": [(a, alert_services.alert_description(a)) for a in alert_services.alerts_for(user, HOME_ALERTS)],
            "export_url": _url_or_none("reports:direct_download", report=MONTHLY_REPORT),
            "export_params": f"first={first:%Y-%m}&last={last:%Y-%m}",
        },
    )


def _scope(request: HttpRequest, user: User) -> dict[str, Any]:
    """What the monthly chart covers: a site, a billing perimeter, a member or the whole syndicate."""
    fluid = request.GET.get("energie") or Fluid.ELECTRICITY.value
    if fluid not in Fluid.values:
        fluid = Fluid.ELECTRICITY.value
    if request.GET.get("site"):
        site = get_site_for(user, request.GET["site"])
        return {"kind": "site", "site": site, "site_ids": [site.pk], "label": site.site_name, "fluid": site.fluid}
    if request.GET.get("perimetre"):
        perimeter = get_perimeter_for(user, request.GET["perimetre"])
        ids = list(attached_sites(perimeter).values_list("pk", flat=True))
        return {"kind": "perimeter", "perimeter": perimeter, "site_ids": ids, "label": perimeter.name, "fluid": fluid}
    if user.member_id is None and request.GET.get("membre"):
        member = get_member_for(user, request.GET["membre"])
        return {"kind": "member", "member_id": member.pk, "label": member.legal_name, "fluid": fluid}
    if user.member_id is not None:
        label = user.member.legal_name if user.member else ""
        return {"kind": "member", "member_id": user.member_id, "label": label, "fluid": fluid}
    return {"kind": "syndicate", "member_id": None, "label": _("Ensemble du syndicat"), "fluid": fluid}


def _scope_export_params(scope: dict[str, Any], user: User) -> dict[str, Any]:
    """The chart's scope in the parameters of the ``consumption_monthly`` report (the API's English names)."""
    if scope["kind"] == "site":
        return {"site": scope["site"].pk}
    if scope["kind"] == "perimeter":
        return {"perimeter": scope["perimeter"].pk}
    if scope["kind"] == "member" and user.member_id is None:  # a coordinator's chosen member
        return {"member": scope["member_id"], "fluid": scope["fluid"]}
    return {"fluid": scope["fluid"]}  # the user's member, or the whole syndicate for a coordinator


@login_required
@require_GET
def curves(request: HttpRequest) -> HttpResponse:
    """The monthly curve of a site, a billing perimeter or the whole member, over twelve months at most."""
    user = module_user(request, Module.CONSUMPTION)
    scope = _scope(request, user)
    form = MonthPeriodForm(request.GET)
    context: dict[str, Any] = {"form": form, "scope": scope}
    if form.is_valid():
        first, last = form.cleaned_data["debut"], form.cleaned_data["fin"]
        compare = form.cleaned_data["comparer"]
        # One query over both years when comparing: the previous year is the same months, 12 earlier.
        query_first = add_months(first, -12) if compare else first
        if scope["kind"] in {"site", "perimeter"}:
            values = selectors.monthly_energy_for_sites(scope["site_ids"], first_month=query_first, last_month=last)
        else:
            values = _fluid_rows(user, first=query_first, last=last, fluid=scope["fluid"], member_id=scope["member_id"])
        current = [v for v in values if v.month >= first]
        previous = [v for v in values if v.month < first]
        rows = charts.month_rows(current, first, last, previous)
        context.update(
            rows=rows,
            compare=compare,
            total=rows[-1].cumulated if rows else 0.0,
            figure=charts.monthly_figure(rows, compare=compare) if current or previous else None,
            export_url=_url_or_none("reports:direct_download", report=MONTHLY_REPORT),
            export_params=urlencode(
                _scope_export_params(scope, user) | {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}
            ),
        )
    if user.member_id is not None:
        context["site_choices"] = list(sites_for(user).order_by("site_name", "pk").values_list("pk", "site_name"))
        context["perimeter_choices"] = list(perimeters_for(user).order_by("name", "pk").values_list("pk", "name"))
    else:
        context["member_choices"] = list(members_for(user).values_list("pk", "legal_name"))
    context["fluids"] = Fluid.choices
    return render(request, "consumption/curves.html", context)


def _site_for(user: User, pk: int) -> Site:
    require_module(user, Module.CONSUMPTION)
    return get_site_for(user, pk)


@login_required
@require_GET
def site_daily(request: HttpRequest, pk: int) -> HttpResponse:
    """A site's energy per day (gas: per gas day), one year at most, with last year's same days."""
    user = request_user(request)
    site = _site_for(user, pk)
    form = DayPeriodForm(request.GET, default_days=90)
    context: dict[str, Any] = {"site": site, "form": form, "is_gas": site.fluid == Fluid.GAS}
    if form.is_valid():
        first, last, compare = form.cleaned_data["debut"], form.cleaned_data["fin"], form.cleaned_data["comparer"]
        values = selectors.daily_energy_for_site(site.pk, first_day=first, last_day=last)
        previous = (
            selectors.daily_energy_for_site(
                site.pk, first_day=charts.same_day_last_year(first), last_day=charts.same_day_last_year(last)
            )
            if compare
            else []
        )
        rows = charts.day_rows(values, first, last, previous)
        context.update(
            rows=rows,
            compare=compare,
            total=sum(v.kwh for v in values),
            figure=charts.daily_figure(rows, compare=compare) if values or previous else None,
            export_url=_url_or_none("reports:direct_download", report=DAILY_REPORT),
            export_params=f"site={site.pk}&first={first:%Y-%m-%d}&last={last:%Y-%m-%d}",
        )
    return render(request, "consumption/site_daily.html", context)


@login_required
@require_GET
def site_load_curve(request: HttpRequest, pk: int) -> HttpResponse:
    """The 10- or 30-minute load curve (zoom, range slider), its daily summary table and its export.

    ``comparer``: last year's curve over the same weekdays (52 weeks earlier), drawn on
    this year's days, and its daily maximum and energy in the table. One query more.
    """
    user = request_user(request)
    site = _site_for(user, pk)
    form = DayPeriodForm(request.GET, default_days=7)
    context: dict[str, Any] = {"site": site, "form": form}
    if form.is_valid():
        first, last, compare = form.cleaned_data["debut"], form.cleaned_data["fin"], form.cleaned_data["comparer"]
        curve = selectors.load_curve_for_site(site.pk, first_day=first, last_day=last, epoch_ms=True)
        previous = None
        if compare:
            previous_first, previous_last = charts.previous_year_days(first, last)
            previous = charts.shifted_to_this_year(
                selectors.load_curve_for_site(site.pk, first_day=previous_first, last_day=previous_last, epoch_ms=True)
            )
        context.update(
            points=len(curve.power_w),
            step=int(curve.step_minutes[0]) if len(curve.step_minutes) else None,
            series=charts.load_curve_series(curve, title=site.site_name, previous=previous)
            if len(curve.power_w)
            else None,
            day_rows=charts.load_curve_day_rows(curve, previous),
            compare=compare,
            previous_points=len(previous.power_w) if previous is not None else 0,
            subscribed_w=int(site.subscribed_power_kva * 1000) if site.subscribed_power_kva else None,
            export_request_url=_url_or_none("reports:job_create"),
            report=LOAD_CURVE_REPORT,
            first=first,
            last=last,
        )
    return render(request, "consumption/site_load_curve.html", context)


@login_required
@require_GET
def site_readings(request: HttpRequest, pk: int) -> HttpResponse:
    """The meter's readings, newest first, with the index of each post; paginated (two queries)."""
    user = request_user(request)
    site = _site_for(user, pk)
    posts = posts_for(site)
    paginator = Paginator(range(selectors.readings_count(site.pk)), READINGS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.readings_for_site(
        site.pk, limit=READINGS_PER_PAGE, offset=page.start_index() - 1 if page.object_list else 0
    )
    natures = {c.value: str(c.label) for c in ReadingNature}
    sources = {c.value: str(c.label) for c in ReadingSource}
    table = [
        {
            "read_on": row.read_on,
            "nature": natures.get(row.nature, row.nature),
            "nature_code": row.nature,
            "source": sources.get(row.source, row.source),
            "cells": [row.indexes_wh.get(post) for post in posts],
            "turnover": row.meter_turnover,
        }
        for row in rows
    ]
    return render(
        request,
        "consumption/site_readings.html",
        {
            "site": site,
            "posts": posts,
            "table": table,
            "page": page,
            "can_self_read": self_reading_allowed(site) and can_write(user, Module.CONSUMPTION),
            "export_url": _url_or_none("reports:direct_download", report=READINGS_REPORT),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_reading(request: HttpRequest, pk: int) -> HttpResponse:
    """'Faire une auto-relève': one field per post; refused for a communicating meter."""
    user = request_user(request)
    site = _site_for(user, pk)
    if request.method == "POST":
        require_module(user, Module.CONSUMPTION, write=True)
    today = timezone.localdate()
    context: dict[str, Any] = {"site": site, "today": today, "can_write": can_write(user, Module.CONSUMPTION)}
    if not self_reading_allowed(site):
        context["refusal"] = communicating_refusal()
        return render(
            request, "consumption/self_reading.html", context, status=409 if request.method == "POST" else 200
        )
    posts = posts_for(site)
    form = SelfReadingForm(request.POST or None, posts=posts, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            submission = self_reading_submit(
                site=site,
                user=user,
                indexes_kwh=form.indexes_kwh(),
                meter_turnover=form.cleaned_data["meter_turnover"],
                confirm_high=form.cleaned_data["confirm_high"],
                copy_to=form.cleaned_data["copy_to"],
                request=request,
            )
        except SelfReadingRefused as refused:
            for post, errors in refused.errors.items():
                for error in errors:
                    form.add_error(f"index_{post}" if post else None, error)
            context["needs_confirmation"] = refused.needs_confirmation
        else:
            if submission.flagged:
                messages.warning(
                    request,
                    _("Auto-relève enregistrée ; sa valeur élevée sera vérifiée. Un courriel de confirmation suit."),
                )
            else:
                messages.success(request, _("Auto-relève enregistrée ; un courriel de confirmation vous a été envoyé."))
            return redirect("consumption:site_readings", pk=site.pk)
    last = last_indexes(site.pk, before=today + dt.timedelta(days=1))
    context.update(form=form, last=[(post, last.get(post)) for post in posts])
    return render(request, "consumption/self_reading.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """The open alerts of the user's sites, paginated, and the daily digest preference."""
    user = module_user(request, Module.CONSUMPTION)
    paginator = Paginator(alert_services.alerts_queryset_for(user), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "consumption/alerts.html",
        {
            "page": page,
            "alerts": [(a, alert_services.alert_description(a)) for a in page.object_list],
            "digest": alert_services.digest_enabled(user),
            "can_write": can_write(user, Module.CONSUMPTION),
        },
    )


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = module_user(request, Module.CONSUMPTION)
    alert = alert_services.alerts_queryset_for(user).filter(pk=pk).first()
    if alert is None:
        raise Http404
    require_module(user, Module.CONSUMPTION, write=True)
    alert_services.alert_acknowledge(alert=alert, user=user)
    messages.success(request, _("Alerte marquée comme prise en compte."))
    return redirect("consumption:alerts")


@login_required
@require_POST
def digest_preference(request: HttpRequest) -> HttpResponse:
    """Opt in or out of the daily email digest (any user with Consommation, coordinator included: it is their mail)."""
    user = module_user(request, Module.CONSUMPTION)
    enabled = request.POST.get("daily_digest") == "on"
    alert_services.digest_preference_set(user=user, daily_digest=enabled)
    messages.success(
        request,
        _("Vous recevrez chaque jour le récapitulatif des nouvelles alertes.")
        if enabled
        else _("Vous ne recevrez plus le récapitulatif quotidien des alertes."),
    )
    return redirect("consumption:alerts")


def home_alerts(user: object) -> list[tuple[Alert, str]]:
    """For the home page of the member space (``ui``): the latest alerts, if the user has Consommation."""
    if not isinstance(user, User) or not can_read(user, Module.CONSUMPTION):
        return []
    return [(a, alert_services.alert_description(a)) for a in alert_services.alerts_for(user, HOME_ALERTS)]
