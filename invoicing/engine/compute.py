"""The billing engine: (site, periods, quantities, contract prices, rates) → invoice lines and totals.

Pure functions, no database: a billing run and `manage.py invoice_preview` both call
`compute_invoice`. The components, their formulas and the rounding rules are written down in
docs/billing.md; every rounding is in `invoicing.engine.rounding`.

Lines, in this order:

- energy: ``ENERGY_<POST>`` (kWh × contract price), ``CAPACITY_<POST>``, the CEE codes as given
  (kWh × coefficient, whole kWh, × price);
- network: ``NETWORK_VARIABLE_<POST>`` (kWh × TURPE c or ATRD €/kWh), ``NETWORK_MANAGEMENT``
  and ``NETWORK_METERING`` (days × yearly/365), ``NETWORK_FIXED`` (kVA·days × b/365; C4: one
  line per step of the four powers; gas: days × ATRD subscription/365),
  ``NETWORK_METER_NON_COMMUNICATING`` (C5 without a communicating meter, from 1 Aug 2025);
- taxes: ``CTA`` (percent of the fixed network lines of the same days; gas: plus the CTA on the
  transport share), ``EXCISE`` (from 2023; gas: always) or ``CSPE`` / ``TCCFE`` / ``TDCFE``
  (before 2023), or the tax codes of a rates override.

Consumption-based lines are split at every change of their rate (or of their VAT rate) inside
the consumption period, the kWh prorated by days or by the real daily figures; the fixed
network lines and their CTA are split together at every change of any of their rates or of
the VAT on them (so that each CTA line's base is the sum of the fixed lines of the same days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from invoicing.engine.rates import MissingRate, RateBook, Spec, split
from invoicing.engine.rounding import daily_price, line_amount, money, prorate, vat_amount, whole_kwh
from invoicing.engine.types import InvoiceInput, InvoiceResult, Line, Period, Totals, VatTotal
from invoicing.grids.fileformat import RateRow

POST_ORDER = ("BASE", "HP", "HC", "HPH", "HCH", "HPE", "HCE")
C4_POSTS = ("HPH", "HCH", "HPE", "HCE")
POST_LABELS = {
    "BASE": "base",
    "HP": "heures pleines",
    "HC": "heures creuses",
    "HPH": "heures pleines hiver",
    "HCH": "heures creuses hiver",
    "HPE": "heures pleines été",
    "HCE": "heures creuses été",
}
UNIT_KWH = "kWh"
UNIT_DAY = "day"
UNIT_KVA_DAY = "kVA.day"
UNIT_EUR = "EUR"
UNIT_MWH_DAY = "MWh/d.day"  # a daily capacity (MWh per day) held for a number of days
# The day the local taxes were absorbed by the excise (before it: CSPE + TCCFE + TDCFE).
EXCISE_REFORM = dt.date(2023, 1, 1)
LOCAL_TAX_MAX_KVA = Decimal(250)
TAX_LABELS = {
    "EXCISE": "Accise sur l'électricité",
    "CSPE": "Contribution au service public de l'électricité (CSPE)",
    "TCCFE": "Taxe communale sur la consommation finale d'électricité (TCCFE)",
    "TDCFE": "Taxe départementale sur la consommation finale d'électricité (TDCFE)",
}
GAS_EXCISE_LABEL = "Accise sur le gaz naturel"
TICGN_LABEL = "Taxe intérieure de consommation sur le gaz naturel (TICGN)"
TICGN_END = dt.date(2021, 12, 31)
_ONE_DAY = dt.timedelta(days=1)


class InvoiceError(ValueError):
    """An input the engine cannot bill; `field` names the input field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


# --- the rate of a row, in the unit a line needs ---------------------------------------------


def per_kwh(row: RateRow) -> Decimal:
    if row.unit == "EUR_KWH":
        return row.value
    if row.unit == "EUR_MWH":
        return row.value / 1000
    raise InvoiceError("rates", f"{row.code} is in {row.unit}, a price per energy (EUR_KWH, EUR_MWH) is needed")


def per_year(row: RateRow) -> Decimal:
    if row.unit in {"EUR_YEAR", "EUR_KVA_YEAR", "EUR_MWH_DAY_YEAR"}:
        return row.value
    if row.unit == "EUR_2MONTHS":
        return row.value * 6
    raise InvoiceError("rates", f"{row.code} is in {row.unit}, a yearly price (EUR_YEAR, EUR_KVA_YEAR) is needed")


