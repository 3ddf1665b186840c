"""The invoice_preview JSON document ⇄ the engine's input and output.

Input (every number a decimal string, periods inclusive ``[first day, last day]``)::

    {"site": {"fluid": "elec", "segment": "C5", "tariff_formula": "BTINFCUST", "tariff_option": "BASE",
              "subscribed_power_kva": "6", "insee_code": "14118"},
     "issue_date": "2026-03-01",
     "consumption_period": ["2026-01-01", "2026-02-28"],
     "fixed_period": ["2026-03-01", "2026-04-30"],
     "indexes": {"BASE": ["10250", "11890"]},
     "prices": {"energy": {"BASE": "0.0990"}, "capacity": {"BASE": "0.0052"},
                "cee": [{"code": "CEE_CLASSIC", "coefficient": "0.48", "unit_price": "0.0085"}]},
     "rates": {}}

Optional: ``site.meter_communicating`` (true), ``site.subscribed_powers_kva`` (C4: {HPH, HCH,
HPE, HCE}), ``site.daily_capacity_mwh`` (gas T4: the subscribed daily capacity),
``fixed_period`` (omitted: in arrears over the consumption period), ``energy_kwh`` {post: kWh}
instead of ``indexes``, ``gas`` {``volume_m3``, ``conversion_coefficient``} for a gas site,
``daily_kwh`` {date: {post: kWh}} (the real split of the energy), ``prices.energy_by_year`` /
``prices.capacity_by_year`` {"YYYY": {post: €/kWh}} (prices per delivery year), ``rates`` (empty or omitted:
the shipped grids; else it replaces them, see `RateBook.from_override`).

Every error names the field at fault (`DocumentError.field`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from invoicing.engine.rates import RateBook, RateOverrideError
from invoicing.engine.types import CeePrice, ContractPrices, GasQuantity, InvoiceInput, InvoiceResult, Period, SiteInput

POSTS = ("BASE", "HP", "HC", "HPH", "HCH", "HPE", "HCE")
TOP_LEVEL = {
    "site", "issue_date", "consumption_period", "fixed_period", "indexes", "energy_kwh", "gas", "daily_kwh",
    "prices", "rates",
}  # fmt: skip
SITE_KEYS = {
    "fluid", "segment", "tariff_formula", "tariff_option", "subscribed_power_kva", "subscribed_powers_kva",
    "insee_code", "meter_communicating", "daily_capacity_mwh",
}  # fmt: skip


class DocumentError(ValueError):
    """A bad invoice_preview document; the message starts with the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DocumentError(field, "must be an object")
    return value


def _decimal(value: Any, field: str, *, positive: bool = True) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DocumentError(field, 'must be a decimal number written as a string, e.g. "12.5"')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise DocumentError(field, f"« {value} » is not a decimal number (dot as separator)") from None
    if not number.is_finite():
        raise DocumentError(field, f"« {value} » is not a decimal number")
    if positive and number < 0:
        raise DocumentError(field, "must not be negative")
    return number


def _date(value: Any, field: str) -> dt.date:
    if not isinstance(value, str):
        raise DocumentError(field, 'must be a date written "YYYY-MM-DD"')
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DocumentError(field, f"« {value} » is not a date YYYY-MM-DD") from None


def _period(value: Any, field: str) -> Period:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise DocumentError(field, 'must be ["first day", "last day"] (inclusive)')
    first = _date(value[0], f"{field}[0]")
    last = _date(value[1], f"{field}[1]")
    if last < first:
        raise DocumentError(field, "the end date precedes the start date")
    return Period(first, last)


