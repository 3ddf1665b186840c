"""The engine's input and output, as plain frozen dataclasses (no ORM).

`invoice_preview` builds an `InvoiceInput` from a JSON document; a billing run builds it
from the database. Both call `invoicing.engine.compute.compute_invoice`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Period:
    """An inclusive range of days [first, last]."""

    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class SiteInput:
    fluid: str  # "elec" | "gas"
    segment: str  # C5, C4, T1…T4
    tariff_formula: str  # BTINFCUST…, BTSUPCU, BTSUPLU; gas: T1…T4
    tariff_option: str  # BASE, HPHC, 4P, GAS
    subscribed_power_kva: Decimal | None = None
    # C4: the four subscribed powers by post (HPH ≤ HCH ≤ HPE ≤ HCE), else empty.
    subscribed_powers_kva: dict[str, Decimal] = field(default_factory=dict)
    insee_code: str = ""
    meter_communicating: bool = True
    # Gas T4: the subscribed daily capacity (MWh/day), billed with ATRD's capacity term.
    daily_capacity_mwh: Decimal | None = None


@dataclass(frozen=True)
class CeePrice:
    code: str  # e.g. CEE_CLASSIC, CEE_PRECARITY
    coefficient: Decimal
    unit_price: Decimal  # €/kWh of CEE quantity


@dataclass(frozen=True)
class ContractPrices:
    energy: dict[str, Decimal]  # post → €/kWh
    capacity: dict[str, Decimal] = field(default_factory=dict)  # post → €/kWh
    cee: tuple[CeePrice, ...] = ()
    # Prices per delivery year (year → post → €/kWh), over `energy` / `capacity` for the days of
    # that year: a period across 1 January is split there when the price changes.
    energy_by_year: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    capacity_by_year: dict[int, dict[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True)
class GasQuantity:
    volume_m3: Decimal
    conversion_coefficient: Decimal  # kWh per m³


@dataclass(frozen=True)
class InvoiceInput:
    site: SiteInput
    issue_date: dt.date
    consumption_period: Period
    prices: ContractPrices
    fixed_period: Period | None = None  # None: fixed parts billed in arrears over consumption_period
    energy_kwh: dict[str, Decimal] = field(default_factory=dict)  # post → kWh (electricity)
    gas: GasQuantity | None = None
    # Optional real split of the energy by day (date → post → kWh); when given, a rate change
    # inside the period splits the energy by these figures instead of prorating by days.
    daily_kwh: dict[dt.date, dict[str, Decimal]] | None = None
    rates: object | None = None  # a RateBook (invoicing.engine.rates) replacing the shipped grids


@dataclass(frozen=True)
class Line:
    code: str  # ENERGY_<POST>, CAPACITY_<POST>, CEE codes, NETWORK_*, CTA, EXCISE or given tax codes
    family: str  # energy | network | taxes
    label: str
    start: dt.date
    end: dt.date
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_percent: Decimal


@dataclass(frozen=True)
class VatTotal:
    percent: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    energy: Decimal
    network: Decimal
    taxes: Decimal
    excl_vat: Decimal
    vat: tuple[VatTotal, ...]
    vat_total: Decimal
    incl_vat: Decimal


@dataclass(frozen=True)
class InvoiceResult:
    lines: tuple[Line, ...]
    totals: Totals
