"""Builders shared by the engine's tests (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from invoicing.engine.types import CeePrice, ContractPrices, GasQuantity, InvoiceInput, InvoiceResult, Period, SiteInput


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def period(first: str, last: str) -> Period:
    return Period(d(first), d(last))


def elec(
    formula: str = "BTINFCUST",
    option: str = "BASE",
    kva: str = "6",
    *,
    segment: str = "C5",
    insee: str = "14118",
    communicating: bool = True,
    powers: dict[str, str] | None = None,
) -> SiteInput:
    return SiteInput(
        fluid="elec",
        segment=segment,
        tariff_formula=formula,
        tariff_option=option,
        subscribed_power_kva=Decimal(kva) if kva else None,
        subscribed_powers_kva={post: Decimal(v) for post, v in (powers or {}).items()},
        insee_code=insee,
        meter_communicating=communicating,
    )


def gas_site(option: str = "T2") -> SiteInput:
    return SiteInput(fluid="gas", segment=option, tariff_formula=option, tariff_option="GAS", insee_code="14118")


def prices(
    energy: dict[str, str],
    capacity: dict[str, str] | None = None,
    cee: tuple[tuple[str, str, str], ...] = (),
) -> ContractPrices:
    return ContractPrices(
        energy={post: Decimal(v) for post, v in energy.items()},
        capacity={post: Decimal(v) for post, v in (capacity or {}).items()},
        cee=tuple(CeePrice(code, Decimal(coef), Decimal(price)) for code, coef, price in cee),
    )


def invoice(
    site: SiteInput,
    consumption: Period,
    price: ContractPrices,
    *,
    kwh: dict[str, str] | None = None,
    gas: tuple[str, str] | None = None,
    fixed: Period | None = None,
    daily: dict[dt.date, dict[str, Decimal]] | None = None,
    energy_by_year: dict[int, dict[str, Decimal]] | None = None,
) -> InvoiceInput:
    return InvoiceInput(
        site=site,
        issue_date=consumption.last + dt.timedelta(days=1),
        consumption_period=consumption,
        prices=replace(price, energy_by_year=energy_by_year) if energy_by_year else price,
        fixed_period=fixed,
        energy_kwh={post: Decimal(v) for post, v in (kwh or {}).items()},
        gas=GasQuantity(Decimal(gas[0]), Decimal(gas[1])) if gas else None,
        daily_kwh=daily,
    )


def rows(result: InvoiceResult) -> list[tuple[str, str, str, str, str, str, str]]:
    """Each line as (code, start, end, quantity, unit price, amount, VAT %) strings."""
    return [
        (
            line.code,
            line.start.isoformat(),
            line.end.isoformat(),
            format(line.quantity, "f"),
            format(line.unit_price, "f"),
            format(line.amount, "f"),
            format(line.vat_percent, "f"),
        )
        for line in result.lines
    ]
