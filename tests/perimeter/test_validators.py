"""Identifier checks: each refusal says what is wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from perimeter.validators import validate_delivery_point, validate_pce, validate_prm, validate_siren, validate_siret

CAEN_SIRET = "21140118700011"  # SIREN 211401187 (Luhn) + NIC 00011


def _message(validator: object, value: str) -> str:
    with pytest.raises(ValidationError) as info:
        validator(value)  # type: ignore[operator]
    return " ".join(info.value.messages)


@pytest.mark.parametrize("value", [CAEN_SIRET, "211 401 187 00011", "35600000000048"])
def test_valid_sirets_pass(value: str) -> None:
    validate_siret(value)


def test_la_poste_siret_follows_its_own_rule() -> None:
    # 356000000 is La Poste: its establishments' SIRETs have digits summing to a multiple of 5
    # instead of a Luhn key; 35600000010000 fails Luhn yet is valid (as stdnum says).
    assert not luhn.is_valid("35600000010000")
    assert stdnum_siret.is_valid("35600000010000")
    validate_siret("35600000010000")
    validate_siret("35600000000048")
    assert "clé de contrôle" in _message(validate_siret, "35600000010001")


def test_siret_with_a_wrong_key_says_so() -> None:
    assert "clé de contrôle" in _message(validate_siret, "21140118700012")


def test_siret_of_wrong_length_gives_the_count() -> None:
    message = _message(validate_siret, "2114011870001")
    assert "14 chiffres" in message
    assert "13 saisis" in message


def test_siret_with_letters_says_digits_only() -> None:
    assert "que des chiffres" in _message(validate_siret, "2114011870001A")


def test_siren_valid_and_invalid() -> None:
    validate_siren("211401187")
    assert "clé de contrôle" in _message(validate_siren, "211401188")
    assert "9 chiffres" in _message(validate_siren, "21140118")
    assert "9 chiffres" in _message(validate_siren, "21140118A")


def test_prm_is_fourteen_digits() -> None:
    validate_prm("01234567890123")
    for wrong in ("0123456789012", "012345678901234", "0123456789012A", ""):
        message = _message(validate_prm, wrong)
        assert "14 chiffres" in message
        assert wrong in message


def test_pce_is_fourteen_digits_or_gi_and_six_digits() -> None:
    validate_pce("21234567890123")
    validate_pce("GI123456")
    for wrong in ("GI12345", "GX123456", "2123456789012", "gi123456"):
        message = _message(validate_pce, wrong)
        assert "GI suivi de 6 chiffres" in message
        assert wrong in message


def test_delivery_point_is_checked_per_fluid() -> None:
    validate_delivery_point("gas", "GI123456")
    with pytest.raises(ValidationError, match="PRM"):
        validate_delivery_point("elec", "GI123456")
