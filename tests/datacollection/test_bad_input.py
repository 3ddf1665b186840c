"""Bad input never gets in: what an outside client left in a member's record is refused on every path.

The same values go through the journey API (as the member administrator, alice) and the
step 1 pages; each answer says what is wrong and the stored data does not move. The
pre-filled import is proved in tests/importing/test_bad_input.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from perimeter.models import Contact, Member
from tests.conftest import TenantClient, logged_in
from tests.datacollection.conftest import complete_general_data

# (field, value, words of the message): the values an outside client managed to store.
BAD_GENERAL_DATA = [
    ("legal_name", "Commune\x07\x1b[31m", "caractère de contrôle"),
    ("siret", "00000000000000", "n'existe pas"),
    ("postcode", "*\ue000", "usage privé"),
    ("postcode", "96000", "aucun département"),
    ("city", "Caen\x08", "caractère de contrôle"),
    ("chorus_commitment_number", "EJ\x01", "caractère de contrôle"),
    ("chorus_siret", "12345678901234", "clé de contrôle"),
    ("address_line", "", "obligatoire"),
]
# The API's schema declares the identifiers' patterns: its serializer answers these first, in its words.
API_WORDS = {
    ("postcode", "*\ue000"): "5 chiffres",
    ("postcode", "96000"): "département français",
    ("chorus_commitment_number", "EJ\x01"): "Lettres sans accent",
    ("address_line", ""): "ne peut être vide",
}
BAD_CONTACTS = [
    ("phone", "0" * 30, "n'est pas un numéro de téléphone"),
    ("phone", "zxcvbnmasd", "que des chiffres"),
    ("first_name", "\x07", "caractère de contrôle"),
    ("last_name", "Mar\u0085tin", "caractère de contrôle"),
    ("email", "pas-une-adresse", "valide"),
]
GOOD_CONTACT = {
    "role": "billing",
    "first_name": "Claire",
    "last_name": "Martin",
    "job_title": "DGS",
    "phone": "02 31 00 00 00",
    "email": "claire.martin@commune.test",
}


@pytest.fixture
def member(world: Any, campaign: Any) -> Member:
    complete_general_data(world.member_a)
    return world.member_a


@pytest.fixture
def contact(member: Member) -> Contact:
    return Contact.objects.filter(member=member).order_by("pk").first()  # type: ignore[return-value]


@pytest.fixture
def alice_api(world: Any) -> TenantClient:
    return logged_in(world.alice)


def _stored(member: Member) -> dict[str, Any]:
    return model_to_dict(Member.objects.get(pk=member.pk), exclude=["lots"])


def _contacts(member: Member) -> list[Any]:
    return list(Contact.objects.filter(member=member).order_by("pk").values())


def _messages(errors: Any) -> str:
    return " ".join(str(message) for message in errors)


@pytest.mark.parametrize(("field", "value", "words"), BAD_GENERAL_DATA)
def test_api_refuses_bad_general_data(member: Member, alice_api: TenantClient, field: str, value: str, words: str):
    before = _stored(member)
    response = alice_api.patch(reverse("api:journey-general-data"), {field: value}, content_type="application/json")
    assert response.status_code == 400, response.json()
    assert API_WORDS.get((field, value), words) in _messages(response.json()[field])
    assert _stored(member) == before


def test_api_refuses_emptying_a_required_field_with_null(member: Member, alice_api: TenantClient):
    before = _stored(member)
    for field in ("address_line", "postcode", "city", "legal_name", "siret"):
        response = alice_api.patch(reverse("api:journey-general-data"), {field: None}, content_type="application/json")
        assert response.status_code == 400, (field, response.json())
        assert field in response.json()
    assert _stored(member) == before


def test_api_normalises_what_it_accepts(member: Member, alice_api: TenantClient):
    response = alice_api.patch(
        reverse("api:journey-general-data"),
        {"legal_name": "  Commune de Cae\u0301n ", "chorus_commitment_number": " EJ-2026/01 "},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    stored = Member.objects.get(pk=member.pk)
    assert stored.legal_name == "Commune de Caén"  # NFC: the combining accent joins its letter
    assert stored.chorus_commitment_number == "EJ-2026/01"


@pytest.mark.parametrize(("field", "value", "words"), BAD_CONTACTS)
def test_api_refuses_bad_contacts(member: Member, alice_api: TenantClient, field: str, value: str, words: str):
    before = _contacts(member)
    url = reverse("api:journey-contacts")
    created = alice_api.post(url, {**GOOD_CONTACT, field: value}, content_type="application/json")
    assert created.status_code == 400, created.json()
    assert words in _messages(created.json()[field])
    first = before[0]["id"]
    changed = alice_api.patch(
        reverse("api:journey-contact", kwargs={"pk": first}), {field: value}, content_type="application/json"
    )
    assert changed.status_code == 400, changed.json()
    assert words in _messages(changed.json()[field])
    assert _contacts(member) == before


@pytest.mark.parametrize("field", ["last_name", "phone", "email"])
def test_api_patch_cannot_empty_a_contact_required_field(
    member: Member, contact: Contact, alice_api: TenantClient, field: str
):
    before = _contacts(member)
    url = reverse("api:journey-contact", kwargs={"pk": contact.pk})
    for value in ("", "   "):
        response = alice_api.patch(url, {field: value}, content_type="application/json")
        assert response.status_code == 400, response.json()
        assert field in response.json()  # "obligatoire" (the service) or "ne peut être vide" (the serializer)
    assert _contacts(member) == before


def test_api_contact_phone_and_email_are_stored_in_canonical_form(member: Member, alice_api: TenantClient):
    data = {**GOOD_CONTACT, "phone": "+33231000001", "email": " Claire.Martin@Commune.TEST "}
    response = alice_api.post(reverse("api:journey-contacts"), data, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert (response.json()["phone"], response.json()["email"]) == ("02 31 00 00 01", "claire.martin@commune.test")


# --- The same refusals through the step 1 pages ----------------------------------------------


def _general_form(member: Member, **changes: str) -> dict[str, str]:
    names = ["legal_name", "siret", "address_line", "postcode", "city", "chorus_siret", "chorus_service_code"]
    names += ["chorus_commitment_number", "energy_mix"]
    values = {name: getattr(member, name) or "" for name in names}
    return {f"member-{name}": value for name, value in {**values, **changes}.items()}


@pytest.mark.parametrize(("field", "value", "words"), BAD_GENERAL_DATA)
def test_page_refuses_bad_general_data(member: Member, world: Any, field: str, value: str, words: str):
    before = _stored(member)
    client = logged_in(world.alice)
    response = client.post(reverse("datacollection:general"), _general_form(member, **{field: value}))
    assert response.status_code == 200  # the form again, with its message
    assert words in response.content.decode().replace("&#x27;", "'")
    assert _stored(member) == before


@pytest.mark.parametrize(("field", "value", "words"), BAD_CONTACTS)
def test_page_refuses_bad_contacts(member: Member, contact: Contact, world: Any, field: str, value: str, words: str):
    before = _contacts(member)
    client = logged_in(world.alice)
    form = {f"contact-{name}": value for name, value in {**GOOD_CONTACT, field: value}.items()}
    for url in (reverse("datacollection:contact_create"), reverse("datacollection:contact_edit", args=[contact.pk])):
        response = client.post(url, form)
        assert response.status_code == 200
        assert words in response.content.decode().replace("&#x27;", "'")
    assert _contacts(member) == before


def test_the_schema_says_the_patterns_the_service_checks(alice_api: TenantClient) -> None:
    schema = alice_api.get(reverse("api:schema"), {"format": "json"}).json()
    general = schema["components"]["schemas"]["PatchedGeneralDataRequest"]["properties"]
    assert general["postcode"]["pattern"].startswith("^(?:(?:0[1-9]")
    assert general["siret"]["pattern"] == "^[0-9]{14}$"
    assert general["legal_name"]["pattern"] == "^[^\\u0000-\\u001F\\u007F-\\u009F\\uE000-\\uF8FF]*$"
    assert general["address_line"]["minLength"] == 1  # required by step 1: never blank
