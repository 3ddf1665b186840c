"""Every rounding rule of the billing engine, in one place (written down in docs/billing.md).

- A line's amount is its quantity × unit price rounded to the cent, half up (away from zero),
  **per line**; totals are sums of rounded lines.
- VAT is computed per rate on the sum of the amounts of its lines (its base), rounded to the
  cent half up; the invoice's VAT total is the sum of the per-rate amounts (EN 16931 BR-CO-14).
- Unit prices from the grids and the contract are kept at their own precision (a rate of
  44.94 €/MWh becomes exactly 0.04494 €/kWh). A yearly (or two-monthly) value billed by the
  day becomes a daily price: the yearly value / 365, rounded half up to `DAILY_PRICE_PLACES`
  decimals; the line shows days (or kVA·days) × that daily price.
- A quantity of energy split between sub-periods (a rate change inside the consumption period)
  is prorated by days, or by the real daily figures when given, with cumulative rounding to the
  precision of the total (whole kWh for a whole total): the parts are never negative and always
  sum exactly to the total.
- The CEE quantity is energy × coefficient rounded to the whole kWh; gas energy is volume ×
  conversion coefficient rounded to the whole kWh.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
KWH = Decimal(1)
DAYS_PER_YEAR = 365
DAILY_PRICE_PLACES = 6
_DAILY_QUANTUM = Decimal(1).scaleb(-DAILY_PRICE_PLACES)


def money(value: Decimal) -> Decimal:
    """An amount rounded to the cent, half up (away from zero for negative amounts)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """The amount of one invoice line: quantity × unit price, rounded to the cent."""
    return money(quantity * unit_price)


def vat_amount(base: Decimal, percent: Decimal) -> Decimal:
    """The VAT of one rate: the sum of its base × the rate, rounded once to the cent."""
    return money(base * percent / 100)


def daily_price(per_year: Decimal) -> Decimal:
    """A yearly value billed by the day: value / 365, kept at `DAILY_PRICE_PLACES` decimals."""
    return (per_year / DAYS_PER_YEAR).quantize(_DAILY_QUANTUM, rounding=ROUND_HALF_UP)


def whole_kwh(value: Decimal) -> Decimal:
    """A quantity of energy rounded to the whole kWh, half up (CEE quantity, gas energy)."""
    return value.quantize(KWH, rounding=ROUND_HALF_UP)


def _quantum_of(total: Decimal) -> Decimal:
    exponent = total.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(min(exponent, 0))


def prorate(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split `total` in parts proportional to `weights` (days or real daily energy).

    Cumulative rounding to the precision of `total` (whole units for a whole total): part i is
    round(total × W_i / W) − round(total × W_{i−1} / W), where W_i is the sum of the first i
    weights; the parts have the sign of the total and sum exactly to it. All-zero weights
    split by equal parts.
    """
    if not weights:
        return []
    if len(weights) == 1:
        if weights[0] < 0:
            raise ValueError("prorate: negative weight")
        return [total]
    values = [Decimal(w) for w in weights]
    if any(w < 0 for w in values):
        raise ValueError("prorate: negative weight")
    whole = sum(values, Decimal(0))
    if whole == 0:
        values = [Decimal(1)] * len(values)
        whole = Decimal(len(values))
    quantum = _quantum_of(total)
    parts: list[Decimal] = []
    cumulated = Decimal(0)
    previous = Decimal(0).quantize(quantum)
    for index, weight in enumerate(values):
        cumulated += weight
        if index == len(values) - 1:
            current = total
        else:
            current = (total * cumulated / whole).quantize(quantum, rounding=ROUND_HALF_UP)
        parts.append(current - previous)
        previous = current
    return parts
