from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import can_read
from accounts.choices import Module


def _journey_panel(user: Any) -> dict[str, Any] | None:
    """The data-collection journey's progress, while a campaign is open (PRODUCT.md §7)."""
    if not can_read(user, Module.COLLECTION):
        return None
    from datacollection.selectors import journey_summary

    return journey_summary(user)


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    from consumption.views import home_alerts  # the latest consumption alerts (Consommation right only)
    from invoicing.views import home_panel  # amount and volume billed over three months (Facturation right only)

    context: dict[str, Any] = {
        "journey": _journey_panel(request.user),
        "consumption_alerts": home_alerts(request.user),
        "billing": home_panel(request.user),  # type: ignore[arg-type]
    }
    return render(request, "ui/home.html", context)
