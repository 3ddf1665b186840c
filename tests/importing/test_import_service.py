"""The pre-filled import: validate everything, write all or nothing, report by sheet/row/column, diff on re-import."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from accounts.models import AuditEvent
from perimeter.choices import SiteStatus
from perimeter.importing.choices import ImportStatus
from perimeter.importing.reading import ListingRefused
from perimeter.importing.services import absolute_path, import_request
from perimeter.models import Contact, Member, Site
from tests.factories import MemberFactory, SiteFactory
from tests.importing.workbooks import contact_row, listing, member_row, site_row, small_listing

pytestmark = pytest.mark.django_db


def _report_rows(job: Any) -> list[tuple[Any, ...]]:
    workbook = load_workbook(absolute_path(job.error_report_path), read_only=True)
    sheet: Any = workbook.active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_good_file_creates_members_contacts_and_sites(run_listing: Any, lot: Any) -> None:
    job = run_listing(small_listing(members=3, sites_per_member=2))
    assert job.status == ImportStatus.DONE, job.error_message
    assert job.progress_percent == 100
    assert job.summary["counts"]["Membres"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert job.summary["counts"]["Sites"]["created"] == 6
    assert Member.objects.filter(customer_number__startswith="IMP").count() == 3
    member = Member.objects.get(customer_number="IMP000001")
    assert list(member.lots.all()) == [lot]
    assert member.siren == member.siret[:9]
    assert Contact.objects.filter(member=member).count() == 1
    site = Site.objects.get(delivery_point="50000000001001")
    assert site.status == SiteStatus.TO_CONFIRM
    assert site.subscribed_power_kva == Decimal("12.0")
    assert site.meter_communicating is True
    assert AuditEvent.objects.filter(action="import.completed", target_id=str(job.pk)).exists()
    assert str(absolute_path(job.file_path)).endswith(f"imports/alpha/{job.pk}.xlsx")


def test_reimport_of_the_same_file_changes_nothing(run_listing: Any) -> None:
    content = small_listing()
    run_listing(content)
    before = list(Site.objects.order_by("pk").values_list("pk", "updated_at"))
    job = run_listing(content)
    assert job.status == ImportStatus.DONE
    assert job.has_changes is False
    assert job.summary["counts"]["Sites"] == {"created": 0, "updated": 0, "unchanged": 6}
    assert job.summary["counts"]["Interlocuteurs"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert "aucun changement" in job.progress_label
    assert list(Site.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_later_file_updates_what_changed_and_says_so(run_listing: Any) -> None:
    run_listing(small_listing(members=2, sites_per_member=2))
    changed = listing(
        [member_row(1, **{"Commune": "Bayeux", "Code postal": "14400"}), member_row(2), member_row(3)],
        [site_row(1, 1, **{"Puissance souscrite (kVA)": 9}), site_row(1, 2), site_row(2, 1), site_row(2, 2)],
        [contact_row(1, **{"Téléphone": "0231999999"}), contact_row(2)],
    )
    job = run_listing(changed)
    assert job.status == ImportStatus.DONE
    counts = job.summary["counts"]
    assert counts["Membres"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert counts["Sites"] == {"created": 0, "updated": 1, "unchanged": 3}
    assert counts["Interlocuteurs"] == {"created": 0, "updated": 1, "unchanged": 1}
    changes = {(c["sheet"], c["key"]): c["fields"] for c in job.summary["changes"]}
    assert changes[("Membres", "IMP000001")] == ["Code postal", "Commune"]
    assert changes[("Sites", "50000000001001")] == ["Puissance souscrite (kVA)"]
    assert Site.objects.get(delivery_point="50000000001001").subscribed_power_kva == Decimal("9.0")
    assert Member.objects.get(customer_number="IMP000001").city == "Bayeux"


def test_file_with_bad_rows_writes_nothing_and_reports_each_cell(run_listing: Any) -> None:
    other = MemberFactory(customer_number="OTHER1")
    SiteFactory(member=other, delivery_point="50000000002002")
    content = listing(
        [member_row(1), member_row(2, SIRET="12345678901234"), member_row(1)],
        [
            site_row(1, 1),
            site_row(1, 2, **{"Segment": "T9", "Puissance souscrite (kVA)": "douze"}),
            site_row(2, 2),
            site_row(1, 1),
            site_row(9, 1),
        ],
        [contact_row(1, **{"E-mail": "pas-une-adresse"})],
    )
    job = run_listing(content)
    assert job.status == ImportStatus.REJECTED
    assert Member.objects.filter(customer_number__startswith="IMP").count() == 0
    assert not Site.objects.filter(delivery_point__startswith="500000000010").exists()
    rows = _report_rows(job)
    assert rows[0] == ("Feuille", "Ligne", "Colonne", "Valeur lue", "Message")
    found = {(sheet, line, column) for sheet, line, column, _value, _message in rows[1:]}
    assert ("Membres", 3, "SIRET") in found
    assert ("Membres", 4, "N° client") in found  # duplicate customer number
    assert ("Interlocuteurs", 2, "E-mail") in found
    assert ("Sites", 3, "Segment") in found
    assert ("Sites", 3, "Puissance souscrite (kVA)") in found
    assert ("Sites", 4, "Point de livraison") in found  # owned by another member
    assert ("Sites", 5, "Point de livraison") in found  # duplicate in the file
    assert ("Sites", 6, "N° client") in found  # unknown member
    messages = {(sheet, line, column): message for sheet, line, column, _v, message in rows[1:]}
    assert "OTHER1" in messages[("Sites", 4, "Point de livraison")]
    assert "clé de contrôle" in messages[("Membres", 3, "SIRET")]
    assert job.error_count == len(rows) - 1
    assert AuditEvent.objects.filter(action="import.rejected").exists()


def _xlsx_with(extra: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(small_listing()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("listing.xlsm", small_listing(), "macros"),
        ("listing.xlsx", _xlsx_with({"xl/vbaProject.bin": b"\x00macro"}), "vbaProject.bin"),
        ("listing.csv", b"a;b\n", ".xlsx"),
        ("listing.xlsx", b"not a zip at all", "lisible"),
    ],
)
def test_refused_files_record_nothing(lot: Any, name: str, content: bytes, words: str) -> None:
    with pytest.raises(ListingRefused) as refusal:
        import_request(
            lot=lot, upload=io.BytesIO(content), original_name=name, size=len(content), requested_by_email="m@f.test"
        )
    assert words in refusal.value.message


def test_too_big_file_is_refused(lot: Any, settings: Any, monkeypatch: Any) -> None:
    with pytest.raises(ListingRefused) as refusal:
        import_request(
            lot=lot,
            upload=io.BytesIO(b""),
            original_name="l.xlsx",
            size=40 * 1024 * 1024,
            requested_by_email="m@f.test",
        )
    assert "taille maximale" in refusal.value.message


def test_too_many_rows_is_refused(run_listing: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("perimeter.importing.reading.MAX_ROWS_PER_SHEET", 3)
    job = run_listing(small_listing(members=2, sites_per_member=2))
    assert job.status == ImportStatus.REJECTED
    assert "dépasse 3 lignes" in job.error_message


def test_wrong_sheet_names_are_refused_with_a_clear_message(run_listing: Any) -> None:
    content = listing([member_row(1)], [site_row(1, 1)], sheet_names=("Feuil1", "Interlocuteurs", "Feuil3"))
    job = run_listing(content)
    assert job.status == ImportStatus.REJECTED
    assert "« Membres »" in job.error_message
    assert "« Sites »" in job.error_message
    assert "Feuil1" in job.error_message
    assert not Member.objects.filter(customer_number__startswith="IMP").exists()


def test_missing_column_is_named(run_listing: Any) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "Membres"
    sheet.append(["N° client", "Raison sociale"])
    workbook.create_sheet("Sites").append(["N° client"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_listing(buffer.getvalue())
    assert job.status == ImportStatus.REJECTED
    assert "« SIRET »" in job.error_message


def test_progress_is_recorded_while_reading(run_listing: Any, monkeypatch: Any) -> None:
    from perimeter.importing import services

    seen: list[int] = []
    original = services._progress

    def spy(job_id: str, percent: int, label: str, **fields: object) -> None:
        seen.append(percent)
        original(job_id, percent, label, **fields)

    monkeypatch.setattr(services, "_progress", spy)
    monkeypatch.setattr("perimeter.importing.reading.PROGRESS_EVERY", 5, raising=False)
    job = run_listing(small_listing(members=3, sites_per_member=2))
    assert job.status == ImportStatus.DONE
    assert seen[0] == 0
    assert services.CHECK_SHARE in seen
    assert seen == sorted(seen)


def test_running_the_task_twice_imports_once(run_listing: Any) -> None:
    from perimeter.importing.tasks import run_import

    job = run_listing(small_listing())
    assert run_import.delay(str(job.pk), "alpha").get() == ImportStatus.DONE
    job.refresh_from_db()
    assert job.attempts == 1
    assert Site.objects.filter(delivery_point__startswith="5000000000").count() == 6
