"""Writes of the members' budget lines and of their routing per year (PRODUCT.md §5, issue 10 §3).

A member maps, year by year, its sites to its own budget lines and its billing perimeters
to a budget line, a ChorusPro service code and a commitment number — itself, in bulk,
and by importing a spreadsheet (``billing_groups.routing_io``). Rules:
- a budget line, a site and a perimeter of one routing belong to the same member;
- service codes and commitment numbers follow the park's ChorusPro rules
  (``perimeter.validators.clean_chorus_code``);
- a perimeter of a member whose buyer requires a service code
  (``Member.chorus_service_required``) is never left without one for a year: its
  routing's code, or the perimeter's own.
Routing is not frozen by the journey lock: it is the member's accounting, not the tender's data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from billing_groups.models import BillingPerimeter, BudgetLine, PerimeterRouting, SiteRouting
from perimeter.models import Member, Site
from perimeter.validators import CHORUS_FIELDS, clean_text

YEAR_MIN, YEAR_MAX = 2000, 2100


def clean_year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("L'année doit être un nombre (ex. 2026)."), code="year") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(_("L'année doit être comprise entre 2000 et 2100."), code="year")
    return year


def clean_budget_code(value: Any) -> str:
    code = clean_text(str(value or ""), max_length=50, label=_("Le code de la ligne budgétaire"))
    if not code:
        raise ValidationError(_("Indiquez le code de la ligne budgétaire."), code="required")
    return code


def clean_routing_codes(service_code: Any, commitment_number: Any) -> tuple[str, str]:
    """The ChorusPro codes through the park's rules; errors keyed by field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name, field, value in (
        ("service_code", "chorus_service_code", service_code),
        ("commitment_number", "chorus_commitment_number", commitment_number),
    ):
        try:
            cleaned[name] = CHORUS_FIELDS[field](str(value or ""))
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned["service_code"], cleaned["commitment_number"]


def service_code_missing_message(perimeter: BillingPerimeter, year: int) -> str:
    return _(
        "Le code service ChorusPro est obligatoire pour « %(name)s » en %(year)d : l'acheteur l'exige "
        "(renseignez-le sur le périmètre ou dans son imputation de l'année)."
    ) % {"name": perimeter.name, "year": year}


def assert_service_code(perimeter: BillingPerimeter, year: int, service_code: str) -> None:
    """Refuse to leave a perimeter without a service code when its buyer requires one."""
    member = perimeter.member
    if member.chorus_service_required and not (service_code or perimeter.chorus_service_code):
        raise ValidationError({"service_code": [service_code_missing_message(perimeter, year)]})


# --- Budget lines ---------------------------------------------------------------------------


