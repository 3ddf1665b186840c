"""The billing files (Direct View, annual sheet, billing summary): read back with openpyxl, their sums
equal the invoices' sums to the cent, member-scoped, with the budget line of the member's routing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.db.models import Sum
from django.urls import reverse

from billing_groups.models import BudgetLine, PerimeterRouting, SiteRouting
from invoicing.models import Invoice
from tests.factories import SiteFactory
from tests.invoicing.factories import make_credit_note, make_invoice, perimeter_for


def _download(client: Any, report: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    response = client.get(reverse("reports:direct_download", kwargs={"report": report}), params)
    assert response.status_code == 200, response.content[:500]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows: list[tuple[Any, ...]] = []
    for number, sheet in enumerate(book.worksheets):
        sheet_rows = list(sheet.iter_rows(values_only=True))
        rows.extend(sheet_rows if number == 0 else sheet_rows[1:])
    return rows


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _sum(rows: list[tuple[Any, ...]], header: tuple[Any, ...], column: str) -> Decimal:
    index = header.index(column)
    return sum((_dec(row[index]) for row in rows), Decimal("0.00"))


def _invoices(world: Any) -> list[Invoice]:
    """Member A: a 3-site grouped invoice (reduced VAT: two rates), a later one and a credit note; member B one."""
    extra = [SiteFactory(member=world.member_a, lot=world.site_a.lot) for _ in range(2)]
    sites = [world.site_a, *extra]
    first = make_invoice(
        member=world.member_a, sites=sites, accounting_date=dt.date(2025, 3, 1), kwh=Decimal("1234.567")
    )
    second = make_invoice(member=world.member_a, sites=sites, accounting_date=dt.date(2025, 5, 1), kwh="987.6")
    credit = make_credit_note(second, accounting_date=dt.date(2025, 6, 1))
    make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2025, 3, 1))
    return [first, second, credit]


def test_the_direct_view_has_one_row_per_line_and_the_invoices_sums_to_the_cent(world: Any, alice_client: Any) -> None:
    invoices = _invoices(world)
    rows = _download(alice_client, "direct_view", {"first": "2025-01", "last": "2025-12"})
    header, body = rows[0], rows[1:]

    assert header[0] == "Numéro de facture"
    assert "Référence budgétaire" in header
    assert len(body) == sum(invoice.lines.count() for invoice in invoices)
    assert {row[0] for row in body} == {invoice.number for invoice in invoices}  # member B's is not there
    totals = Invoice.objects.filter(pk__in=[i.pk for i in invoices]).aggregate(
        excl=Sum("total_excl_vat"), vat=Sum("vat_total"), incl=Sum("total_incl_vat")
    )
    assert _sum(body, header, "Montant HT (€)") == totals["excl"]
    assert _sum(body, header, "TVA (€)") == totals["vat"]
    assert _sum(body, header, "Montant TTC (€)") == totals["incl"]
    # Invoice by invoice too (the VAT allocation never moves a cent to another invoice).
    for invoice in invoices:
        mine = [row for row in body if row[0] == invoice.number]
        assert _sum(mine, header, "TVA (€)") == invoice.vat_total
    assert body[0][header.index("Type")] == "Facture"
    assert any(row[header.index("Type")] == "Avoir" for row in body)
    assert body[0][header.index("Date comptable")] == dt.datetime(2025, 3, 1)


def test_the_direct_view_and_the_annual_sheet_carry_the_budget_line(world: Any, alice_client: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 3, 1))
    other_site = SiteFactory(member=world.member_a, lot=world.site_a.lot)
    make_invoice(
        member=world.member_a,
        sites=[other_site],
        accounting_date=dt.date(2025, 3, 1),
        perimeter=perimeter_for(world.member_a, "Écoles", budget_reference="Budget écoles"),
    )
    line = BudgetLine.objects.create(member=world.member_a, year=2025, code="6061", label="Assainissement")
    SiteRouting.objects.create(site=world.site_a, year=2025, budget_line=line)
    PerimeterRouting.objects.create(perimeter=invoice.perimeter, year=2024, budget_line=None)

    rows = _download(alice_client, "direct_view", {"first": "2025-03", "last": "2025-03"})
    header = rows[0]
    budgets = {row[header.index("Nom du site")]: row[header.index("Référence budgétaire")] for row in rows[1:]}
    assert budgets == {world.site_a.site_name: "6061 Assainissement", other_site.site_name: "Budget écoles"}

    annual = _download(alice_client, "annual_sheet", {"year": 2025})
    header = annual[0]
    assert {
        row[header.index("Nom du site")]: row[header.index("Référence budgétaire")] for row in annual[1:]
    } == budgets


def test_the_annual_sheet_sums_each_site_and_the_invoices(world: Any, alice_client: Any) -> None:
    invoices = _invoices(world)
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 1, 1))  # next year
    rows = _download(alice_client, "annual_sheet", {"year": 2025})
    header, body = rows[0], rows[1:]

    assert len(body) == 3  # one row per site of member A
    kwh = header.index("Consommation annuelle (kWh)")
    # 1234.567 billed, then 987.6 billed and credited.
    assert {Decimal(str(row[kwh])) for row in body} == {Decimal("1234.567")}
    for column, field in (
        ("Fourniture HT (€)", "energy"),
        ("Acheminement HT (€)", "network"),
        ("Taxes et contributions HT (€)", "taxes"),
        ("Total HT (€)", "total_excl_vat"),
        ("TVA (€)", "vat_total"),
        ("Total TTC (€)", "total_incl_vat"),
    ):
        assert _sum(body, header, column) == sum((getattr(i, field) for i in invoices), Decimal("0.00")), column


def test_the_billing_summary_gives_month_and_site_and_refuses_more_than_six_months(
    world: Any, alice_client: Any
) -> None:
    invoices = _invoices(world)
    rows = _download(alice_client, "billing_summary", {"first": "2025-01", "last": "2025-06"})
    header, body = rows[0], rows[1:]
    assert [row[0] for row in body] == [dt.datetime(2025, 3, 1)] * 3 + [dt.datetime(2025, 5, 1)] * 3 + [
        dt.datetime(2025, 6, 1)
    ] * 3
    assert _sum(body, header, "Total TTC (€)") == sum((i.total_incl_vat for i in invoices), Decimal("0.00"))
    assert _sum(body, header, "TVA (€)") == sum((i.vat_total for i in invoices), Decimal("0.00"))

    response = alice_client.get(
        reverse("reports:direct_download", kwargs={"report": "billing_summary"}),
        {"first": "2025-01", "last": "2025-07"},
    )
    assert response.status_code == 400
    assert "limitée à 6 mois" in response.content.decode()


def test_the_coordinator_gets_every_member_and_a_foreign_perimeter_is_a_404(
    world: Any, alice_client: Any, carol_client: Any
) -> None:
    _invoices(world)
    rows = _download(carol_client, "direct_view", {"first": "2025-01", "last": "2025-12"})
    members = {row[5] for row in rows[1:]}
    assert members == {world.member_a.legal_name, world.member_b.legal_name}

    foreign = perimeter_for(world.member_b)
    response = alice_client.get(
        reverse("reports:direct_download", kwargs={"report": "direct_view"}), {"perimeter": foreign.pk}
    )
    assert response.status_code == 404


def test_the_direct_view_splits_over_sheets_at_the_row_limit(world: Any) -> None:
    from invoicing.billing_files import direct_view_rows, scope_for
    from reports.definitions_billing import DIRECT_VIEW_COLUMNS
    from spreadsheets.xlsx import write_xlsx

    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 3, 1))
    scope = scope_for(world.alice, first=dt.date(2025, 1, 1), end=dt.date(2026, 1, 1))
    out = io.BytesIO()
    result = write_xlsx(out, columns=DIRECT_VIEW_COLUMNS, rows=direct_view_rows(scope), max_rows=4)
    assert result.rows == invoice.lines.count()
    assert result.sheets == 3  # 8 lines, 3 per sheet


def test_the_billing_summary_page_shows_the_chart_the_tables_and_the_file(world: Any, bob_client: Any) -> None:
    invoices = _invoices(world)
    url = reverse("invoicing:billing_summary")
    response = bob_client.get(url, {"first": "2025-01", "last": "2025-06"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="summary-figure"' in page  # the chart's data, drawn by charts.js
    assert 'id="bilan-mensuel"' in page  # the same figures as a table
    assert response.context["totals"]["total_incl_vat"] == sum((i.total_incl_vat for i in invoices), Decimal("0.00"))
    assert len(response.context["summary"].months) == 6
    assert len(response.context["page"].object_list) == 3
    assert "report=" not in response.context["export_url"]
    assert "/exports/direct/billing_summary/?first=2025-01&last=2025-06" in response.context["export_url"]

    refused = bob_client.get(url, {"first": "2025-01", "last": "2025-07"})
    assert refused.status_code == 200
    assert "La période du bilan de facturation est limitée à 6 mois." in refused.content.decode()
    assert "summary" not in refused.context
