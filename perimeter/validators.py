"""The validation module: one rule per kind of field, for every write path.

Pages (forms), API serializers, the pre-filled import and the services all call these
functions, so a value refused on one path is refused on every other. Two families:

- ``validate_*(value) -> None``: Django-style validators (model fields, serializers);
- ``clean_*(value) -> str``: check *and* normalise (Unicode NFC, surrounding spaces, a
  canonical form for identifiers and phone numbers); they raise ``ValidationError`` with
  a French message that says what is wrong, and return the value to store. Every
  ``clean_*`` is idempotent: cleaning a cleaned value gives it back unchanged.

``clean_fields`` applies a table of cleaners (``MEMBER_FIELDS``, ``CONTACT_FIELDS``,
``SITE_FIELDS``, ``CHORUS_FIELDS``) to a mapping of values, collecting errors by field; it
also refuses an emptied required field, which is how partial updates (PATCH) keep
required fields filled. The ``*_PATTERN`` constants are the exact regular expressions
that serializers expose in the OpenAPI schema.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

PRM_RE = re.compile(r"^\d{14}$")
PCE_RE = re.compile(r"^(\d{14}|GI\d{6})$")
# The same patterns, as PostgreSQL regular expressions, for the database constraints.
PRM_SQL_RE = r"^[0-9]{14}$"
PCE_SQL_RE = r"^([0-9]{14}|GI[0-9]{6})$"

# --- Exact patterns of the stored forms (exposed in the OpenAPI schema) ---------------------

SIRET_PATTERN = r"^[0-9]{14}$"
SIREN_PATTERN = r"^[0-9]{9}$"
# Metropolitan départements 01–95 (Corsica, 2A/2B, is 20xxx), overseas 971–978, and
# Monaco (980), TAAF (984), Wallis-et-Futuna (986), Polynésie (987), Nouvelle-Calédonie (988).
POSTCODE_PATTERN = r"^(?:(?:0[1-9]|[1-8][0-9]|9[0-5])[0-9]{3}|97[1-8][0-9]{2}|98[04678][0-9]{2})$"
# ChorusPro service codes and commitment numbers: letters, digits and a few separators.
CHORUS_CODE_PATTERN = r"^[0-9A-Za-z](?:[0-9A-Za-z _./-]*[0-9A-Za-z])?$"
# What the API accepts for identifier fields, exactly (its clients send the compact form; a
# page also takes "123 456 789 00012" and compacts it): serializers declare these patterns,
# so the OpenAPI schema says them (perimeter/api/fields.py).
# Printable text as far as a schema can say it (controls C0/C1, DEL, BMP private use):
# the same escapes mean the same in Python and ECMAScript. Unassigned characters and the
# astral private-use planes are refused by ``validate_printable`` only.
TEXT_PATTERN = r"^[^\x00-\x1F\x7F-\x9F\uE000-\uF8FF]*$"
_TEXT_MESSAGE = "Le texte contient un caractère de contrôle ou à usage privé : retirez-le."
TEXT_FIELD_NAMES = (
    "legal_name",
    "customer_number",
    "address_line",
    "city",
    "insee_code",
    "first_name",
    "last_name",
    "job_title",
    "site_name",
    "internal_reference",
    "other_reference",
    "meter_serial",
    "name",
    "budget_reference",
)
_SIRET_MESSAGE = "Le SIRET doit comporter 14 chiffres, sans espace."
_POSTCODE_MESSAGE = "Le code postal doit comporter 5 chiffres et commencer par un département français."
_CHORUS_CODE_MESSAGE = "Lettres sans accent, chiffres, espaces et « - _ / . » seulement."
API_PATTERNS: dict[str, tuple[str, str]] = {
    "siret": (SIRET_PATTERN, _SIRET_MESSAGE),
    "chorus_siret": (SIRET_PATTERN, _SIRET_MESSAGE),
    "siren": (SIREN_PATTERN, "Le SIREN doit comporter 9 chiffres, sans espace."),
    "postcode": (POSTCODE_PATTERN, _POSTCODE_MESSAGE),
    "chorus_service_code": (CHORUS_CODE_PATTERN, _CHORUS_CODE_MESSAGE),
    "chorus_commitment_number": (CHORUS_CODE_PATTERN, _CHORUS_CODE_MESSAGE),
    **dict.fromkeys(TEXT_FIELD_NAMES, (TEXT_PATTERN, _TEXT_MESSAGE)),
}
POSTCODE_RE = re.compile(POSTCODE_PATTERN)
CHORUS_CODE_RE = re.compile(CHORUS_CODE_PATTERN)
PHONE_CHARS_RE = re.compile(r"^\+?[0-9 .()/-]+$")

# Unicode categories never accepted in text: controls, surrogates, private use, unassigned.
REFUSED_CATEGORIES = {"Cc": "un caractère de contrôle", "Cs": "un caractère invalide"}
REFUSED_CATEGORIES |= {"Co": "un caractère à usage privé", "Cn": "un caractère non attribué"}

EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 30


def _compact(value: str) -> str:
    return value.replace(" ", "").replace(".", "").replace("\u00a0", "")


# --- Text -----------------------------------------------------------------------------------


SPACES_RE = re.compile(r" {2,}")


def normalise_text(value: str) -> str:
    """Unicode NFC, without surrounding white space nor runs of spaces (the form every stored text takes)."""
    return SPACES_RE.sub(" ", unicodedata.normalize("NFC", value).strip())


def validate_printable(value: str) -> None:
    """Refuse control, surrogate, private-use and unassigned characters (tab and newline included)."""
    for char in value:
        kind = REFUSED_CATEGORIES.get(unicodedata.category(char))
        if kind is not None:
            raise ValidationError(
                _("Le texte contient %(kind)s (U+%(code)04X) : retirez-le.") % {"kind": kind, "code": ord(char)},
                code="unprintable",
            )


def clean_text(value: Any, *, max_length: int, label: Any = "") -> str:
    """A printable line of text, NFC-normalised and stripped, at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise ValidationError(_("Une chaîne de caractères est attendue."), code="invalid_type")
    validate_printable(value)  # before stripping: a trailing control character is refused too
    cleaned = normalise_text(value)
    if len(cleaned) > max_length:
        raise ValidationError(
            _("%(label)s ne doit pas dépasser %(max)d caractères (%(n)d saisis).")
            % {"label": label or _("Ce champ"), "max": max_length, "n": len(cleaned)},
            code="max_length",
        )
    return cleaned


