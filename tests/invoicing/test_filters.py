"""The invoice search's filters (one FilterSet for the page, the API and the export)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import QueryDict

from invoicing.filtersets import InvoiceFilterSet, default_period
from invoicing.selectors import invoices_for
from tests.factories import SiteFactory
from tests.invoicing.factories import make_credit_note, make_invoice, perimeter_for

TOO_LONG = "La période de recherche est limitée à 12 mois"


def _search(user: Any, query: str) -> InvoiceFilterSet:
    return InvoiceFilterSet(QueryDict(query), queryset=invoices_for(user))


@pytest.mark.parametrize(
    ("query", "first", "last"),
    [
        ("first=2025-01&last=2025-12", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("first=2025-01-15&last=2026-01-14", dt.date(2025, 1, 15), dt.date(2026, 1, 14)),
        ("first=2024-02&last=2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("first=2025-03", dt.date(2025, 3, 1), dt.date(2026, 2, 28)),
        ("first=2025-03-10", dt.date(2025, 3, 10), dt.date(2026, 3, 9)),
        # The ends of the calendar: no error (a 500) computing the other end of the period.
        ("last=0001-01-01", dt.date(1, 1, 1), dt.date(1, 1, 1)),
        ("first=9999-12", dt.date(9999, 12, 1), dt.date(9999, 12, 31)),
        ("last=2025-12", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_months_and_days_give_the_period_searched(world: Any, query: str, first: dt.date, last: dt.date) -> None:
    search = _search(world.alice, query)

    assert search.is_valid(), search.errors
    assert search.period == (first, last)


def test_without_dates_the_search_covers_the_last_twelve_months(world: Any) -> None:
    search = _search(world.alice, "")

    assert search.is_valid()
    first, last = search.period
    assert (first, last) == default_period()
    assert first.day == 1
    assert (last.year - first.year) * 12 + last.month - first.month == 11


@pytest.mark.parametrize("query", ["first=2025-01&last=2026-01", "first=2025-01-15&last=2026-01-15", "first=2024-01"])
def test_more_than_twelve_months_is_refused_with_a_clear_message(world: Any, query: str) -> None:
    if query == "first=2024-01":
        query += "&last=2025-06"
    search = _search(world.alice, query)

    assert not search.is_valid()
    assert TOO_LONG in " ".join(search.errors["last"])


def test_a_bad_date_or_an_end_before_the_start_is_refused_in_french(world: Any) -> None:
    bad = _search(world.alice, "first=janvier")
    assert not bad.is_valid()
    assert bad.errors["first"] == ["Indiquez un mois (AAAA-MM) ou une date (AAAA-MM-JJ)."]

    reversed_period = _search(world.alice, "first=2025-06&last=2025-01")
    assert not reversed_period.is_valid()
    assert reversed_period.errors["last"] == ["La fin de la période précède son début."]


def test_the_filters_narrow_by_period_perimeter_site_kind_and_state(world: Any) -> None:
    other_site = SiteFactory(member=world.member_a)
    north = perimeter_for(world.member_a, "Nord")
    south = perimeter_for(world.member_a, "Sud")
    january = make_invoice(
        member=world.member_a, sites=[world.site_a], perimeter=north, accounting_date=dt.date(2025, 1, 5)
    )
    march = make_invoice(
        member=world.member_a, sites=[other_site], perimeter=south, accounting_date=dt.date(2025, 3, 1)
    )
    credit = make_credit_note(january, accounting_date=dt.date(2025, 3, 10))
    make_invoice(member=world.member_a, sites=[world.site_a], perimeter=north, accounting_date=dt.date(2024, 12, 31))

    def numbers(query: str) -> set[str]:
        search = _search(world.alice, "first=2025-01&last=2025-12&" + query)
        assert search.is_valid(), search.errors
        return {i.number for i in search.qs}

    assert numbers("") == {january.number, march.number, credit.number}
    assert numbers(f"perimeter={north.pk}") == {january.number, credit.number}
    assert numbers(f"site={other_site.pk}") == {march.number}
    assert numbers("kind=credit_note") == {credit.number}
    assert numbers("kind=invoice") == {january.number, march.number}
    assert numbers("state=cancelled") == {january.number}
    assert numbers("state=issued") == {march.number, credit.number}
    assert numbers("first=2025-03-05&last=2025-03-31") == {credit.number}
