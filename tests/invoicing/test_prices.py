"""Contract prices per lot: versioned by date, validated all at once, read for a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing.models import ContractPriceSet
from invoicing.prices import LotTerms, PriceBook, price_set_create
from perimeter.models import Lot
from tests.factories import LotFactory

pytestmark = pytest.mark.usefixtures("alpha")


def _create(lot: Lot, valid_from: dt.date, energy: str) -> ContractPriceSet:
    prices = [
        {"component": "energy", "post": "BASE", "unit_price": energy},
        {"component": "capacity", "post": "BASE", "unit_price": "0.0052"},
        {"component": "CEE_CLASSIC", "post": "BASE", "unit_price": "0.0085", "coefficient": "0.48"},
    ]
    return price_set_create(
        lot=lot, valid_from=valid_from, fixed_billing="advance", payment_delay_days=30, prices=prices
    )


def _terms(book: PriceBook, lot: Lot, day: dt.date) -> LotTerms:
    terms = book.terms(lot.pk, day)
    assert terms is not None
    return terms


def test_the_set_in_force_on_a_day_gives_its_prices() -> None:
    lot = LotFactory()
    _create(lot, dt.date(2025, 1, 1), "0.1100")
    _create(lot, dt.date(2026, 1, 1), "0.0990")
    book = PriceBook.load()
    assert book.terms(lot.pk, dt.date(2024, 12, 31)) is None
    assert _terms(book, lot, dt.date(2025, 12, 31)).prices.energy == {"BASE": Decimal("0.1100")}
    terms = _terms(book, lot, dt.date(2026, 3, 1))
    assert terms.prices.energy == {"BASE": Decimal("0.0990")}
    assert terms.prices.capacity == {"BASE": Decimal("0.0052")}
    assert [(c.code, c.coefficient) for c in terms.prices.cee] == [("CEE_CLASSIC", Decimal("0.4800"))]


def test_energy_follows_the_delivery_year() -> None:
    lot = LotFactory()
    price_set_create(
        lot=lot,
        valid_from=dt.date(2025, 1, 1),
        fixed_billing="arrears",
        payment_delay_days=45,
        prices=[
            {"component": "energy", "post": "BASE", "delivery_year": 2025, "unit_price": "0.12"},
            {"component": "energy", "post": "BASE", "delivery_year": 2026, "unit_price": "0.10"},
        ],
    )
    book = PriceBook.load()
    assert _terms(book, lot, dt.date(2025, 6, 1)).prices.energy["BASE"] == Decimal("0.12")
    terms = _terms(book, lot, dt.date(2026, 6, 1))
    assert (terms.prices.energy["BASE"], terms.fixed_billing, terms.payment_delay_days) == (
        Decimal("0.10"),
        "arrears",
        45,
    )


def test_bad_prices_are_all_reported_and_nothing_is_written() -> None:
    lot = LotFactory()
    with pytest.raises(ValidationError) as error:
        price_set_create(
            lot=lot,
            valid_from=dt.date(2026, 1, 1),
            fixed_billing="someday",
            payment_delay_days=90,
            prices=[
                {"component": "energy", "post": "XX", "unit_price": "0.1"},
                {"component": "CEE_CLASSIC", "post": "BASE", "unit_price": "-1", "coefficient": "abc"},
            ],
        )
    assert len(error.value.messages) == 6
    assert not ContractPriceSet.objects.filter(lot=lot).exists()
