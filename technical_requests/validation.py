"""The check of a request's data against its type's declaration: one path for the form, the API and the demo.

``request_data_clean`` reads each declared field (strings from a form or JSON, or Python
values), refuses what the declaration does not allow with the message the user reads,
and returns the data as stored (JSON: dates in ISO form, numbers as strings). Unknown
names are refused, so a client cannot store what no page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from perimeter.models import Site
from perimeter.validators import clean_email, clean_phone, clean_postcode, clean_text, validate_delivery_point
from technical_requests.catalogue import Field, RequestType
from technical_requests.choices import FieldKind
from technical_requests.workdays import add_working_days

Errors = dict[str, list[str]]
# Kinds whose empty string means "nothing said" (any other kind must hold a value when given).
TEXT_KINDS = frozenset(
    {
        FieldKind.TEXT,
        FieldKind.LONG_TEXT,
        FieldKind.PHONE,
        FieldKind.EMAIL,
        FieldKind.POSTCODE,
        FieldKind.DELIVERY_POINT,
    }
)


def earliest_date(field: Field, today: dt.date) -> dt.date | None:
    return add_working_days(today, field.notice_days) if field.notice_days is not None else None


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    raise ValidationError(_("Indiquez une date (jj/mm/aaaa)."), code="date_invalid")


def _clean_date(field: Field, value: Any, today: dt.date) -> str:
    day = _parse_date(value)
    earliest = earliest_date(field, today)
    if earliest is not None and day < earliest:
        raise ValidationError(
            _("La date doit être au plus tôt le %(d)s (%(n)d jours ouvrés, jours fériés exclus).")
            % {"d": date_format(earliest, "l j F Y"), "n": field.notice_days},
            code="date_too_early",
        )
    if field.horizon_days is not None and day > today + dt.timedelta(days=field.horizon_days):
        raise ValidationError(
            _("La date doit être au plus tard le %(d)s.")
            % {"d": date_format(today + dt.timedelta(days=field.horizon_days), "j F Y")},
            code="date_too_late",
        )
    return day.isoformat()


def _clean_decimal(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("Indiquez un nombre."), code="number_invalid")
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError(_("Indiquez un nombre."), code="number_invalid") from None
    if not number.is_finite():
        raise ValidationError(_("Indiquez un nombre."), code="number_invalid")
    if field.min_value is not None and number < field.min_value:
        raise ValidationError(_("La valeur doit être au moins %(v)s.") % {"v": field.min_value}, code="min_value")
    if field.max_value is not None and number > field.max_value:
        raise ValidationError(_("La valeur doit être au plus %(v)s.") % {"v": field.max_value}, code="max_value")
    return str(number.normalize()) if number == number.to_integral() else str(number)


def _clean_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError(_("Répondez par oui ou par non."), code="boolean_invalid")


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(field: Field, value: Any, *, today: dt.date, fluid: str) -> Any:
    """One field's value as stored, or ValidationError with the user's message."""
    kind = field.kind
    if kind == FieldKind.DATE:
        return _clean_date(field, value, today)
    if kind == FieldKind.BOOLEAN:
        return _clean_boolean(value)
    if kind == FieldKind.DECIMAL:
        return _clean_decimal(field, value)
    if not isinstance(value, str):
        raise ValidationError(_("Une chaîne de caractères est attendue."), code="invalid_type")
    if kind == FieldKind.CHOICE:
        if value not in field.choice_values:
            raise ValidationError(
                _("« %(v)s » n'est pas une valeur possible : choisissez parmi %(c)s.")
                % {"v": value[:40], "c": ", ".join(str(label) for _v, label in field.choices)},
                code="invalid_choice",
            )
        return value
    if kind == FieldKind.PHONE:
        return clean_phone(value)
    if kind == FieldKind.EMAIL:
        return clean_email(value)
    if kind == FieldKind.POSTCODE:
        return clean_postcode(value)
    if kind == FieldKind.DELIVERY_POINT:
        text = clean_text(value, max_length=14, label=field.label).replace(" ", "")
        validate_delivery_point(fluid, text)
        return text
    return (
        clean_text(value, max_length=field.max_length, label=field.label)
        if kind == FieldKind.TEXT
        else (_clean_long_text(field, value))
    )


def _clean_long_text(field: Field, value: str) -> str:
    """A paragraph: line breaks kept, every line printable."""
    lines = [clean_text(line, max_length=field.max_length, label=field.label) for line in value.splitlines()]
    text = "\n".join(lines).strip()
    if len(text) > field.max_length:
        raise ValidationError(
            _("%(label)s ne doit pas dépasser %(max)d caractères (%(n)d saisis).")
            % {"label": field.label, "max": field.max_length, "n": len(text)},
            code="max_length",
        )
    return text


def request_data_clean(
    rtype: RequestType, data: Mapping[str, Any], *, site: Site | None, today: dt.date
) -> dict[str, Any]:
    """The request's data checked against its type; ValidationError naming each refused field."""
    errors: Errors = {}
    if site is None and not rtype.new_site:
        errors["site"] = [_("Cette demande porte sur un site de votre parc : choisissez le site.")]
    if site is not None:
        if site.fluid != rtype.fluid:
            errors["site"] = [_("Ce type de demande ne concerne pas l'énergie de ce site.")]
        elif site.status not in rtype.site_statuses:
            errors["site"] = [
                _("Cette demande n'est pas possible pour un site au statut « %(s)s ».")
                % {"s": site.get_status_display()}
            ]
    fields = rtype.fields_for(new_site=site is None)
    known = {f.name for f in fields}
    for name in sorted(set(data) - known):
        errors[str(name)[:60]] = [_("Ce champ n'existe pas pour ce type de demande.")]
    cleaned: dict[str, Any] = {}
    for field in fields:
        if field.name not in data:
            if field.required:
                errors[field.name] = [_("Ce champ est obligatoire.")]
            continue
        value = data[field.name]
        if value is None:
            errors[field.name] = [_("Une valeur est attendue (ou retirez le champ).")]
            continue
        if field.kind in TEXT_KINDS and _is_empty(value):
            if field.required:
                errors[field.name] = [_("Ce champ est obligatoire.")]
            continue  # an optional text left empty is not stored
        try:
            cleaned[field.name] = clean_value(field, value, today=today, fluid=rtype.fluid)
        except ValidationError as exc:
            errors[field.name] = list(exc.messages)
    if site is None and rtype.effect == "commissioning" and "new_delivery_point" not in cleaned:
        errors.setdefault("new_delivery_point", []).append(
            _("Le point de livraison est obligatoire pour une mise en service.")
        )
    start, end = cleaned.get("desired_date"), cleaned.get("end_date")
    if start and end and rtype.span_days is not None:
        shortest, longest = rtype.span_days
        span = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days
        if not shortest <= span <= longest:
            errors.setdefault("end_date", []).append(
                _("La date de fin doit tomber entre %(a)d et %(b)d jours après la date de début (ici %(n)d).")
                % {"a": shortest, "b": longest, "n": span}
            )
    if errors:
        raise ValidationError(errors)
    return cleaned
