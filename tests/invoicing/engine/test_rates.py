"""The shipped grids and the rate book (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoicing.engine.rates import RATES_DIR, MissingRate, RateBook, RateOverrideError, load_shipped_rows
from invoicing.engine.types import Period
from invoicing.grids.fileformat import RateRow, parse_grid
from tests.invoicing.engine.helpers import d, period

FULL = period("2021-01-01", "2026-12-31")
C5_FORMULAS = {
    "BTINFCUST": ["*"],
    "BTINFMUDT": ["HP", "HC"],
    "BTINFCU4": ["HPH", "HCH", "HPE", "HCE"],
    "BTINFMU4": ["HPH", "HCH", "HPE", "HCE"],
    "BTINFLU": ["*"],
}
C4_FORMULAS = {"BTSUPCU": ["HPH", "HCH", "HPE", "HCE"], "BTSUPLU": ["HPH", "HCH", "HPE", "HCE"]}
FAMILIES = {
    "atrd.csv",
    "cta.csv",
    "excise_electricity.csv",
    "excise_gas.csv",
    "local_taxes.csv",
    "turpe_c4.csv",
    "turpe_c5.csv",
    "vat.csv",
}


def test_every_shipped_grid_parses_and_cites_its_text() -> None:
    assert {path.name for path in RATES_DIR.glob("*.csv")} == FAMILIES
    for path in RATES_DIR.glob("*.csv"):
        rows = parse_grid(path.read_text(encoding="utf-8"))
        assert rows, path.name
        assert all(len(row.reference) > 20 for row in rows), path.name
    # Across files too, a key never has two rows for the same day.
    assert len(load_shipped_rows()) == sum(
        len(parse_grid(p.read_text(encoding="utf-8"))) for p in RATES_DIR.glob("*.csv")
    )


def _covered(book: RateBook, code: str, scope: str, post: str, span: Period = FULL) -> None:
    # segments(required=True) raises MissingRate on the first day without a row: no hole.
    parts = book.segments(code, [scope], post, span)
    assert parts[0][0].first == span.first, (code, scope, post)
    assert parts[-1][0].last == span.last, (code, scope, post)


def test_c5_c4_and_gas_rates_have_no_hole_from_2021_to_the_end_of_2026() -> None:
    book = RateBook.shipped()
    for segment, formulas in (("C5", C5_FORMULAS), ("C4", C4_FORMULAS)):
        _covered(book, "TURPE_CG", segment, "*")
        _covered(book, "TURPE_CC", segment, "*")
        for formula, posts in formulas.items():
            for post in posts:
                _covered(book, "TURPE_CS_VARIABLE", formula, post)
                _covered(book, "TURPE_CS_FIXED", formula, "*" if segment == "C5" else post)
    for option in ("T1", "T2", "T3", "T4"):
        _covered(book, "ATRD_FIXED", option, "*")
        _covered(book, "ATRD_VARIABLE", option, "*")
        _covered(book, "ATRT_QUOTE_PART", option, "*")
    for scope in ("ELEC", "GAS"):
        _covered(book, "CTA", scope, "*")
    for scope in ("ELEC_<=36", "ELEC_>36", "GAS"):
        _covered(book, "VAT_FIXED", scope, "*")
    _covered(book, "VAT_STANDARD", "*", "*")
    _covered(book, "EXCISE_GAS", "*", "*")
    _covered(book, "TURPE_CACNC", "C5", "*", period("2025-08-01", "2026-12-31"))
    # Electricity: CSPE until the end of 2022, then the excise, for every power band.
    for bands in (["<=36"], ["36-250", ">36"], [">250", ">36"]):
        assert book.segments("CSPE", bands, "*", period("2021-01-01", "2022-12-31"))
        assert book.segments("EXCISE_ELEC", bands, "*", period("2023-01-01", "2026-12-31"))
    for band in ("<=36", "36-250"):
        _covered(book, "TCCFE", f"D14_{band}", "*", period("2021-01-01", "2022-12-31"))
        _covered(book, "TCCFE", f"14118_{band}", "*", period("2021-01-01", "2022-12-31"))
        _covered(book, "TDCFE", f"D14_{band}", "*", period("2021-01-01", "2021-12-31"))


def test_the_regulated_values_of_the_research_notes_are_shipped() -> None:
    book = RateBook.shipped()

    def value(code: str, scope: str, post: str, day: str) -> Decimal:
        return book.require(code, [scope], post, d(day)).value

    # TURPE 7 (CRE 2025-78), C5 and C4
    assert value("TURPE_CG", "C5", "*", "2025-08-01") == Decimal("16.80")
    assert value("TURPE_CC", "C5", "*", "2026-12-31") == Decimal("22.00")
    assert value("TURPE_CS_FIXED", "BTINFMU4", "*", "2025-08-01") == Decimal("12.12")
    assert value("TURPE_CS_VARIABLE", "BTINFCU4", "HCE", "2025-08-01") == Decimal("0.0116")
    assert value("TURPE_CS_FIXED", "BTSUPLU", "HPH", "2025-08-01") == Decimal("30.16")
    assert value("TURPE_CG", "C4", "*", "2025-08-01") == Decimal("217.80")
    assert value("TURPE_CACNC", "C5", "*", "2025-08-01") == Decimal("6.48")
    # TURPE 6 updates (CRE 2023-137, 2024-122, 2025-08)
    assert value("TURPE_CS_VARIABLE", "BTINFCUST", "*", "2024-10-31") == Decimal("0.0437")
    assert value("TURPE_CS_VARIABLE", "BTINFCUST", "*", "2024-11-01") == Decimal("0.0458")
    assert value("TURPE_CS_VARIABLE", "BTINFCUST", "*", "2025-07-31") == Decimal("0.0493")
    # CTA
    assert [value("CTA", "ELEC", "*", day) for day in ("2021-07-31", "2021-08-01", "2026-02-01")] == [
        Decimal("27.04"),
        Decimal("21.93"),
        Decimal("15.00"),
    ]
    assert value("CTA", "GAS", "*", "2026-01-01") == Decimal("20.80")
    # Excise by band and date
    assert value("EXCISE_ELEC", "<=36", "*", "2024-02-01") == Decimal("21.00")
    assert value("EXCISE_ELEC", "36-250", "*", "2025-02-01") == Decimal("26.23")
    assert value("EXCISE_ELEC", "<=36", "*", "2025-08-01") == Decimal("29.98")
    assert value("EXCISE_ELEC", ">36", "*", "2026-02-01") == Decimal("26.58")
    assert value("EXCISE_GAS", "*", "*", "2025-08-01") == Decimal("15.43")
    assert value("EXCISE_GAS", "*", "*", "2026-02-01") == Decimal("16.39")
    assert value("CSPE", "<=36", "*", "2021-06-01") == Decimal("22.50")
    # VAT
    assert value("VAT_FIXED", "ELEC_<=36", "*", "2025-07-31") == Decimal("5.5")
    assert value("VAT_FIXED", "ELEC_<=36", "*", "2025-08-01") == Decimal("20")
    assert value("VAT_FIXED", "ELEC_>36", "*", "2024-01-01") == Decimal("20")


def test_values_not_read_from_a_public_source_say_so() -> None:
    rows = load_shipped_rows()
    derived = [
        row
        for row in rows
        if row.valid_to is not None and row.valid_to < dt.date(2023, 8, 1) and row.code.startswith("TURPE")
    ]
    assert derived
    assert all("valeur à vérifier" in row.reference for row in derived)
    local = [row for row in rows if row.code in {"TCCFE", "TDCFE"}]
    assert local
    assert all("coefficient de la délibération" in row.reference for row in local)


def _row(code: str, scope: str, value: str, first: str, last: str | None, post: str = "*") -> RateRow:
    return RateRow(code, scope, post, "EUR_YEAR", Decimal(value), d(first), d(last) if last else None, "test")


def test_lookup_prefers_the_first_scope_then_the_post_then_falls_back() -> None:
    book = RateBook.from_rows(
        [
            _row("X", "A", "1", "2024-01-01", "2024-12-31"),
            _row("X", "B", "2", "2024-01-01", None),
            _row("X", "A", "3", "2024-01-01", None, post="HP"),
        ]
    )
    assert book.require("X", ["A", "B"], "HP", d("2024-06-01")).value == 3
    assert book.require("X", ["A", "B"], "HC", d("2024-06-01")).value == 1
    assert book.require("X", ["A", "B"], "HC", d("2025-06-01")).value == 2  # A ended: B answers
    assert book.rate("X", ["C"], "*", d("2024-06-01")) is None


def test_lookup_by_exact_key_and_day() -> None:
    book = RateBook.shipped()
    assert book.lookup("TURPE_CS_VARIABLE", "BTINFMUDT", "HC", d("2025-08-01")).value == Decimal("0.0350")
    assert book.lookup("TURPE_CS_VARIABLE", "BTINFMUDT", "HC", d("2025-07-31")).value == Decimal("0.0357")
    with pytest.raises(
        MissingRate, match=r"^no rate TURPE_CS_VARIABLE for scope BTINFMUDT \(post BASE\) on 2025-08-01$"
    ):
        book.lookup("TURPE_CS_VARIABLE", "BTINFMUDT", "BASE", d("2025-08-01"))


def test_segments_split_a_period_at_each_change_and_name_a_hole() -> None:
    book = RateBook.from_rows(
        [
            _row("X", "A", "1", "2024-01-01", "2024-01-31"),
            _row("X", "A", "2", "2024-02-01", "2024-02-10"),
            _row("X", "A", "3", "2024-02-15", None),
        ]
    )
    parts = book.segments("X", ["A"], "*", period("2024-01-20", "2024-02-05"))
    assert [(p.first.isoformat(), p.last.isoformat(), row.value) for p, row in parts] == [
        ("2024-01-20", "2024-01-31", Decimal(1)),
        ("2024-02-01", "2024-02-05", Decimal(2)),
    ]
    with pytest.raises(MissingRate, match=r"^no rate X for scope A on 2024-02-11$") as caught:
        book.segments("X", ["A"], "*", period("2024-02-01", "2024-03-01"))
    assert (caught.value.code, caught.value.scope, caught.value.day) == ("X", "A", d("2024-02-11"))
    optional = book.segments("X", ["A"], "*", period("2024-02-01", "2024-03-01"), required=False)
    assert [(p.first.isoformat(), p.last.isoformat()) for p, _ in optional] == [
        ("2024-02-01", "2024-02-10"),
        ("2024-02-15", "2024-03-01"),
    ]


def test_the_shipped_book_is_read_once() -> None:
    assert RateBook.shipped() is RateBook.shipped()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"network": {"management_eur_year": "abc"}}, "rates.network.management_eur_year"),
        ({"network": {"management_eur_year": 16.8}}, "rates.network.management_eur_year"),  # a float, not a string
        ({"network": {"variable_eur_kwh": {"XX": "1"}}}, "rates.network.variable_eur_kwh.XX"),
        ({"network": {"colour": "1"}}, "rates.network.colour"),
        ({"cta_percent": "-1"}, "rates.cta_percent"),
        ({"taxes_eur_kwh": {"cspe": "0.02"}}, "rates.taxes_eur_kwh.cspe"),
        ({"vat_reduced_on_fixed": "yes"}, "rates.vat_reduced_on_fixed"),
        ({"tva": "20"}, "rates.tva"),
    ],
)
def test_a_bad_override_names_its_field(override: dict[str, object], field: str) -> None:
    with pytest.raises(RateOverrideError) as caught:
        RateBook.from_override(override)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_an_override_without_vat_keeps_the_shipped_vat_rules() -> None:
    book = RateBook.from_override({"cta_percent": "20"})
    assert book.require("VAT_FIXED", ["ELEC_<=36", "*"], "*", d("2025-07-31")).value == Decimal("5.5")
    assert book.require("VAT_FIXED", ["ELEC_<=36", "*"], "*", d("2025-08-01")).value == Decimal("20")
    assert book.tax_codes == ()


def test_a_partition_is_computed_once_per_period_and_rates() -> None:
    book = RateBook.from_rows(
        [_row("X", "A", "1", "2024-01-01", "2024-01-31"), _row("X", "A", "2", "2024-02-01", None)]
    )
    specs = [("X", ["A"], "*", True)]
    first = book.partition(period("2024-01-20", "2024-02-05"), specs)
    assert [(p.first.isoformat(), rows[0].value if rows[0] else None) for p, rows in first] == [
        ("2024-01-20", Decimal(1)),
        ("2024-02-01", Decimal(2)),
    ]
    assert book.partition(period("2024-01-20", "2024-02-05"), [("X", ("A",), "*", True)]) is first
    assert book.partition(period("2024-01-21", "2024-02-05"), specs) is not first
    with pytest.raises(MissingRate):
        book.partition(period("2023-12-31", "2024-01-05"), specs)
