"""Writes of the customisable invoice labels of a site (site name, internal and other reference).

These three fields are the member's own words printed on its invoices; they are the
only fields of a site a member may change itself. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from perimeter.models import Site

LABEL_FIELDS = ("site_name", "internal_reference", "other_reference")


def _field(field_name: str) -> models.Field[Any, Any]:
    field = Site._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    return field


def _max_length(field_name: str) -> int:
    length = _field(field_name).max_length
    assert length is not None
    return length


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
    values = {
        "site_name": " ".join(site_name.split()),
        "internal_reference": internal_reference.strip(),
        "other_reference": other_reference.strip(),
    }
    errors: dict[str, list[str]] = {}
    if not values["site_name"]:
        errors["site_name"] = [_("Le nom du site est obligatoire.")]
    for name, value in values.items():
        limit = _max_length(name)
        if len(value) > limit:
            label = _field(name).verbose_name
            errors.setdefault(name, []).append(
                _("« %(field)s » ne peut dépasser %(limit)d caractères (%(length)d saisis).")
                % {"field": label, "limit": limit, "length": len(value)}
            )
    if errors:
        raise ValidationError(errors)
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