def percent(row: RateRow) -> Decimal:
    if row.unit != "PERCENT":
        raise InvoiceError("rates", f"{row.code} is in {row.unit}, a percentage is needed")
    return row.value


def _vat(row: RateRow) -> Decimal:
    return percent(row).quantize(Decimal("0.01"))


# --- periods cut at the changes of several rates ----------------------------------------------


def partition(
    book: RateBook, period: Period, specs: Sequence[Spec]
) -> Sequence[tuple[Period, tuple[RateRow | None, ...]]]:
    """The period cut at every change of any of the rates `specs` (see `RateBook.partition`)."""
    return book.partition(period, specs)


# --- the engine ----------------------------------------------------------------------------


class _Invoice:
    """One computation: the input, the book and helpers shared by the line builders."""

    def __init__(self, invoice: InvoiceInput, book: RateBook) -> None:
        self.invoice = invoice
        self.book = book
        self.site = invoice.site
        self.gas = invoice.site.fluid == "gas"
        self.consumption = invoice.consumption_period
        self.fixed = invoice.fixed_period or invoice.consumption_period
        self.energy = _energy(invoice)
        self.formula_scopes = [invoice.site.tariff_formula, invoice.site.segment, "*"]

    # weights of consumption sub-periods: days, or the real daily energy when given
    def weights(self, parts: Sequence[Period], posts: Iterable[str]) -> list[Decimal]:
        daily = self.invoice.daily_kwh
        days = [Decimal(part.days) for part in parts]
        if not daily or len(parts) < 2:
            return days
        wanted = tuple(posts)
        figures = []
        for part in parts:
            total = Decimal(0)
            day = part.first
            while day <= part.last:
                values = daily.get(day, {})
                total += sum((max(Decimal(0), values.get(post, Decimal(0))) for post in wanted), Decimal(0))
                day += _ONE_DAY
            figures.append(total)
        return figures if any(figures) else days

    def kwh_lines(
        self,
        *,
        code: str,
        family: str,
        label: str,
        kwh: Decimal,
        posts: Iterable[str],
        price: Decimal | Callable[[dt.date], Decimal] | None = None,
        spec: Spec | None = None,
        whole: bool = False,
    ) -> list[Line]:
        """Lines of kWh × price over the consumption period, split at changes of `spec` / VAT.

        `price`: a contract price (a function of the day when it is set per delivery year: the
        period is then also split at each 1 January where the price changes); None: the rate
        of `spec`.
        """
        specs: list[Spec] = [("VAT_STANDARD", ["*"], "*", True)]
        if spec is not None:
            specs.append(spec)
        pieces: list[tuple[Period, tuple[RateRow | None, ...], Decimal | None]] = []
        for part, rows in partition(self.book, self.consumption, specs):
            subs = split(part, _new_years(part)) if callable(price) else [part]
            for sub in subs:
                fixed = price(sub.first) if callable(price) else price
                last = pieces[-1] if pieces else None
                if last is not None and last[1] is rows and last[2] == fixed:
                    pieces[-1] = (Period(last[0].first, sub.last), rows, fixed)
                else:
                    pieces.append((sub, rows, fixed))
        shares = prorate(kwh, self.weights([piece[0] for piece in pieces], posts))
        lines = []
        for (part, rows, contract_price), share in zip(pieces, shares, strict=True):
            vat_row = rows[0]
            assert vat_row is not None
            unit_price = contract_price if contract_price is not None else per_kwh(_present(rows[1]))
            quantity = whole_kwh(share) if whole else share
            lines.append(
                Line(
                    code,
                    family,
                    label,
                    part.first,
                    part.last,
                    quantity,
                    UNIT_KWH,
                    unit_price,
                    line_amount(quantity, unit_price),
                    _vat(vat_row),
                )
            )
        return lines


def _present(row: RateRow | None) -> RateRow:
    assert row is not None
    return row


def _energy(invoice: InvoiceInput) -> dict[str, Decimal]:
    """kWh per post, in the usual post order (gas: volume × coefficient, whole kWh, post BASE)."""
    if invoice.site.fluid == "gas":
        if invoice.gas is None:
            raise InvoiceError("gas", "a gas site needs its volume (m³) and conversion coefficient")
        return {"BASE": whole_kwh(invoice.gas.volume_m3 * invoice.gas.conversion_coefficient)}
    unknown = set(invoice.energy_kwh) - set(POST_ORDER)
    if unknown:
        raise InvoiceError(f"energy_kwh.{sorted(unknown)[0]}", "unknown post")
    return {post: invoice.energy_kwh[post] for post in POST_ORDER if post in invoice.energy_kwh}


