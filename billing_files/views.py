"""The "Fichiers de facturation" page: the Direct View and the annual sheet on demand (through the export
framework), and the subscription to the Direct View mailed after each billing run.

Facturation right to read; subscribing is the user's own preference (the coordinator subscribes for the
whole syndicate), so the coordinator may post it too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import module_user
from accounts.choices import Module
from billing_files.models import BillingFileSubscription
from billing_files.services import subscription_set


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    user = module_user(request, Module.BILLING)
    if request.method == "POST":
        subscribed = subscription_set(user=user, subscribed=request.POST.get("subscribed") == "on", request=request)
        messages.success(
            request,
            _("Vous recevrez le Direct View par e-mail après chaque campagne de facturation.")
            if subscribed
            else _("Vous ne recevrez plus le Direct View après chaque campagne de facturation."),
        )
        return redirect("billing_files:home")
    today = dt.date.today()
    return render(
        request,
        "billing_files/home.html",
        {
            "subscribed": BillingFileSubscription.objects.filter(user=user).exists(),
            "whole_syndicate": user.member_id is None,
            "download_url": _url_or_none("reports:direct_download", report="direct_view"),
            "annual_url": _url_or_none("reports:direct_download", report="annual_sheet"),
            "summary_url": _url_or_none("invoicing:billing_summary"),
            "routing_url": _url_or_none("billing_routing:home"),
            "default_first": f"{today.year - 1:04d}-{today.month:02d}",
            "default_last": f"{today:%Y-%m}",
            "years": list(range(today.year, today.year - 6, -1)),
        },
    )