# --- Identifiers ----------------------------------------------------------------------------


def clean_siret(value: str) -> str:
    """A SIRET that exists in shape: 14 digits, Luhn key (La Poste's rule included), SIREN not zero."""
    compact = _compact(value)
    if not compact.isascii() or not compact.isdigit():
        raise ValidationError(_("Le SIRET ne doit contenir que des chiffres."), code="siret_digits")
    if len(compact) != 14:
        raise ValidationError(
            _("Le SIRET doit comporter 14 chiffres (%(n)d saisis).") % {"n": len(compact)}, code="siret_length"
        )
    if compact[:9] == "000000000":
        raise ValidationError(
            _("Le SIRET %(value)s n'existe pas : son SIREN (9 premiers chiffres) est nul.") % {"value": compact},
            code="siret_zero",
        )
    if not stdnum_siret.is_valid(compact):  # Luhn, with La Poste's own rule
        raise ValidationError(
            _("Le SIRET %(value)s n'est pas valide (clé de contrôle incorrecte).") % {"value": compact},
            code="siret_checksum",
        )
    return compact


def validate_siret(value: str) -> None:
    clean_siret(value)


def clean_siren(value: str) -> str:
    """A SIREN that exists in shape: 9 digits, Luhn key, not zero."""
    compact = _compact(value)
    if not compact.isascii() or not compact.isdigit() or len(compact) != 9:
        raise ValidationError(_("Le SIREN doit comporter 9 chiffres."), code="siren_length")
    if compact == "000000000":
        raise ValidationError(_("Le SIREN 000000000 n'existe pas."), code="siren_zero")
    if not stdnum_siren.is_valid(compact):
        raise ValidationError(
            _("Le SIREN %(value)s n'est pas valide (clé de contrôle incorrecte).") % {"value": compact},
            code="siren_checksum",
        )
    return compact


def validate_siren(value: str) -> None:
    clean_siren(value)


def validate_prm(value: str) -> None:
    if not PRM_RE.match(value or ""):
        raise ValidationError(
            _("Le numéro de PRM doit comporter exactement 14 chiffres (reçu : « %(value)s »).") % {"value": value},
            code="prm_format",
        )


def validate_pce(value: str) -> None:
    if not PCE_RE.match(value or ""):
        raise ValidationError(
            _("Le numéro de PCE doit comporter 14 chiffres, ou GI suivi de 6 chiffres (reçu : « %(value)s »).")
            % {"value": value},
            code="pce_format",
        )


