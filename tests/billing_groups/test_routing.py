"""Budget lines and routing per year, by the member: bulk on sites, perimeters' ChorusPro routing (a buyer
that requires a service code is never left without one), spreadsheet export and import (all or nothing)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing_groups.models import BillingPerimeter, BudgetLine, PerimeterRouting, SiteRouting
from billing_groups.routing_io import HEADERS
from perimeter.models import Member
from tests.conftest import TenantClient, logged_in
from tests.factories import SiteFactory


@pytest.fixture
def alice(world: Any) -> TenantClient:
    return logged_in(world.alice)


def _perimeter(member: Any, name: str = "Écoles") -> BillingPerimeter:
    return BillingPerimeter.objects.create(member=member, name=name, segment="C5")


def test_budget_lines_then_bulk_assignment_on_ticked_sites(world: Any, alice: TenantClient) -> None:
    other = SiteFactory(member=world.member_a)
    untouched = SiteFactory(member=world.member_a)
    response = alice.post(
        reverse("api:budget-line-list"), {"year": 2026, "code": "6061", "label": "Eau"}, "application/json"
    )
    assert response.status_code == 201, response.content
    line_id = response.json()["id"]
    duplicate = alice.post(reverse("api:budget-line-list"), {"year": 2026, "code": "6061"}, "application/json")
    assert duplicate.status_code == 400
    assert "existe déjà" in duplicate.content.decode()

    url = reverse("api:routing-site-bulk")
    response = alice.post(
        url, {"year": 2026, "sites": [world.site_a.pk, other.pk], "budget_line": line_id}, "application/json"
    )
    assert response.json() == {"changed": 2}
    assert set(SiteRouting.objects.filter(year=2026).values_list("site_id", flat=True)) == {world.site_a.pk, other.pk}
    assert not SiteRouting.objects.filter(site=untouched).exists()

    # Another year's line, a foreign site: refused, nothing changed.
    wrong_year = alice.post(url, {"year": 2025, "sites": [world.site_a.pk], "budget_line": line_id}, "application/json")
    assert wrong_year.status_code == 400
    assert "celle de 2026" in wrong_year.content.decode()
    foreign = alice.post(
        url, {"year": 2026, "sites": [world.site_a.pk, world.site_b.pk], "budget_line": None}, "application/json"
    )
    assert foreign.status_code == 404
    assert SiteRouting.objects.filter(year=2026).count() == 2

    # A line in use cannot be deleted.
    response = alice.delete(reverse("api:budget-line-detail", kwargs={"pk": line_id}))
    assert response.status_code == 400
    assert "retirez-la d'abord" in response.content.decode()

    # Removing the line from the sites (null).
    alice.post(url, {"year": 2026, "sites": [world.site_a.pk, other.pk], "budget_line": None}, "application/json")
    assert not SiteRouting.objects.exists()


def test_a_perimeter_whose_buyer_requires_a_service_code_cannot_be_left_without_one(
    world: Any, alice: TenantClient
) -> None:
    Member.objects.filter(pk=world.member_a.pk).update(chorus_service_required=True)
    perimeter = _perimeter(world.member_a)
    url = reverse("api:routing-perimeter-list")

    refused = alice.post(
        url, {"perimeter": perimeter.pk, "year": 2026, "commitment_number": "EJ-1"}, "application/json"
    )
    assert refused.status_code == 400
    assert "Le code service ChorusPro est obligatoire pour « Écoles » en 2026" in refused.json()["service_code"][0]

    bad = alice.post(url, {"perimeter": perimeter.pk, "year": 2026, "service_code": "ÉCOLES!"}, "application/json")
    assert bad.status_code == 400
    assert "service_code" in bad.json()

    response = alice.post(
        url,
        {"perimeter": perimeter.pk, "year": 2026, "service_code": "ECOLES", "commitment_number": "EJ-1"},
        "application/json",
    )
    assert response.status_code == 201, response.content
    routing_id = response.json()["id"]
    assert PerimeterRouting.objects.get().service_code == "ECOLES"
    # Deleting it would leave the buyer without a code.
    deleted = alice.delete(reverse("api:routing-perimeter-detail", kwargs={"pk": routing_id}))
    assert deleted.status_code == 400
    assert PerimeterRouting.objects.exists()

    foreign = alice.post(
        url, {"perimeter": _perimeter(world.member_b).pk, "year": 2026, "service_code": "X"}, "application/json"
    )
    assert foreign.status_code == 404


def _workbook(rows: list[tuple[Any, ...]]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("imputations.xlsx", out.getvalue())


def test_the_mapping_is_exported_then_imported_all_or_nothing(world: Any, alice: TenantClient) -> None:
    perimeter = _perimeter(world.member_a)
    point = world.site_a.delivery_point
    good = [
        ("", 2026, "Site", point, "", "6061", "Eau", "", ""),
        ("", 2026, "Périmètre", "Écoles", "", "6062", "Écoles", "SERV-ECOLES", "EJ-7"),
    ]
    bad = [
        *good,
        ("", 2026, "Site", "00000000000000", "", "6061", "", "", ""),
        ("", 1900, "Périmètre", "Écoles", "", "", "", "", ""),
        ("", 2026, "Site", point, "", "6061", "", "SERV", ""),
    ]
    url = reverse("billing_routing:import")
    refused = alice.post(url, {"file": _workbook(bad), "year": 2026})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Ligne 4, colonne « Référence »" in text
    assert "Ligne 5, colonne « Année »" in text
    assert "Ligne 6, colonne « Code service »" in text
    assert not BudgetLine.objects.exists()  # nothing imported
    assert not SiteRouting.objects.exists()

    response = alice.post(url, {"file": _workbook(good), "year": 2026})
    assert response.status_code == 302
    assert SiteRouting.objects.get(site=world.site_a, year=2026).budget_line.code == "6061"
    routing = PerimeterRouting.objects.get(perimeter=perimeter, year=2026)
    assert routing.budget_line is not None
    assert (routing.budget_line.code, routing.service_code, routing.commitment_number) == (
        "6062",
        "SERV-ECOLES",
        "EJ-7",
    )

    exported = alice.get(reverse("billing_routing:export"), {"year": 2026})
    content = b"".join(exported.streaming_content)  # type: ignore[attr-defined]
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert {row[1:] for row in rows[1:]} == {
        (2026, "Périmètre", "Écoles", "Écoles", "6062", "Écoles", "SERV-ECOLES", "EJ-7"),
        (2026, "Site", point, world.site_a.site_name, "6061", "Eau", None, None),
    }
    # The exported file imports again unchanged (the round trip of a member editing its mapping).
    again = alice.post(url, {"file": SimpleUploadedFile("x.xlsx", _saved(book)), "year": 2026})
    assert again.status_code == 302
    assert SiteRouting.objects.count() == 1


def _saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_routing_page_assigns_ticked_sites_and_is_read_only_for_the_coordinator(
    world: Any, alice: TenantClient
) -> None:
    line = BudgetLine.objects.create(member=world.member_a, year=2026, code="6061", label="Eau")
    url = reverse("billing_routing:home")
    page = alice.get(url, {"year": 2026})
    assert page.status_code == 200
    assert world.site_a.site_name in page.content.decode()
    response = alice.post(
        url, {"action": "sites_assign", "year": 2026, "budget_line": line.pk, "sites": [world.site_a.pk]}
    )
    assert response.status_code == 302
    assert SiteRouting.objects.get(site=world.site_a).budget_line == line

    carol = logged_in(world.carol)
    assert "6061" in carol.get(url, {"year": 2026}).content.decode()
    assert carol.post(url, {"action": "line_create", "year": 2026, "code": "X"}).status_code == 403
