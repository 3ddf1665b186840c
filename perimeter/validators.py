"""Identifier checks with messages that say what is wrong."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

PRM_RE = re.compile(r"^\d{14}$")
PCE_RE = re.compile(r"^(\d{14}|GI\d{6})$")
# The same patterns, as PostgreSQL regular expressions, for the database constraints.
PRM_SQL_RE = r"^[0-9]{14}$"
PCE_SQL_RE = r"^([0-9]{14}|GI[0-9]{6})$"


def _digits_only(value: str) -> str:
    return value.replace(" ", "").replace(".", "")


def validate_siret(value: str) -> None:
    compact = _digits_only(value)
    if not compact.isdigit():
        raise ValidationError(_("Le SIRET ne doit contenir que des chiffres."), code="siret_digits")
    if len(compact) != 14:
        raise ValidationError(
            _("Le SIRET doit comporter 14 chiffres (%(n)d saisis).") % {"n": len(compact)}, code="siret_length"
        )
    if not stdnum_siret.is_valid(compact):  # Luhn, with La Poste's own rule
        raise ValidationError(
            _("Le SIRET %(value)s n'est pas valide (clé de contrôle incorrecte).") % {"value": compact},
            code="siret_checksum",
        )


def validate_siren(value: str) -> None:
    compact = _digits_only(value)
    if not compact.isdigit() or len(compact) != 9:
        raise ValidationError(_("Le SIREN doit comporter 9 chiffres."), code="siren_length")
    if not stdnum_siren.is_valid(compact):
        raise ValidationError(
            _("Le SIREN %(value)s n'est pas valide (clé de contrôle incorrecte).") % {"value": compact},
            code="siren_checksum",
        )


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
