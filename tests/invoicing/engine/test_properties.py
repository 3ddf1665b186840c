"""Property tests (Hypothesis) of the engine over the shipped grids, 2021–2026 (no database)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.engine.compute import compute_invoice, credit_note_of, totals_of
from invoicing.engine.rounding import vat_amount
from invoicing.engine.types import InvoiceInput, InvoiceResult, Period
from tests.invoicing.engine.helpers import elec, gas_site, invoice, prices

D = Decimal
FIRST = dt.date(2021, 1, 1)
LAST = dt.date(2026, 12, 31)
FORMULAS = {
    "BTINFCUST": ("BASE", ["BASE"]),
    "BTINFMUDT": ("HPHC", ["HP", "HC"]),
    "BTINFCU4": ("4P", ["HPH", "HCH", "HPE", "HCE"]),
    "BTINFMU4": ("4P", ["HPH", "HCH", "HPE", "HCE"]),
    "BTINFLU": ("BASE", ["BASE"]),
}
EXAMPLES = settings(max_examples=150, deadline=None)

kwh = st.integers(min_value=0, max_value=200_000).map(D)
price = st.decimals(min_value=0, max_value=D("0.5"), places=5).map(lambda v: v.normalize() if v else D(0))


@st.composite
def periods(draw: st.DrawFn, max_days: int = 400) -> Period:
    first = draw(st.dates(min_value=FIRST, max_value=LAST - dt.timedelta(days=1)))
    days = draw(st.integers(min_value=1, max_value=max_days))
    return Period(first, min(LAST, first + dt.timedelta(days=days - 1)))


@st.composite
def electricity(draw: st.DrawFn) -> InvoiceInput:
    formula = draw(st.sampled_from(sorted(FORMULAS)))
    option, posts = FORMULAS[formula]
    kva = draw(st.sampled_from(["3", "6", "9", "12", "18", "24", "36"]))
    consumption = draw(periods())
    fixed = draw(st.none() | periods(max_days=70))
    years = range(consumption.first.year, consumption.last.year + 1)
    by_year = {year: {post: draw(price) for post in posts} for year in years} if draw(st.booleans()) else {}
    return invoice(
        elec(
            formula,
            option,
            kva,
            insee=draw(st.sampled_from(["14118", "14047", "14001"])),
            communicating=draw(st.booleans()),
        ),
        consumption,
        prices(
            {post: str(draw(price)) for post in posts},
            {post: str(draw(price)) for post in posts} if draw(st.booleans()) else None,
            (("CEE_CLASSIC", "0.48", str(draw(price))), ("CEE_PRECARITY", "0.3", str(draw(price))))
            if draw(st.booleans())
            else (),
        ),
        kwh={post: str(draw(kwh)) for post in posts},
        fixed=fixed,
        energy_by_year=by_year,
    )


@st.composite
def c4(draw: st.DrawFn) -> InvoiceInput:
    posts = ["HPH", "HCH", "HPE", "HCE"]
    steps = draw(st.lists(st.integers(min_value=0, max_value=60), min_size=4, max_size=4))
    steps[0] += 37  # the first power is above 36 kVA
    powers = {post: str(sum(steps[: index + 1])) for index, post in enumerate(posts)}
    return invoice(
        elec(draw(st.sampled_from(["BTSUPCU", "BTSUPLU"])), "4P", "", segment="C4", powers=powers,
             insee=draw(st.sampled_from(["14118", "14001"]))),
        draw(periods()),
        prices({post: str(draw(price)) for post in posts}),
        kwh={post: str(draw(kwh)) for post in posts},
        fixed=draw(st.none() | periods(max_days=70)),
    )  # fmt: skip


@st.composite
def gas(draw: st.DrawFn) -> InvoiceInput:
    volume = draw(st.decimals(min_value=0, max_value=100_000, places=2))
    coefficient = draw(st.decimals(min_value=D("9.5"), max_value=D("12.5"), places=2))
    return invoice(
        gas_site(draw(st.sampled_from(["T1", "T2", "T3", "T4"]))),
        draw(periods()),
        prices({"BASE": str(draw(price))}),
        gas=(str(volume), str(coefficient)),
        fixed=draw(st.none() | periods(max_days=70)),
    )


invoices = electricity() | c4() | gas()


def _check_totals(result: InvoiceResult) -> None:
    totals = result.totals
    by_family: dict[str, Decimal] = defaultdict(Decimal)
    by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in result.lines:
        assert line.amount == line.amount.quantize(D("0.01"))
        by_family[line.family] += line.amount
        by_rate[line.vat_percent] += line.amount
    assert (totals.energy, totals.network, totals.taxes) == (
        by_family["energy"],
        by_family["network"],
        by_family["taxes"],
    )
    assert totals.excl_vat == sum((line.amount for line in result.lines), D(0))
    assert {item.percent: item.base for item in totals.vat} == dict(by_rate)
    assert all(item.amount == vat_amount(item.base, item.percent) for item in totals.vat)
    assert totals.vat_total == sum((item.amount for item in totals.vat), D(0))  # BR-CO-14
    assert totals.incl_vat == totals.excl_vat + totals.vat_total


@EXAMPLES
@given(invoices)
def test_totals_are_the_sums_of_the_rounded_lines(data: InvoiceInput) -> None:
    result = compute_invoice(data)
    _check_totals(result)
    assert totals_of(result.lines) == result.totals


@EXAMPLES
@given(invoices)
def test_a_credit_note_plus_its_invoice_is_zero(data: InvoiceInput) -> None:
    result = compute_invoice(data)
    credit = credit_note_of(result)
    _check_totals(credit)
    assert [a.amount + b.amount for a, b in zip(result.lines, credit.lines, strict=True)] == [0] * len(result.lines)
    for field in ("energy", "network", "taxes", "excl_vat", "vat_total", "incl_vat"):
        assert getattr(result.totals, field) + getattr(credit.totals, field) == 0
    assert all(
        a.amount + b.amount == 0 and a.base + b.base == 0
        for a, b in zip(result.totals.vat, credit.totals.vat, strict=True)
    )


def _kwh_by_code(results: list[InvoiceResult], prefix: str) -> dict[str, Decimal]:
    found: dict[str, Decimal] = defaultdict(Decimal)
    for result in results:
        for line in result.lines:
            if line.code.startswith(prefix):
                found[line.code] += line.quantity
    return dict(found)


@EXAMPLES
@given(electricity() | c4(), st.data())
def test_splitting_a_period_into_two_invoices_never_changes_the_energy_billed(
    data: InvoiceInput, draw: st.DataObject
) -> None:
    consumption = data.consumption_period
    whole = compute_invoice(data)
    energy = dict(data.energy_kwh)
    # Within one invoice the split lines of a post carry exactly the post's kWh…
    assert _kwh_by_code([whole], "ENERGY_") == {f"ENERGY_{post}": kwh for post, kwh in energy.items()}
    assert _kwh_by_code([whole], "NETWORK_VARIABLE_") == {
        f"NETWORK_VARIABLE_{post}": kwh for post, kwh in energy.items()
    }
    taxes = [line for line in whole.lines if line.code in {"EXCISE", "CSPE"}]
    assert sum((line.quantity for line in taxes), D(0)) == sum(energy.values(), D(0))
    if consumption.days < 2:
        return
    # …and billing the same consumption as two invoices (cut anywhere) bills the same kWh.
    cut = draw.draw(st.integers(min_value=1, max_value=consumption.days - 1))
    middle = consumption.first + dt.timedelta(days=cut)
    first_part = {post: D(draw.draw(st.integers(min_value=0, max_value=int(kwh)))) for post, kwh in energy.items()}
    halves = [
        compute_invoice(
            InvoiceInput(
                site=data.site,
                issue_date=data.issue_date,
                consumption_period=Period(consumption.first, middle - dt.timedelta(days=1)),
                prices=data.prices,
                energy_kwh=first_part,
            )
        ),
        compute_invoice(
            InvoiceInput(
                site=data.site,
                issue_date=data.issue_date,
                consumption_period=Period(middle, consumption.last),
                prices=data.prices,
                energy_kwh={post: kwh - first_part[post] for post, kwh in energy.items()},
            )
        ),
    ]
    assert _kwh_by_code(halves, "ENERGY_") == _kwh_by_code([whole], "ENERGY_")
    assert _kwh_by_code(halves, "NETWORK_VARIABLE_") == _kwh_by_code([whole], "NETWORK_VARIABLE_")
    halves_taxed = sum((line.quantity for r in halves for line in r.lines if line.code in {"EXCISE", "CSPE"}), D(0))
    assert halves_taxed == sum(energy.values(), D(0))


@EXAMPLES
@given(invoices)
def test_every_line_lies_inside_its_period_and_reads_in_french(data: InvoiceInput) -> None:
    result = compute_invoice(data)
    fixed = data.fixed_period or data.consumption_period
    for line in result.lines:
        span = fixed if line.code in {"NETWORK_MANAGEMENT", "NETWORK_METERING", "CTA"} else None
        if line.code == "NETWORK_FIXED" or line.code == "NETWORK_METER_NON_COMMUNICATING":
            span = fixed
        span = span or data.consumption_period
        assert span.first <= line.start <= line.end <= span.last, line
        assert line.family in {"energy", "network", "taxes"}
        assert line.label
        assert line.label[0].isupper()