def validate_delivery_point(fluid: str, value: str) -> None:
    from perimeter.choices import Fluid

    if fluid == Fluid.GAS:
        validate_pce(value)
    else:
        validate_prm(value)


# --- Addresses, phones, e-mail --------------------------------------------------------------


def clean_postcode(value: str) -> str:
    """A French postcode: 5 digits whose prefix is a département (or an overseas territory)."""
    validate_printable(value)
    compact = _compact(normalise_text(value))
    if not compact.isascii() or not compact.isdigit() or len(compact) != 5:
        raise ValidationError(
            _("Le code postal doit comporter 5 chiffres (reçu : « %(v)s »).") % {"v": value.strip()},
            code="postcode_format",
        )
    if not POSTCODE_RE.match(compact):
        raise ValidationError(
            _("Le code postal %(v)s ne correspond à aucun département français.") % {"v": compact},
            code="postcode_department",
        )
    return compact


def validate_postcode(value: str) -> None:
    clean_postcode(value)


# A number written the French way (10 digits from 0) may belong to metropolitan France or to
# an overseas département or collectivity dialled in the same plan (0262/0692/0693 La
# Réunion, 0590/0690 Guadeloupe, 0596/0696 Martinique, 0594/0694 Guyane, 0269/0639
# Mayotte, Saint-Barthélemy and Saint-Martin): each has its own country code for the library.
FRENCH_NUMBERING_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "BL", "MF")
FRENCH_COUNTRY_CODES = frozenset({33, 262, 590, 594, 596})


def clean_phone(value: str) -> str:
    """A phone number that is one (French by default, overseas included), in its canonical written form.

    French numbers are stored in the national form (``01 23 45 67 89``), others in the
    international form (``+32 2 123 45 67``): the form people read, and a fixed point of
    this function.
    """
    validate_printable(value)
    text = normalise_text(value)
    if not PHONE_CHARS_RE.match(text):
        raise ValidationError(
            _("Le numéro de téléphone ne doit contenir que des chiffres, des espaces et éventuellement « + »."),
            code="phone_characters",
        )
    number = None
    for region in FRENCH_NUMBERING_REGIONS:
        try:
            candidate = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as exc:
            raise ValidationError(
                _("« %(v)s » n'est pas un numéro de téléphone.") % {"v": text}, code="phone_invalid"
            ) from exc
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    if number is None:
        raise ValidationError(
            _("« %(v)s » n'est pas un numéro de téléphone valide (un numéro français a 10 chiffres).") % {"v": text},
            code="phone_invalid",
        )
    if number.country_code in FRENCH_COUNTRY_CODES:
        digits = f"0{number.national_number}"  # ten digits in this plan, written in pairs
        return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_phone(value: str) -> None:
    clean_phone(value)


def clean_email(value: str) -> str:
    """An e-mail address, lower-cased."""
    validate_printable(value)
    text = normalise_text(value).lower()
    try:
        django_validate_email(text)
    except ValidationError as exc:
        raise ValidationError(
            _("L'adresse e-mail « %(v)s » n'est pas valide.") % {"v": text[:EMAIL_MAX_LENGTH]}, code="email_invalid"
        ) from exc
    if len(text) > EMAIL_MAX_LENGTH:
        raise ValidationError(_("L'adresse e-mail est trop longue."), code="email_length")
    return text


# --- ChorusPro ------------------------------------------------------------------------------


def clean_chorus_code(value: str, *, max_length: int, label: Any) -> str:
    """A ChorusPro service code or commitment number: letters, digits, space, « - _ / . »."""
    text = clean_text(value, max_length=max_length, label=label)
    if text and not CHORUS_CODE_RE.match(text):
        raise ValidationError(
            _("%(label)s ne peut contenir que des lettres sans accent, des chiffres, des espaces et « - _ / . ».")
            % {"label": label},
            code="chorus_code",
        )
    return text


# --- Tables of fields -----------------------------------------------------------------------

Cleaner = Callable[[str], str]


def _text(max_length: int, label: Any) -> Cleaner:
    return partial(clean_text, max_length=max_length, label=label)


