"""Bad input never gets in through the pre-filled import either: the same rules as the pages and the API.

openpyxl refuses to write most C0 control characters into a cell, so the listing carries
those an Excel file can hold (tab, line feed, DEL, C1 controls) and private-use characters.
"""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook

from perimeter.importing.choices import ImportStatus
from perimeter.importing.services import absolute_path
from perimeter.models import Contact, Member, Site
from tests.importing.workbooks import contact_row, listing, member_row, site_row, small_listing

pytestmark = pytest.mark.django_db


def _report(job: Any) -> dict[tuple[str, int, str], str]:
    workbook = load_workbook(absolute_path(job.error_report_path), read_only=True)
    sheet: Any = workbook.active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)][1:]
    return {(sheet_name, line, column): message for sheet_name, line, column, _value, message in rows}


def test_bad_cells_are_refused_with_their_reason_and_nothing_is_written(run_listing: Any) -> None:
    content = listing(
        [
            member_row(1, **{"Raison sociale": "Commune\x7f de Caen"}),
            member_row(2, SIRET="00000000000000"),
            member_row(3, **{"Code postal": "*\ue000"}),
            member_row(4, **{"Commune": "Ca\ten", "N° d'engagement ChorusPro": "EJ\x9b1"}),
            member_row(5, **{"SIRET ChorusPro": "12345678901234"}),
        ],
        [site_row(1, 1, **{"Nom du site": "Mairie\ue001"})],
        [
            contact_row(1, **{"Téléphone": "0" * 30}),
            contact_row(2, **{"Téléphone": "zxcvbnmasd"}),
            contact_row(3, **{"Prénom": "Cl\x85aire"}),
        ],
    )
    job = run_listing(content)
    assert job.status == ImportStatus.REJECTED
    assert not Member.objects.filter(customer_number__startswith="IMP").exists()
    assert not Contact.objects.exists()
    assert not Site.objects.filter(delivery_point__startswith="5000000000").exists()
    report = _report(job)
    expected = {
        ("Membres", 2, "Raison sociale"): "caractère de contrôle",
        ("Membres", 3, "SIRET"): "n'existe pas",
        ("Membres", 4, "Code postal"): "usage privé",
        ("Membres", 5, "Commune"): "caractère de contrôle",
        ("Membres", 5, "N° d'engagement ChorusPro"): "caractère de contrôle",
        ("Membres", 6, "SIRET ChorusPro"): "clé de contrôle",
        ("Interlocuteurs", 2, "Téléphone"): "n'est pas un numéro de téléphone",
        ("Interlocuteurs", 3, "Téléphone"): "que des chiffres",
        ("Interlocuteurs", 4, "Prénom"): "caractère de contrôle",
        ("Sites", 2, "Nom du site"): "usage privé",
    }
    for cell, words in expected.items():
        assert cell in report, (cell, report)
        assert words in report[cell], (cell, report[cell])


def test_a_good_listing_is_stored_in_canonical_form(run_listing: Any) -> None:
    content = listing(
        [member_row(1, **{"Raison sociale": "  Commune de Cae\u0301n  "})],
        [site_row(1, 1)],
        [contact_row(1, **{"Téléphone": "+33 2 31 00 00 00", "E-mail": "Claire.MARTIN@commune.test"})],
    )
    job = run_listing(content)
    assert job.status == ImportStatus.DONE, job.error_count
    member = Member.objects.get(customer_number="IMP000001")
    assert member.legal_name == "Commune de Caén"
    contact = Contact.objects.get(member=member)
    assert (contact.phone, contact.email) == ("02 31 00 00 00", "claire.martin@commune.test")
    # Importing the same file again changes nothing: the cleaned values are what is compared.
    assert run_listing(content).summary["counts"]["Interlocuteurs"]["unchanged"] == 1


def test_small_listing_still_imports(run_listing: Any) -> None:
    assert run_listing(small_listing()).status == ImportStatus.DONE
