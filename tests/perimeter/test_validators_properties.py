"""Property-based tests (Hypothesis) of the validation module: the rules hold for any input."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from perimeter.validators import (
    CHORUS_FIELDS,
    clean_email,
    clean_fields,
    clean_phone,
    clean_postcode,
    clean_siren,
    clean_siret,
    clean_text,
)

# Hypothesis runs without the database; the validators never touch it.
pytestmark = pytest.mark.filterwarnings("ignore")
FAST = settings(max_examples=200, deadline=None)
FEW = settings(max_examples=40, deadline=None)  # each example checks 126 mutations
REFUSED = {"Cc", "Co", "Cn", "Cs"}
DEPARTMENTS = {f"{n:02d}" for n in range(1, 96)} | {f"97{n}" for n in range(1, 9)} | {"980", "984", "986", "987", "988"}


def _accepted(cleaner, value):
    try:
        return True, cleaner(value)
    except ValidationError:
        return False, None


def _text(value: str) -> str:
    return clean_text(value, max_length=200)


@st.composite
def valid_sirets(draw: st.DrawFn) -> str:
    body = draw(st.text("0123456789", min_size=8, max_size=8))
    assume(body != "00000000" and body != "35600000")  # not zero, not La Poste (its own rule)
    siren = body + luhn.calc_check_digit(body)
    nic = draw(st.text("0123456789", min_size=4, max_size=4))
    return siren + nic + luhn.calc_check_digit(siren + nic)


@FAST
@given(st.text(max_size=30), st.characters(categories=["Cc", "Co", "Cs"]), st.text(max_size=30))
@example("Mairie", "\x07", "")
@example("", "\ue000", "")
def test_any_text_with_a_control_or_private_use_character_is_refused(before: str, bad: str, after: str) -> None:
    with pytest.raises(ValidationError):
        _text(before + bad + after)


@FAST
@given(st.text(max_size=60))
def test_text_cleaning_is_idempotent_and_gives_printable_nfc(value: str) -> None:
    ok, cleaned = _accepted(_text, value)
    if not ok:
        return
    assert _text(cleaned) == cleaned
    assert cleaned == unicodedata.normalize("NFC", cleaned) == cleaned.strip()
    assert not any(unicodedata.category(c) in REFUSED for c in cleaned)


@FAST
@given(st.text(min_size=201, max_size=300, alphabet=st.characters(categories=["L"])))
def test_text_over_its_length_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="ne doit pas dépasser"):
        _text(value)


@FEW
@given(valid_sirets())
def test_valid_sirets_pass_and_every_one_digit_change_fails(siret: str) -> None:
    assert clean_siret(siret) == siret
    assert clean_siret(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}") == siret
    assert clean_siren(siret[:9]) == siret[:9]
    for position in range(14):
        for digit in "0123456789":
            mutated = siret[:position] + digit + siret[position + 1 :]
            if mutated == siret or mutated[:9] == "356000000":
                continue
            with pytest.raises(ValidationError):
                clean_siret(mutated)


@FAST
@given(st.text("0", min_size=14, max_size=14) | st.just("00000000000000"))
def test_the_zero_siret_passes_luhn_but_is_refused(zeros: str) -> None:
    assert luhn.is_valid(zeros)
    with pytest.raises(ValidationError, match="n'existe pas"):
        clean_siret(zeros)


@FAST
@given(st.text(max_size=8))
@example("*\ue000")
@example("96000")
@example("2A004")
def test_every_accepted_postcode_is_five_digits_of_a_known_department(value: str) -> None:
    ok, cleaned = _accepted(clean_postcode, value)
    if ok:
        assert len(cleaned) == 5
        assert cleaned.isdigit()
        assert cleaned.isascii()
        assert cleaned[:2] in DEPARTMENTS or cleaned[:3] in DEPARTMENTS
        assert clean_postcode(cleaned) == cleaned


@FAST
@given(st.sampled_from(sorted(DEPARTMENTS)), st.text("0123456789", min_size=3, max_size=3))
def test_every_department_has_postcodes(department: str, rest: str) -> None:
    code = (department + rest)[:5]
    assert clean_postcode(code) == code


@FAST
@given(st.text(alphabet="0123456789 +.-()abcxyz", max_size=35))
@example("0" * 30)
@example("zxcvbnmasd")
def test_accepted_phones_are_canonical_and_idempotent(value: str) -> None:
    ok, cleaned = _accepted(clean_phone, value)
    if ok:
        assert clean_phone(cleaned) == cleaned
        assert set(cleaned) <= set("0123456789 +")
        assert len(cleaned) <= 30


@FAST
@given(st.from_regex(r"\A0[1-79][0-9]{8}\Z"))
def test_french_numbers_are_stored_in_pairs(value: str) -> None:
    ok, cleaned = _accepted(clean_phone, value)
    if ok:
        assert cleaned == " ".join(value[i : i + 2] for i in range(0, 10, 2))


@FAST
@given(st.emails())
def test_email_cleaning_is_idempotent(value: str) -> None:
    ok, cleaned = _accepted(clean_email, value)
    if ok:
        assert clean_email(cleaned) == cleaned == cleaned.lower()


@FAST
@given(st.text(max_size=60))
def test_chorus_codes_accept_only_letters_digits_and_separators(value: str) -> None:
    ok, cleaned = _accepted(CHORUS_FIELDS["chorus_commitment_number"], value)
    if ok and cleaned:
        assert cleaned.isascii()
        assert all(c.isalnum() or c in " _./-" for c in cleaned)


@FAST
@given(st.sampled_from(["", "   ", None]))
def test_required_fields_cannot_be_emptied(value: str | None) -> None:
    _cleaned, errors = clean_fields(CHORUS_FIELDS, {"chorus_siret": value}, required=["chorus_siret"])
    assert errors == {"chorus_siret": ["Ce champ est obligatoire."]}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0692123456", "06 92 12 34 56"),  # La Réunion, mobile
        ("02 62 41 23 45", "02 62 41 23 45"),  # La Réunion, landline
        ("0690 77 41 21", "06 90 77 41 21"),  # Guadeloupe
        ("+596 696 12 34 56", "06 96 12 34 56"),  # Martinique, written internationally
    ],
)
def test_overseas_numbers_of_the_french_plan_are_french_numbers(typed: str, stored: str) -> None:
    # Public buyers of the overseas départements are members too: their numbers are
    # written and stored like any French number.
    assert clean_phone(typed) == stored


def test_the_demo_writes_only_valid_phone_numbers() -> None:
    # The demo seed writes its contacts through the same validation as everyone else.
    import random

    from perimeter.demo import _phone

    rng = random.Random(0)
    for prefix in ("02 31", "02 32", "06", "07"):
        for _ in range(2_000):
            number = _phone(rng, prefix)
            assert clean_phone(number) == number