def _new_years(period: Period) -> list[dt.date]:
    return [dt.date(year, 1, 1) for year in range(period.first.year + 1, period.last.year + 1)]


def _contract_price(
    base: dict[str, Decimal], by_year: dict[int, dict[str, Decimal]], post: str, field: str
) -> Decimal | Callable[[dt.date], Decimal]:
    """The contract price of a post: one value, or a function of the day (prices per delivery year)."""
    if not by_year:
        if post not in base:
            raise InvoiceError(f"{field}.{post}", f"no price for the post {post}")
        return base[post]

    def on(day: dt.date) -> Decimal:
        year = by_year.get(day.year, {})
        if post in year:
            return year[post]
        if post in base:
            return base[post]
        raise InvoiceError(f"{field}_by_year.{day.year}.{post}", f"no price for the post {post} in {day.year}")

    return on


def _supply_lines(job: _Invoice) -> list[Line]:
    prices = job.invoice.prices
    lines: list[Line] = []
    for post, kwh in job.energy.items():
        lines += job.kwh_lines(
            code=f"ENERGY_{post}",
            family="energy",
            label=f"Énergie {POST_LABELS[post]}",
            kwh=kwh,
            posts=[post],
            price=_contract_price(prices.energy, prices.energy_by_year, post, "prices.energy"),
        )
    if prices.capacity or prices.capacity_by_year:
        for post, kwh in job.energy.items():
            lines += job.kwh_lines(
                code=f"CAPACITY_{post}",
                family="energy",
                label=f"Mécanisme de capacité – {POST_LABELS[post]}",
                kwh=kwh,
                posts=[post],
                price=_contract_price(prices.capacity, prices.capacity_by_year, post, "prices.capacity"),
            )
    total = sum(job.energy.values(), Decimal(0))
    for cee in prices.cee:
        quantity = whole_kwh(total * cee.coefficient)
        lines += job.kwh_lines(
            code=cee.code,
            family="energy",
            label=_cee_label(cee.code),
            kwh=quantity,
            posts=list(job.energy),
            price=cee.unit_price,
            whole=True,
        )
    return lines


def _cee_label(code: str) -> str:
    if "PREC" in code:
        return "Certificats d'économies d'énergie – précarité"
    if "CLASS" in code:
        return "Certificats d'économies d'énergie – classique"
    return f"Certificats d'économies d'énergie ({code})"


def _variable_network_lines(job: _Invoice) -> list[Line]:
    code = "ATRD_VARIABLE" if job.gas else "TURPE_CS_VARIABLE"
    lines: list[Line] = []
    for post, kwh in job.energy.items():
        label = (
            "Acheminement – terme proportionnel de distribution"
            if job.gas
            else f"Acheminement – composante de soutirage variable, {POST_LABELS[post]}"
        )
        lines += job.kwh_lines(
            code=f"NETWORK_VARIABLE_{post}",
            family="network",
            label=label,
            kwh=kwh,
            posts=[post],
            spec=(code, job.formula_scopes, post, True),
        )
    return lines


def _days_line(code: str, label: str, part: Period, row: RateRow, vat: Decimal) -> Line:
    unit_price = daily_price(per_year(row))
    quantity = Decimal(part.days)
    return Line(
        code,
        "network",
        label,
        part.first,
        part.last,
        quantity,
        UNIT_DAY,
        unit_price,
        line_amount(quantity, unit_price),
        vat,
    )


def _cta_line(label: str, part: Period, base: Decimal, row: RateRow, vat: Decimal) -> Line:
    unit_price = percent(row) / 100
    return Line(
        "CTA", "taxes", label, part.first, part.last, base, UNIT_EUR, unit_price, line_amount(base, unit_price), vat
    )


def _power(job: _Invoice) -> Decimal:
    site = job.site
    if site.subscribed_powers_kva:
        return max(site.subscribed_powers_kva.values())
    if site.subscribed_power_kva is None:
        raise InvoiceError("site.subscribed_power_kva", "an electricity site needs its subscribed power (kVA)")
    return site.subscribed_power_kva


