"""Writes of the customisable invoice labels of a site (site name, internal and other reference).

These three fields are the member's own words printed on its invoices; they are the
only fields of a site a member may change itself. Every change is audited.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from accounts.audit import audit_record
from accounts.models import User
from perimeter.models import Site
from perimeter.validators import SITE_FIELDS, clean_fields_or_raise

LABEL_FIELDS = ("site_name", "internal_reference", "other_reference")


@transaction.atomic
def site_labels_update(
    *,
    site: Site,
    site_name: str,
    internal_reference: str,
    other_reference: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Site:
    """Change the labels a member prints on its invoices; refuses an empty name or a too long value."""
    given = {"site_name": site_name, "internal_reference": internal_reference, "other_reference": other_reference}
    values = clean_fields_or_raise(SITE_FIELDS, given, required=("site_name",))  # the park's text rules
    changes = {name: [getattr(site, name), value] for name, value in values.items() if getattr(site, name) != value}
    if not changes:
        return site
    for name, value in values.items():
        setattr(site, name, value)
    site.save(update_fields=[*changes, "updated_at"])
    audit_record(
        action="site.labels_changed",
        actor=actor,
        request=request,
        target=site,
        details={"changes": changes},
    )
    return site
