"""The ``invoices`` export: the search's filters and columns, through the reports framework."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.urls import reverse

from tests.invoicing.factories import make_credit_note, make_invoice


def test_the_export_gives_the_searched_invoices_with_the_tables_columns(world: Any, alice_client: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 6, 1))
    credit = make_credit_note(invoice, accounting_date=dt.date(2025, 7, 1))
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2024, 6, 1))  # outside
    make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2025, 6, 1))  # another member's

    url = reverse("reports:direct_download", kwargs={"report": "invoices"})
    response = alice_client.get(url, {"first": "2025-01", "last": "2025-12", "sort": "accounting_date"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Date comptable", "Membre", "Numéro")
    assert "Montant TTC (€)" in header
    body = rows[1:]
    assert [row[2] for row in body] == [invoice.number, credit.number]
    amount = header.index("Montant TTC (€)")
    assert Decimal(str(body[1][amount])) == -invoice.total_incl_vat
    assert body[0][header.index("État d'édition")] == "Annulée"
    assert body[0][header.index("Annule / annulée par")] == f"Annulée par l'avoir {credit.number}"
    assert body[0][0] == dt.datetime(2025, 6, 1)


def test_the_export_refuses_more_than_twelve_months(world: Any, alice_client: Any) -> None:
    url = reverse("reports:direct_download", kwargs={"report": "invoices"})
    response = alice_client.get(url, {"first": "2024-01", "last": "2025-12"})

    assert response.status_code == 400
    assert "La période de recherche est limitée à 12 mois" in response.content.decode()