def _text(value: Any, field: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DocumentError(field, "must be a non-empty string" if required else "must be a string")
    return value.strip()


def _post(post: Any, field: str) -> str:
    if post not in POSTS:
        raise DocumentError(f"{field}.{post}", f"unknown post (one of {', '.join(POSTS)})")
    return str(post)


def _per_post(value: Any, field: str) -> dict[str, Decimal]:
    return {_post(post, field): _decimal(number, f"{field}.{post}") for post, number in _object(value, field).items()}


def _site(value: Any) -> SiteInput:
    data = _object(value, "site")
    unknown = set(data) - SITE_KEYS
    if unknown:
        raise DocumentError(f"site.{sorted(unknown)[0]}", "unknown key")
    fluid = _text(data.get("fluid"), "site.fluid")
    if fluid not in {"elec", "gas"}:
        raise DocumentError("site.fluid", 'must be "elec" or "gas"')
    segment = _text(data.get("segment"), "site.segment")
    formula = _text(data.get("tariff_formula"), "site.tariff_formula")
    option = _text(data.get("tariff_option", "GAS" if fluid == "gas" else None), "site.tariff_option")
    power: Decimal | None = None
    powers: dict[str, Decimal] = {}
    if "subscribed_powers_kva" in data:
        powers = _per_post(data["subscribed_powers_kva"], "site.subscribed_powers_kva")
    if data.get("subscribed_power_kva") is not None:
        power = _decimal(data["subscribed_power_kva"], "site.subscribed_power_kva")
        if power <= 0:
            raise DocumentError("site.subscribed_power_kva", "must be greater than zero")
    if fluid == "elec" and power is None and not powers:
        raise DocumentError("site.subscribed_power_kva", "an electricity site needs its subscribed power (kVA)")
    capacity: Decimal | None = None
    if data.get("daily_capacity_mwh") is not None:
        if fluid != "gas":
            raise DocumentError("site.daily_capacity_mwh", "only for a gas site (T4)")
        capacity = _decimal(data["daily_capacity_mwh"], "site.daily_capacity_mwh")
    communicating = data.get("meter_communicating", True)
    if not isinstance(communicating, bool):
        raise DocumentError("site.meter_communicating", "must be true or false")
    return SiteInput(
        fluid=fluid,
        segment=segment,
        tariff_formula=formula,
        tariff_option=option,
        subscribed_power_kva=power,
        subscribed_powers_kva=powers,
        insee_code=_text(data.get("insee_code"), "site.insee_code", required=False),
        meter_communicating=communicating,
        daily_capacity_mwh=capacity,
    )


def _prices(value: Any) -> ContractPrices:
    data = _object(value, "prices")
    unknown = set(data) - {"energy", "capacity", "cee", "energy_by_year", "capacity_by_year"}
    if unknown:
        raise DocumentError(f"prices.{sorted(unknown)[0]}", "unknown key")
    if "energy" not in data:
        raise DocumentError("prices.energy", "the energy price per post is required")
    cee_items = data.get("cee", [])
    if not isinstance(cee_items, list):
        raise DocumentError("prices.cee", "must be a list")
    cee = []
    for index, item in enumerate(cee_items):
        field = f"prices.cee[{index}]"
        entry = _object(item, field)
        code = _text(entry.get("code"), f"{field}.code")
        if not code.replace("_", "").isalnum() or code.upper() != code:
            raise DocumentError(f"{field}.code", "a code is written in capitals (CEE_CLASSIC, CEE_PRECARITY…)")
        cee.append(
            CeePrice(
                code=code,
                coefficient=_decimal(entry.get("coefficient"), f"{field}.coefficient"),
                unit_price=_decimal(entry.get("unit_price"), f"{field}.unit_price"),
            )
        )
    return ContractPrices(
        energy=_per_post(data["energy"], "prices.energy"),
        capacity=_per_post(data.get("capacity", {}), "prices.capacity"),
        cee=tuple(cee),
        energy_by_year=_by_year(data.get("energy_by_year", {}), "prices.energy_by_year"),
        capacity_by_year=_by_year(data.get("capacity_by_year", {}), "prices.capacity_by_year"),
    )


def _by_year(value: Any, field: str) -> dict[int, dict[str, Decimal]]:
    """Prices per delivery year: {"2027": {post: €/kWh}}."""
    years = {}
    for year, posts in _object(value, field).items():
        if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
            raise DocumentError(f"{field}.{year}", "a delivery year is written YYYY")
        years[int(year)] = _per_post(posts, f"{field}.{year}")
    return years


def _indexes(value: Any) -> dict[str, Decimal]:
    energy = {}
    for post, pair in _object(value, "indexes").items():
        field = f"indexes.{_post(post, 'indexes')}"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise DocumentError(field, 'must be ["start index", "end index"] in kWh')
        start = _decimal(pair[0], f"{field}[0]")
        end = _decimal(pair[1], f"{field}[1]")
        if end < start:
            raise DocumentError(field, "the end index is lower than the start index")
        energy[post] = end - start
    return energy


def _daily(value: Any, period: Period) -> dict[dt.date, dict[str, Decimal]]:
    daily = {}
    for day_text, posts in _object(value, "daily_kwh").items():
        day = _date(day_text, f"daily_kwh.{day_text}")
        if not period.first <= day <= period.last:
            raise DocumentError(f"daily_kwh.{day_text}", "outside the consumption period")
        daily[day] = _per_post(posts, f"daily_kwh.{day_text}")
    return daily


def parse_document(document: Any) -> InvoiceInput:
    """The engine's input from an invoice_preview document; `DocumentError` names the bad field."""
    data = _object(document, "document")
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise DocumentError(sorted(unknown)[0], "unknown key")
    if "site" not in data:
        raise DocumentError("site", "is required")
    site = _site(data["site"])
    if "issue_date" not in data:
        raise DocumentError("issue_date", "is required")
    issue_date = _date(data["issue_date"], "issue_date")
    if "consumption_period" not in data:
        raise DocumentError("consumption_period", "is required")
    consumption = _period(data["consumption_period"], "consumption_period")
    fixed = _period(data["fixed_period"], "fixed_period") if data.get("fixed_period") is not None else None
    if "prices" not in data:
        raise DocumentError("prices", "is required")
    prices = _prices(data["prices"])
    energy: dict[str, Decimal] = {}
    gas: GasQuantity | None = None
    if site.fluid == "gas":
        if "indexes" in data or "energy_kwh" in data:
            raise DocumentError("gas", 'a gas site gives "gas": {"volume_m3", "conversion_coefficient"}, not kWh')
        if "gas" not in data:
            raise DocumentError("gas", 'a gas site needs "gas": {"volume_m3", "conversion_coefficient"}')
        quantity = _object(data["gas"], "gas")
        unknown = set(quantity) - {"volume_m3", "conversion_coefficient"}
        if unknown:
            raise DocumentError(f"gas.{sorted(unknown)[0]}", "unknown key")
        gas = GasQuantity(
            volume_m3=_decimal(quantity.get("volume_m3"), "gas.volume_m3"),
            conversion_coefficient=_decimal(quantity.get("conversion_coefficient"), "gas.conversion_coefficient"),
        )
    else:
        if "gas" in data:
            raise DocumentError("gas", "only for a gas site")
        if ("indexes" in data) == ("energy_kwh" in data):
            raise DocumentError("indexes", 'give either "indexes" {post: [start, end]} or "energy_kwh" {post: kWh}')
        energy = _indexes(data["indexes"]) if "indexes" in data else _per_post(data["energy_kwh"], "energy_kwh")
        if not energy:
            raise DocumentError("indexes" if "indexes" in data else "energy_kwh", "at least one post is needed")
        for post in energy:
            if post not in prices.energy and not prices.energy_by_year:
                raise DocumentError(f"prices.energy.{post}", f"no energy price for the post {post}")
    daily = _daily(data["daily_kwh"], consumption) if data.get("daily_kwh") else None
    rates = data.get("rates")
    book: RateBook | None = None
    if rates:
        try:
            book = RateBook.from_override(rates)
        except RateOverrideError as error:
            raise DocumentError(error.field, str(error).split(": ", 1)[1]) from None
    elif rates is not None and not isinstance(rates, Mapping):
        raise DocumentError("rates", "must be an object")
    return InvoiceInput(
        site=site,
        issue_date=issue_date,
        consumption_period=consumption,
        prices=prices,
        fixed_period=fixed,
        energy_kwh=energy,
        gas=gas,
        daily_kwh=daily,
        rates=book,
    )


def _number(value: Decimal) -> str:
    return format(value, "f")


def result_to_json(result: InvoiceResult) -> dict[str, Any]:
    """The invoice as JSON-ready data, every number a decimal string (the output contract)."""
    totals = result.totals
    return {
        "lines": [
            {
                "code": line.code,
                "family": line.family,
                "label": line.label,
                "start": line.start.isoformat(),
                "end": line.end.isoformat(),
                "quantity": _number(line.quantity),
                "unit": line.unit,
                "unit_price": _number(line.unit_price),
                "amount": _number(line.amount),
                "vat_percent": _number(line.vat_percent),
            }
            for line in result.lines
        ],
        "totals": {
            "energy": _number(totals.energy),
            "network": _number(totals.network),
            "taxes": _number(totals.taxes),
            "excl_vat": _number(totals.excl_vat),
            "vat": [
                {"percent": _number(item.percent), "base": _number(item.base), "amount": _number(item.amount)}
                for item in totals.vat
            ],
            "vat_total": _number(totals.vat_total),
            "incl_vat": _number(totals.incl_vat),
        },
    }