def _c4_steps(job: _Invoice) -> list[tuple[str, Decimal, Decimal]]:
    """(post, power, step over the previous post's power) of the four powers of a C4 site."""
    powers = job.site.subscribed_powers_kva
    if not powers:
        flat = _power(job)
        powers = dict.fromkeys(C4_POSTS, flat)
    missing = [post for post in C4_POSTS if post not in powers]
    if missing:
        raise InvoiceError(
            f"site.subscribed_powers_kva.{missing[0]}", "a C4 site needs its four powers (HPH, HCH, HPE, HCE)"
        )
    steps = []
    previous = Decimal(0)
    for post in C4_POSTS:
        power = powers[post]
        if power < previous:
            raise InvoiceError("site.subscribed_powers_kva", "the powers must rise: HPH ≤ HCH ≤ HPE ≤ HCE")
        steps.append((post, power, power - previous))
        previous = power
    return steps


def _fixed_electricity_lines(job: _Invoice) -> tuple[list[Line], list[Line]]:
    site = job.site
    c4 = site.tariff_formula.startswith("BTSUP") or site.segment == "C4"
    segment = "C4" if c4 else site.segment or "C5"  # an HTA segment has no row: a missing rate names it
    power = _power(job)
    vat_scope = "ELEC_<=36" if power <= 36 else "ELEC_>36"
    cs_posts = C4_POSTS if c4 else ("*",)
    specs: list[Spec] = [
        ("VAT_FIXED", [vat_scope, "*"], "*", True),
        ("CTA", ["ELEC", "*"], "*", True),
        ("TURPE_CG", [segment, "*"], "*", True),
        ("TURPE_CC", [segment, "*"], "*", True),
        ("TURPE_CACNC", [segment, "*"], "*", False),
        *[("TURPE_CS_FIXED", job.formula_scopes, post, True) for post in cs_posts],
    ]
    steps = _c4_steps(job) if c4 else []
    network: list[Line] = []
    taxes: list[Line] = []
    for part, rows in partition(job.book, job.fixed, specs):
        vat_row, cta_row, cg, cc, cacnc, *cs_rows = rows
        vat = _vat(_present(vat_row))
        lines = [
            _days_line("NETWORK_MANAGEMENT", "Acheminement – composante de gestion", part, _present(cg), vat),
            _days_line("NETWORK_METERING", "Acheminement – composante de comptage", part, _present(cc), vat),
        ]
        if c4:
            for (post, level, step), row in zip(steps, cs_rows, strict=True):
                if step == 0:
                    continue
                unit_price = daily_price(per_year(_present(row)))
                quantity = step * part.days
                lines.append(
                    Line(
                        "NETWORK_FIXED",
                        "network",
                        _step_label(post, level, step),
                        part.first,
                        part.last,
                        quantity,
                        UNIT_KVA_DAY,
                        unit_price,
                        line_amount(quantity, unit_price),
                        vat,
                    )
                )
        else:
            unit_price = daily_price(per_year(_present(cs_rows[0])))
            quantity = power * part.days
            lines.append(
                Line(
                    "NETWORK_FIXED",
                    "network",
                    f"Acheminement – composante de soutirage fixe ({_kva(power)} kVA)",
                    part.first,
                    part.last,
                    quantity,
                    UNIT_KVA_DAY,
                    unit_price,
                    line_amount(quantity, unit_price),
                    vat,
                )
            )
        if not site.meter_communicating and cacnc is not None and not c4:
            lines.append(
                _days_line(
                    "NETWORK_METER_NON_COMMUNICATING",
                    "Acheminement – composante de comptage, compteur non communicant",
                    part,
                    cacnc,
                    vat,
                )
            )
        network += lines
        base = sum((line.amount for line in lines), Decimal(0))
        taxes.append(_cta_line("Contribution tarifaire d'acheminement", part, base, _present(cta_row), vat))
    return network, taxes


def _step_label(post: str, level: Decimal, step: Decimal) -> str:
    """The label of one step of a C4 site's fixed part (b_i × (P_i − P_i−1))."""
    if step == level:
        return f"Acheminement – composante de soutirage fixe, {POST_LABELS[post]} ({_kva(step)} kVA)"
    return (
        f"Acheminement – composante de soutirage fixe, {POST_LABELS[post]} "
        f"({_kva(step)} kVA au-delà de {_kva(level - step)} kVA)"
    )


