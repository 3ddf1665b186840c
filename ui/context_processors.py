"""Navigation of the member space: a module appears once it exists and the user has the right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import can_read
from accounts.choices import Module
from accounts.selectors import can_manage_users


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    module: str | None  # None: everyone logged in
    allowed: Callable[[Any], bool] | None = None  # a finer rule than the module right


# Later modules add their entry here when they exist (url names resolved lazily).
NAV_ITEMS = [
    NavItem(str(_("Accueil")), "ui:home", None),
    NavItem(str(_("Collecte")), "datacollection:journey", Module.COLLECTION),
    NavItem(str(_("Parc")), "perimeter:park", Module.PARK),
    NavItem(str(_("Consommation")), "consumption:home", Module.CONSUMPTION),
    NavItem(str(_("Facturation")), "invoicing:home", Module.BILLING),
    NavItem(str(_("Demandes techniques")), "technical_requests:list", Module.TECHNICAL_REQUESTS),
    NavItem(str(_("Utilisateurs")), "accounts:user_list", None, allowed=can_manage_users),
    NavItem(str(_("Mes exports")), "reports:job_list", None),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "tenant", None) is None:
        return {"nav_items": []}
    if request.tenant.schema_name == "public":  # type: ignore[attr-defined]
        return {"nav_items": []}
    items = []
    for item in NAV_ITEMS:
        if item.module is not None and not can_read(user, item.module):
            continue
        if item.allowed is not None and not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the module does not exist yet
        items.append({"label": item.label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items, "csp_nonce": getattr(request, "csp_nonce", "")}
