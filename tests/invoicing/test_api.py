"""/api/v1/invoices/: list with the search's filters, one invoice with its recap and lines; read-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import SiteFactory
from tests.invoicing.factories import make_credit_note, make_invoice

LIST = "/api/v1/invoices/"


def _detail(pk: int) -> str:
    return f"/api/v1/invoices/{pk}/"


def test_the_list_gives_each_invoice_with_its_state_and_links(world: Any, alice_client: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 5, 1))
    credit = make_credit_note(invoice, accounting_date=dt.date(2025, 5, 20))
    make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2025, 5, 1))

    response = alice_client.get(LIST, {"first": "2025-01", "last": "2025-12"})

    assert response.status_code == 200
    items = {item["number"]: item for item in response.json()["results"]}
    assert set(items) == {invoice.number, credit.number}
    cancelled = items[invoice.number]
    assert cancelled["state"] == "cancelled"
    assert cancelled["cancelled_by"] == credit.pk
    assert cancelled["kind"] == "invoice"
    assert cancelled["issue_date"] == "2025-05-01"
    assert cancelled["accounting_date"] == "2025-05-01"
    assert Decimal(cancelled["total_incl_vat"]) == invoice.total_incl_vat
    assert Decimal(cancelled["total_excl_vat"]) == invoice.total_excl_vat
    assert Decimal(cancelled["consumption_kwh"]) == Decimal("1000")
    assert cancelled["perimeter"] == invoice.perimeter_id
    assert items[credit.number]["cancels"] == invoice.pk
    assert items[credit.number]["kind"] == "credit_note"
    assert items[credit.number]["state"] == "issued"


def test_the_list_filters_as_the_search_and_refuses_more_than_twelve_months(world: Any, alice_client: Any) -> None:
    other = SiteFactory(member=world.member_a)
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 5, 1))
    second = make_invoice(member=world.member_a, sites=[other], accounting_date=dt.date(2025, 6, 1))

    by_site = alice_client.get(LIST, {"first": "2025-01", "last": "2025-12", "site": other.pk}).json()
    assert [item["number"] for item in by_site["results"]] == [second.number]

    too_long = alice_client.get(LIST, {"first": "2024-01", "last": "2025-12"})
    assert too_long.status_code == 400
    assert "La période de recherche est limitée à 12 mois" in too_long.json()["last"][0]


def test_one_invoice_gives_its_recap_per_site_its_vat_and_its_lines(world: Any, alice_client: Any) -> None:
    second = SiteFactory(member=world.member_a)
    invoice = make_invoice(member=world.member_a, sites=[world.site_a, second], accounting_date=dt.date(2025, 6, 1))

    body = alice_client.get(_detail(invoice.pk)).json()

    assert body["number"] == invoice.number
    assert [site["site"] for site in body["sites"]] == [world.site_a.pk, second.pk]
    assert sum(Decimal(site["total_excl_vat"]) for site in body["sites"]) == invoice.total_excl_vat
    assert [vat["percent"] for vat in body["vat"]] == ["5.50", "20.00"]
    assert sum(Decimal(vat["amount"]) for vat in body["vat"]) == invoice.vat_total
    assert len(body["lines"]) == 16  # 8 lines per site
    assert sum(Decimal(line["amount"]) for line in body["lines"]) == invoice.total_excl_vat
    first_site = body["sites"][0]
    assert sum(Decimal(v["amount"]) for v in first_site["vat"]) == Decimal(first_site["vat_total"])


def test_another_members_invoice_is_not_found_and_the_coordinator_reads_it(
    world: Any, alice_client: Any, carol_client: Any
) -> None:
    foreign = make_invoice(member=world.member_b, sites=[world.site_b])

    assert alice_client.get(_detail(foreign.pk)).status_code == 404
    assert carol_client.get(_detail(foreign.pk)).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(world: Any, alice_client: Any, method: str) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a])

    assert getattr(alice_client, method)(LIST if method == "post" else _detail(invoice.pk)).status_code == 405


def test_the_list_takes_a_bounded_number_of_queries(world: Any, alice_client: Any, max_queries: Any) -> None:
    sites = [SiteFactory(member=world.member_a) for _ in range(4)]
    for month in range(1, 13):
        for site in sites:
            make_invoice(member=world.member_a, sites=[site], accounting_date=dt.date(2025, month, 1))

    with max_queries(8):  # domain, session, user, count, page (+ session save)
        response = alice_client.get(LIST, {"first": "2025-01", "last": "2025-12"})

    assert response.json()["count"] == 48