def _kva(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _fixed_gas_lines(job: _Invoice) -> tuple[list[Line], list[Line]]:
    option = job.site.tariff_formula
    capacity = job.site.daily_capacity_mwh
    specs: list[Spec] = [
        ("VAT_FIXED", ["GAS", "*"], "*", True),
        ("CTA", ["GAS", "*"], "*", True),
        ("ATRD_FIXED", job.formula_scopes, "*", True),
        ("CTA_TRANSPORT", ["GAS", "*"], "*", False),
        ("ATRT_QUOTE_PART", job.formula_scopes, "*", False),
        ("ATRD_CAPACITY", job.formula_scopes, "*", capacity is not None),
    ]
    network: list[Line] = []
    taxes: list[Line] = []
    for part, rows in partition(job.book, job.fixed, specs):
        vat_row, cta_row, fixed, cta_transport, quote_part, capacity_row = rows
        vat = _vat(_present(vat_row))
        lines = [
            _days_line(
                "NETWORK_FIXED", f"Acheminement – abonnement de distribution ({option})", part, _present(fixed), vat
            )
        ]
        if capacity is not None:  # T4: the subscribed daily capacity (MWh/day) × days × €/(MWh/day)/year / 365
            unit_price = daily_price(per_year(_present(capacity_row)))
            quantity = capacity * part.days
            lines.append(
                Line(
                    "NETWORK_CAPACITY",
                    "network",
                    f"Acheminement – souscription de capacité journalière ({_kva(capacity)} MWh/j)",
                    part.first,
                    part.last,
                    quantity,
                    UNIT_MWH_DAY,
                    unit_price,
                    line_amount(quantity, unit_price),
                    vat,
                )
            )
        network += lines
        base = sum((line.amount for line in lines), Decimal(0))
        taxes.append(
            _cta_line("Contribution tarifaire d'acheminement – part distribution", part, base, _present(cta_row), vat)
        )
        if cta_transport is not None and quote_part is not None:
            base = money(Decimal(part.days) * daily_price(per_year(quote_part)))
            taxes.append(
                _cta_line(
                    "Contribution tarifaire d'acheminement – quote-part transport", part, base, cta_transport, vat
                )
            )
    return network, taxes


def _bands(power: Decimal) -> list[str]:
    if power <= 36:
        return ["<=36"]
    if power <= LOCAL_TAX_MAX_KVA:
        return ["36-250", ">36"]
    return [">250", ">36"]


def _department(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def _tax_lines(job: _Invoice) -> list[Line]:
    total = sum(job.energy.values(), Decimal(0))
    posts = list(job.energy)
    book = job.book
    if book.tax_codes is not None:  # an override: its tax codes, as given
        lines: list[Line] = []
        for code in book.tax_codes:
            label = GAS_EXCISE_LABEL if job.gas and code == "EXCISE" else TAX_LABELS.get(code, code)
            lines += job.kwh_lines(
                code=code,
                family="taxes",
                label=label,
                kwh=total,
                posts=posts,
                spec=(code, ["*"], "*", True),
            )
        return lines
    if job.gas:
        lines = job.kwh_lines(
            code="EXCISE",
            family="taxes",
            label=GAS_EXCISE_LABEL,
            kwh=total,
            posts=posts,
            spec=("EXCISE_GAS", ["*"], "*", True),
        )
        return [replace(line, label=TICGN_LABEL) if line.end <= TICGN_END else line for line in lines]
    power = _power(job)
    bands = _bands(power)
    national = partition(book, job.consumption, [("EXCISE_ELEC", bands, "*", False), ("CSPE", bands, "*", False)])
    for part, (excise, cspe) in national:
        if excise is None and cspe is None:
            raise MissingRate("EXCISE_ELEC" if part.first >= EXCISE_REFORM else "CSPE", bands, "*", part.first)
    lines = []
    if any(rows[0] is not None for _, rows in national):
        lines += _optional_tax(job, "EXCISE", "EXCISE_ELEC", bands, total, posts)
    if any(rows[1] is not None for _, rows in national):
        lines += _optional_tax(job, "CSPE", "CSPE", bands, total, posts)
        if power <= LOCAL_TAX_MAX_KVA:
            band = "<=36" if power <= 36 else "36-250"
            insee = job.site.insee_code.strip()
            if not insee:
                raise InvoiceError(
                    "site.insee_code",
                    "the commune's INSEE code is needed for the local electricity taxes (TCCFE, TDCFE) before 2023",
                )
            department = f"D{_department(insee)}_{band}"
            local = [f"{insee}_{band}", department]
            for part, rows in national:
                if rows[1] is not None and book.rate("TCCFE", local, "*", part.first) is None:
                    raise MissingRate("TCCFE", local, "*", part.first)
            lines += _optional_tax(job, "TCCFE", "TCCFE", local, total, posts)
            lines += _optional_tax(job, "TDCFE", "TDCFE", [department], total, posts)
    return lines


def _optional_tax(
    job: _Invoice, line_code: str, code: str, scopes: list[str], kwh: Decimal, posts: list[str]
) -> list[Line]:
    """kWh lines of a tax on the parts of the consumption period where it has a rate."""
    parts = partition(job.book, job.consumption, [("VAT_STANDARD", ["*"], "*", True), (code, scopes, "*", False)])
    shares = prorate(kwh, job.weights([part for part, _ in parts], posts))
    lines = []
    for (part, (vat_row, row)), share in zip(parts, shares, strict=True):
        if row is None:
            continue
        unit_price = per_kwh(row)
        lines.append(
            Line(
                line_code,
                "taxes",
                TAX_LABELS[line_code],
                part.first,
                part.last,
                share,
                UNIT_KWH,
                unit_price,
                line_amount(share, unit_price),
                _vat(_present(vat_row)),
            )
        )
    return lines


def totals_of(lines: Sequence[Line]) -> Totals:
    """Family sums of the rounded lines; VAT per rate on the sum of its base (EN 16931)."""
    sums = {"energy": Decimal("0.00"), "network": Decimal("0.00"), "taxes": Decimal("0.00")}
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        sums[line.family] += line.amount
        bases[line.vat_percent] = bases.get(line.vat_percent, Decimal("0.00")) + line.amount
    vat = tuple(VatTotal(rate, base, vat_amount(base, rate)) for rate, base in sorted(bases.items()))
    excl_vat = sums["energy"] + sums["network"] + sums["taxes"]
    vat_total = sum((item.amount for item in vat), Decimal("0.00"))
    return Totals(sums["energy"], sums["network"], sums["taxes"], excl_vat, vat, vat_total, excl_vat + vat_total)


def compute_invoice(invoice: InvoiceInput, rates: RateBook | None = None) -> InvoiceResult:
    """The invoice of one site: lines (see the module's docstring) and totals.

    `rates`: the book to use; else `invoice.rates` (a document's override); else the shipped
    grids. Raises `InvoiceError` (naming the input field) or `MissingRate` (naming code, scope
    and day).
    """
    book = rates if rates is not None else invoice.rates if isinstance(invoice.rates, RateBook) else None
    if book is None:
        book = RateBook.shipped()
    consumption = invoice.consumption_period
    if consumption.last < consumption.first:
        raise InvoiceError("consumption_period", "the end precedes the start")
    if invoice.fixed_period is not None and invoice.fixed_period.last < invoice.fixed_period.first:
        raise InvoiceError("fixed_period", "the end precedes the start")
    if invoice.site.fluid not in {"elec", "gas"}:
        raise InvoiceError("site.fluid", "must be elec or gas")
    job = _Invoice(invoice, book)
    if job.gas:
        fixed_network, fixed_taxes = _fixed_gas_lines(job)
    else:
        fixed_network, fixed_taxes = _fixed_electricity_lines(job)
    lines = (
        *_supply_lines(job),
        *_variable_network_lines(job),
        *fixed_network,
        *fixed_taxes,
        *_tax_lines(job),
    )
    return InvoiceResult(lines=lines, totals=totals_of(lines))


def credit_note_of(result: InvoiceResult) -> InvoiceResult:
    """The credit note cancelling `result` in full: every line and every total negated.

    Nothing is recomputed or rounded again, so an invoice and its credit note sum to zero.
    """
    lines = tuple(replace(line, quantity=_neg(line.quantity), amount=_neg(line.amount)) for line in result.lines)
    totals = result.totals
    return InvoiceResult(
        lines=lines,
        totals=Totals(
            energy=_neg(totals.energy),
            network=_neg(totals.network),
            taxes=_neg(totals.taxes),
            excl_vat=_neg(totals.excl_vat),
            vat=tuple(VatTotal(item.percent, _neg(item.base), _neg(item.amount)) for item in totals.vat),
            vat_total=_neg(totals.vat_total),
            incl_vat=_neg(totals.incl_vat),
        ),
    )


def _neg(value: Decimal) -> Decimal:
    return Decimal(0) - value  # never "-0.00"