CHORUS_FIELDS: dict[str, Cleaner] = {
    "chorus_siret": clean_siret,
    "chorus_service_code": partial(clean_chorus_code, max_length=100, label=gettext_lazy("Le code service")),
    "chorus_commitment_number": partial(clean_chorus_code, max_length=50, label=gettext_lazy("Le numéro d'engagement")),
}
MEMBER_FIELDS: dict[str, Cleaner] = {
    "legal_name": _text(200, gettext_lazy("La raison sociale")),
    "siret": clean_siret,
    "siren": clean_siren,
    "customer_number": _text(20, gettext_lazy("Le numéro client")),
    "address_line": _text(200, gettext_lazy("L'adresse")),
    "postcode": clean_postcode,
    "city": _text(100, gettext_lazy("La commune")),
    "insee_code": _text(5, gettext_lazy("Le code INSEE")),
    **CHORUS_FIELDS,
}
CONTACT_FIELDS: dict[str, Cleaner] = {
    "first_name": _text(100, gettext_lazy("Le prénom")),
    "last_name": _text(100, gettext_lazy("Le nom")),
    "job_title": _text(100, gettext_lazy("La fonction")),
    "phone": clean_phone,
    "email": clean_email,
}
SITE_FIELDS: dict[str, Cleaner] = {
    "site_name": _text(200, gettext_lazy("Le nom du site")),
    "internal_reference": _text(100, gettext_lazy("La référence interne")),
    "other_reference": _text(100, gettext_lazy("L'autre référence")),
    "meter_serial": _text(30, gettext_lazy("Le numéro de compteur")),
    "address_line": _text(200, gettext_lazy("L'adresse")),
    "postcode": clean_postcode,
    "city": _text(100, gettext_lazy("La commune")),
    "insee_code": _text(5, gettext_lazy("Le code INSEE")),
}
# The billing perimeter's own texts and its ChorusPro routing (``billing_groups``).
BILLING_PERIMETER_FIELDS: dict[str, Cleaner] = {
    "name": _text(200, gettext_lazy("Le nom du périmètre")),
    "delivery_email": clean_email,
    "budget_reference": _text(100, gettext_lazy("La référence budgétaire")),
    **CHORUS_FIELDS,
}
REQUIRED_MESSAGE = gettext_lazy("Ce champ est obligatoire.")
# Where a field's own message says more than REQUIRED_MESSAGE.
REQUIRED_MESSAGES = {
    "legal_name": gettext_lazy("La raison sociale est obligatoire."),
    "siret": gettext_lazy("Le SIRET est obligatoire."),
    "customer_number": gettext_lazy("Le numéro client est obligatoire."),
    "address_line": gettext_lazy("L'adresse est obligatoire."),
    "postcode": gettext_lazy("Le code postal est obligatoire."),
    "city": gettext_lazy("La commune est obligatoire."),
    "last_name": gettext_lazy("Le nom de l'interlocuteur est obligatoire."),
    "phone": gettext_lazy("Le téléphone de l'interlocuteur est obligatoire."),
    "email": gettext_lazy("L'e-mail de l'interlocuteur est obligatoire."),
    "site_name": gettext_lazy("Le nom du site est obligatoire."),
}


def clean_fields(
    cleaners: Mapping[str, Cleaner], values: Mapping[str, Any], *, required: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean the values that have a cleaner; return (cleaned values, errors by field).

    An empty value ("" or None, after normalisation) is kept empty without running the
    cleaner, unless its field is in ``required``: then it is refused, so a partial update
    cannot empty a required field. Values without a cleaner are passed through.
    """
    required = set(required)
    cleaned: dict[str, Any] = dict(values)
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        cleaner = cleaners.get(name)
        if cleaner is None:
            continue
        if isinstance(value, str):
            try:
                validate_printable(value)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
                continue
        if value is None or (isinstance(value, str) and not normalise_text(value)):
            if name in required:
                errors.setdefault(name, []).append(str(REQUIRED_MESSAGES.get(name, REQUIRED_MESSAGE)))
            else:
                cleaned[name] = ""
            continue
        if not isinstance(value, str):
            errors.setdefault(name, []).append(_("Une chaîne de caractères est attendue."))
            continue
        try:
            cleaned[name] = cleaner(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    return cleaned, errors


def clean_fields_or_raise(
    cleaners: Mapping[str, Cleaner], values: Mapping[str, Any], *, required: Iterable[str] = ()
) -> dict[str, Any]:
    """``clean_fields`` that raises one ``ValidationError`` by field (for services)."""
    cleaned, errors = clean_fields(cleaners, values, required=required)
    if errors:
        raise ValidationError(errors)
    return cleaned
