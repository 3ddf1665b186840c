"""The park writes the journey needs, through perimeter's services when they exist.

perimeter.services (site_change_status: the single place a site status changes;
site_create; contacts) is written by another team in parallel. Until a function lands
there, the small fallback here does the same write and the same history row, so the
journey works and its tests pin the behaviour; each call switches to perimeter's own
function as soon as it is importable.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.audit import audit_record
from accounts.models import User
from perimeter.models import Contact, Member, Site, SiteStatusChange


def perimeter_service(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("perimeter.services")
    except ImportError:
        return None
    function = getattr(module, name, None)
    return function if callable(function) else None


def change_status(*, site: Site, status: str, actor: User | None, request: HttpRequest | None = None) -> Site:
    """Change one site's status with its history row (perimeter.services.site_change_status)."""
    service = perimeter_service("site_change_status")
    if service is not None:
        result = service(site=site, to_status=status, by=actor)
        audit_record(
            action="site.status_changed", actor=actor, request=request, target=site, details={"status": status}
        )
        return result if isinstance(result, Site) else site
    if site.status == status:
        return site
    with transaction.atomic():
        SiteStatusChange.objects.create(
            site=site, from_status=site.status, to_status=status, by=actor, by_label=actor.email if actor else ""
        )
        site.status = status
        site.save(update_fields=["status", "updated_at"])
        audit_record(
            action="site.status_changed", actor=actor, request=request, target=site, details={"status": status}
        )
    return site


def change_status_bulk(
    *, sites: list[Site], status: str, actor: User | None, request: HttpRequest | None = None
) -> int:
    """Change many sites' status in a few queries (perimeter.services.sites_change_status when present).

    perimeter has no bulk variant of site_change_status yet; calling it per site would cost
    three queries a site, so the same two writes (history rows, status) are done in bulk here.
    """
    service = perimeter_service("sites_change_status")
    if service is not None:
        result = service(sites=sites, to_status=status, actor=actor)
        return int(result) if isinstance(result, int) else len(sites)
    changing = [site for site in sites if site.status != status]
    if not changing:
        return 0
    label = actor.email if actor else ""
    SiteStatusChange.objects.bulk_create(
        [SiteStatusChange(site=s, from_status=s.status, to_status=status, by=actor, by_label=label) for s in changing]
    )
    Site.objects.filter(pk__in=[s.pk for s in changing]).update(status=status)
    for site in changing:
        site.status = status
    audit_record(
        action="site.status_changed",
        actor=actor,
        request=request,
        details={"status": status, "sites": [s.pk for s in changing]},
    )
    return len(changing)


def create_site(
    *, member: Member, actor: User | None, data: dict[str, Any], request: HttpRequest | None = None
) -> Site:
    """A new site of the member (perimeter.services.site_create when present)."""
    service = perimeter_service("site_create")
    if service is not None:
        site = service(member=member, **data)
        audit_record(action="site.created", actor=actor, request=request, target=site)
        return site
    site = Site(member=member, **data)
    site.full_clean()
    site.save()
    SiteStatusChange.objects.create(
        site=site, from_status="", to_status=site.status, by=actor, by_label=actor.email if actor else ""
    )
    audit_record(action="site.created", actor=actor, request=request, target=site)
    return site


def save_contact(*, contact: Contact, actor: User | None, request: HttpRequest | None = None) -> Contact:
    contact.full_clean()
    created = contact.pk is None
    contact.save()
    audit_record(
        action="contact.created" if created else "contact.updated", actor=actor, request=request, target=contact
    )
    return contact
