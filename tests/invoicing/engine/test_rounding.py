"""The rounding rules (invoicing/engine/rounding.py), as an auditor would check them."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.engine.rounding import daily_price, line_amount, money, prorate, vat_amount, whole_kwh

D = Decimal


def test_amounts_round_half_up_to_the_cent_away_from_zero() -> None:
    assert money(D("4.025")) == D("4.03")  # not banker's rounding (4.02)
    assert money(D("4.0249")) == D("4.02")
    assert money(D("-4.025")) == D("-4.03")
    assert line_amount(D("115"), D("0.0350")) == D("4.03")


def test_vat_is_rounded_once_on_the_sum_of_its_base() -> None:
    # Three lines of 0.05 € at 5.5 %: per line 0.00275 → 0.00 each; on the base 0.15 → 0.00825 → 0.01.
    assert vat_amount(D("0.15"), D("5.5")) == D("0.01")
    assert vat_amount(D("281.51"), D("20")) == D("56.30")


def test_daily_prices_keep_six_decimals() -> None:
    assert daily_price(D("16.80")) == D("0.046027")
    assert daily_price(D("38.88")) == D("0.106521")  # 6.48 € per two months × 6
    assert daily_price(D("365")) == D("1.000000")


def test_cee_and_gas_quantities_are_whole_kwh_half_up() -> None:
    assert whole_kwh(D("787.2")) == D(787)
    assert whole_kwh(D("787.5")) == D(788)
    assert whole_kwh(D("11210.0")) == D(11210)


def test_prorate_by_days_keeps_the_total_and_its_precision() -> None:
    assert prorate(D(1640), [31, 28]) == [D(862), D(778)]
    assert prorate(D("10.5"), [1, 1]) == [D("5.3"), D("5.2")]  # one decimal, like the total
    assert prorate(D(0), [3, 4]) == [D(0), D(0)]
    assert prorate(D(7), [0, 0]) == [D(4), D(3)]  # no weight: equal parts
    assert prorate(D(5), []) == []


@settings(max_examples=300, deadline=None)
@given(
    total=st.decimals(min_value=-(10**7), max_value=10**7, places=3, allow_nan=False, allow_infinity=False),
    weights=st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=8),
)
def test_prorated_parts_always_sum_to_the_total_and_never_change_sign(total: Decimal, weights: list[int]) -> None:
    parts = prorate(total, weights)
    assert sum(parts, D(0)) == total
    assert len(parts) == len(weights)
    assert all(part * total >= 0 for part in parts)