def _clean_line(member: Member, year: Any, code: Any, label: Any, *, exclude: int | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, cleaner, value in (
        ("year", clean_year, year),
        ("code", clean_budget_code, code),
        ("label", lambda v: clean_text(str(v or ""), max_length=200, label=_("Le libellé")), label),
    ):
        try:
            cleaned[name] = cleaner(value)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    if not errors:
        duplicate = BudgetLine.objects.filter(member=member, year=cleaned["year"], code=cleaned["code"])
        if exclude is not None:
            duplicate = duplicate.exclude(pk=exclude)
        if duplicate.exists():
            errors["code"] = [_("Cette ligne budgétaire existe déjà pour cette année.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def budget_line_create(
    *, member: Member, year: Any, code: Any, label: Any = "", actor: User | None, request: HttpRequest | None = None
) -> BudgetLine:
    line = BudgetLine.objects.create(member=member, **_clean_line(member, year, code, label))
    audit_record(action="budget_line.created", actor=actor, request=request, target=line)
    return line


@transaction.atomic
def budget_line_update(
    *, line: BudgetLine, actor: User | None, request: HttpRequest | None = None, **fields: Any
) -> BudgetLine:
    unknown = set(fields) - {"year", "code", "label"}
    if unknown:
        raise TypeError(f"Unknown budget line fields: {sorted(unknown)}")
    values = {"year": line.year, "code": line.code, "label": line.label, **fields}
    cleaned = _clean_line(line.member, values["year"], values["code"], values["label"], exclude=line.pk)
    if cleaned["year"] != line.year and (line.site_routings.exists() or line.perimeter_routings.exists()):
        raise ValidationError({"year": [_("Cette ligne est déjà utilisée : son année ne peut plus changer.")]})
    for name, value in cleaned.items():
        setattr(line, name, value)
    line.save()
    audit_record(action="budget_line.updated", actor=actor, request=request, target=line)
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, actor: User | None, request: HttpRequest | None = None) -> None:
    audit_record(action="budget_line.deleted", actor=actor, request=request, target=line)
    try:
        line.delete()
    except ProtectedError:
        raise ValidationError(
            _("Cette ligne budgétaire est affectée à des sites ou des périmètres : retirez-la d'abord.")
        ) from None


# --- Routing of sites (in bulk) ----------------------------------------------------------------


@transaction.atomic
def sites_budget_line_set(
    *,
    member: Member,
    year: Any,
    sites: Iterable[int],
    budget_line: BudgetLine | None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> int:
    """Give every listed site of ``member`` the budget line for ``year`` (None: remove it); all or none.

    Returns how many sites were changed. A site of another member is refused by name (its id is not
    listed: the caller scoped the ids, so a foreign id is simply unknown).
    """
    year = clean_year(year)
    ids = sorted({int(pk) for pk in sites})
    if not ids:
        raise ValidationError(_("Cochez au moins un site."), code="no_site")
    found = set(Site.objects.filter(member=member, pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationError(_("Certains sites ne sont pas des sites de votre membre."), code="foreign_site")
    if budget_line is not None:
        if budget_line.member_id != member.pk:
            raise ValidationError({"budget_line": [_("Cette ligne budgétaire n'est pas la vôtre.")]})
        if budget_line.year != year:
            raise ValidationError(
                {
                    "budget_line": [
                        _("La ligne budgétaire %(code)s est celle de %(year)d.")
                        % {"code": budget_line.code, "year": budget_line.year}
                    ]
                }
            )
    existing = SiteRouting.objects.filter(site_id__in=ids, year=year)
    if budget_line is None:
        changed, _details = existing.delete()
    else:
        changed = existing.exclude(budget_line=budget_line).update(budget_line=budget_line)
        have = set(existing.values_list("site_id", flat=True))
        new = [SiteRouting(site_id=pk, year=year, budget_line=budget_line) for pk in ids if pk not in have]
        SiteRouting.objects.bulk_create(new)
        changed += len(new)
    audit_record(
        action="site_routing.bulk_set",
        actor=actor,
        request=request,
        target=member,
        details={"year": year, "sites": len(ids), "budget_line": budget_line.code if budget_line else None},
    )
    return changed


# --- Routing of billing perimeters ---------------------------------------------------------------


@transaction.atomic
def perimeter_routing_set(
    *,
    perimeter: BillingPerimeter,
    year: Any,
    budget_line: BudgetLine | None = None,
    service_code: Any = "",
    commitment_number: Any = "",
    actor: User | None,
    request: HttpRequest | None = None,
) -> PerimeterRouting:
    """Set (create or replace) the perimeter's routing for ``year``."""
    errors: dict[str, list[str]] = {}
    try:
        year = clean_year(year)
    except ValidationError as exc:
        errors["year"] = list(exc.messages)
    try:
        service_code, commitment_number = clean_routing_codes(service_code, commitment_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if budget_line is not None and budget_line.member_id != perimeter.member_id:
        errors["budget_line"] = [_("Cette ligne budgétaire n'est pas celle du membre du périmètre.")]
    elif budget_line is not None and "year" not in errors and budget_line.year != year:
        errors["budget_line"] = [
            _("La ligne budgétaire %(code)s est celle de %(year)d.")
            % {"code": budget_line.code, "year": budget_line.year}
        ]
    if errors:
        raise ValidationError(errors)
    assert_service_code(perimeter, year, service_code)
    routing, _created = PerimeterRouting.objects.update_or_create(
        perimeter=perimeter,
        year=year,
        defaults={"budget_line": budget_line, "service_code": service_code, "commitment_number": commitment_number},
    )
    audit_record(
        action="perimeter_routing.set",
        actor=actor,
        request=request,
        target=routing,
        details={"year": year, "service_code": service_code, "commitment_number": commitment_number},
    )
    return routing


@transaction.atomic
def perimeter_routing_delete(
    *, routing: PerimeterRouting, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Remove a year's routing: refused when the buyer then has no service code left."""
    assert_service_code(routing.perimeter, routing.year, "")
    audit_record(action="perimeter_routing.deleted", actor=actor, request=request, target=routing)
    routing.delete()
