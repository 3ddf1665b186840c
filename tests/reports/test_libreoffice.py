"""Every export opens in a real spreadsheet program: LibreOffice Calc reads what the XLSX writer wrote.

The output of every report definition of the registry (and the journey's several-sheet
recap) is opened by LibreOffice headless and saved again; the copy Calc wrote must hold
the same rows and the same typed values as our file — a date is a date, a number a
number, a text that looks like a formula stays a text. One ``soffice`` run for all the
files. Skipped with a message where LibreOffice is not installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from datacollection.models import Journey
from datacollection.recap import build_recap_workbook
from reports.registry import SyndicateReportDefinition, definitions
from spreadsheets.xlsx import write_xlsx
from tests.consumption.meterdata import daily_load, load_curve_load_days, reading_add
from tests.datacollection.conftest import complete_journey
from tests.factories import LotFactory, SiteFactory
from tests.invoicing.factories import make_credit_note, make_invoice
from tests.support.libreoffice import MISSING, resave_as_xlsx, soffice_path

pytestmark = pytest.mark.skipif(soffice_path() is None, reason=MISSING)

FORMULA = '=HYPERLINK("http://evil.test","x")'

# The parameters each report is asked with. A new report definition must be added here:
# the test refuses a definition LibreOffice has not opened.
PARAMS: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    "perimeter_file": lambda world, campaign: {},
    "park_sites": lambda world, campaign: {},
    "consumption_monthly": lambda world, campaign: {"first": "2025-03", "last": "2025-04"},
    "consumption_daily": lambda world, campaign: {"site": world.site_a.pk, "first": "2025-03-01", "last": "2025-03-31"},
    "consumption_readings": lambda world, campaign: {"site": world.site_a.pk},
    "consumption_load_curve": lambda world, campaign: {
        "site": world.site_a.pk,
        "first": "2025-10-26",
        "last": "2025-10-26",
    },
    "campaign_followup": lambda world, campaign: {"campaign": campaign.pk},
    "campaign_collected_data": lambda world, campaign: {"campaign": campaign.pk},
    "invoices": lambda world, campaign: _invoices(world),
    "technical_requests": lambda world, campaign: _technical_request(world),
    "account_statement": lambda world, campaign: _statement(world),
    "direct_view": lambda world, campaign: _billed(world, {"first": "2025-01", "last": "2025-12"}),
    "annual_sheet": lambda world, campaign: _billed(world, {"year": 2025}),
    "billing_summary": lambda world, campaign: _billed(world, {"first": "2025-06", "last": "2025-07"}),
}


def _technical_request(world: Any) -> dict[str, Any]:
    """One request of member A (an appointment date, a late flag), exported with no filter."""
    from tests.technical_requests.factories import make_request, move

    move(make_request(world.alice, world.site_a), "sent", "planned")
    return {}


Row = tuple[Any, ...]


def _campaign(world: Any) -> Any:
    from datacollection.services import campaign_create

    today = timezone.localdate()
    lot = LotFactory(number=1)
    campaign = campaign_create(
        lot=lot,
        name="Collecte lot 1",
        opens_on=today - dt.timedelta(days=7),
        closes_on=today + dt.timedelta(days=10),
        switch_date=dt.date(today.year + 1, 3, 1),
    )
    SiteFactory(member=world.member_a, lot=lot, site_name=FORMULA, activation_date=dt.date(2020, 1, 15))
    complete_journey(world.member_a)
    Journey.objects.create(campaign=campaign, member=world.member_a, started_at=timezone.now())
    return campaign


def _statement(world: Any) -> dict[str, Any]:
    """Member A's statement over 2025: an invoice, a partial payment (opening and closing balances too)."""
    from decimal import Decimal

    from payments.models import Payment

    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 9, 1))
    Payment.objects.create(invoice=invoice, date=dt.date(2025, 10, 3), amount=Decimal("12.34"), source="accounting")
    return {"member": world.member_a.pk, "first": "2025-01", "last": "2025-12"}


def _invoices(world: Any) -> dict[str, Any]:
    """An invoice of member A and the credit note cancelling it (dates, decimals, negative amounts)."""
    from invoicing.models import Invoice

    if Invoice.objects.filter(member=world.member_a, accounting_date=dt.date(2025, 6, 1)).exists():
        return {"first": "2025-01", "last": "2025-12"}
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 6, 1))
    make_credit_note(invoice, accounting_date=dt.date(2025, 7, 1))
    return {"first": "2025-01", "last": "2025-12"}


def _billed(world: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The billing files read member A's invoice of June 2025 (made once, whichever report comes first)."""
    from invoicing.models import Invoice

    if not Invoice.objects.filter(member=world.member_a, accounting_date=dt.date(2025, 6, 1)).exists():
        _invoices(world)
    return params


def _meter_data(world: Any) -> None:
    daily_load([world.site_a.pk], dt.date(2025, 3, 1), dt.date(2025, 4, 30), kwh=2.0)
    load_curve_load_days(world.site_a.pk, dt.date(2025, 10, 26), 1, power_w=900)
    reading_add(world.site_a.pk, dt.date(2025, 1, 31), {"BASE": 1_234_500})


def _sheets(path: Path) -> dict[str, list[Row]]:
    """Every sheet's rows as openpyxl reads them (trailing empty cells dropped); formulas fail the test."""
    workbook = openpyxl.load_workbook(path)
    sheets: dict[str, list[Row]] = {}
    for sheet in workbook.worksheets:
        formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        assert not formulas, f"{path.name}!{sheet.title}: formulas in {formulas}"
        rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
        sheets[sheet.title] = [_trimmed(row) for row in rows if any(value is not None for value in row)]
    return sheets


def _trimmed(row: Row) -> Row:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def _typed(row: Row) -> Row:
    """A row compared by kind and value: numbers as floats (3 and 3.0 are one number)."""
    return tuple(
        ("number", round(float(v), 9))
        if isinstance(v, int | float) and not isinstance(v, bool)
        else (type(v).__name__, v)
        for v in row
    )


def test_every_export_opens_in_libreoffice_with_its_rows_and_typed_values(world: Any, tmp_path: Path) -> None:
    soffice = soffice_path()
    assert soffice is not None
    campaign = _campaign(world)
    _meter_data(world)
    files: dict[str, Path] = {}
    for definition in definitions():
        assert definition.name in PARAMS, f"report {definition.name!r}: add its parameters to PARAMS"
        requester = world.carol if isinstance(definition, SyndicateReportDefinition) else world.alice
        params = definition.clean_params(PARAMS[definition.name](world, campaign))
        files[definition.name] = tmp_path / f"{definition.name}.xlsx"
        with files[definition.name].open("wb") as out:
            result = write_xlsx(
                out, columns=definition.columns, rows=definition.rows(requester, params), sheet_title=definition.title
            )
        assert result.rows > 0, f"{definition.name}: no row to check"
    files["recap"] = tmp_path / "recap.xlsx"
    files["recap"].write_bytes(build_recap_workbook(world.member_a))

    opened = resave_as_xlsx(soffice, list(files.values()), outdir=tmp_path / "calc", profile=tmp_path / "profile")

    calc: dict[str, dict[str, list[Row]]] = {}
    for name, path in files.items():
        ours, theirs = _sheets(path), _sheets(opened[path])
        assert list(theirs) == list(ours), f"{name}: sheets"
        for title, rows in ours.items():
            assert len(theirs[title]) == len(rows), f"{name}!{title}: row count"
            assert [_typed(row) for row in theirs[title]] == [_typed(row) for row in rows], f"{name}!{title}"
        calc[name] = theirs
    assert len(calc["recap"]) > 1  # several sheets

    # A few values as Calc holds them.
    monthly = next(iter(calc["consumption_monthly"].values()))
    assert [(row[4], row[5]) for row in monthly[1:]] == [
        (dt.datetime(2025, 3, 1), 62.0),
        (dt.datetime(2025, 4, 1), 60.0),
    ]
    curve = next(iter(calc["consumption_load_curve"].values()))
    assert len(curve) == 1 + 50  # the October day of the clock change has 50 half-hours
    # Local times: the repeated 02:30 of the clock change appears twice, once per UTC offset.
    assert [row[1:3] for row in curve[1:] if row[1].hour == 2 and row[1].minute == 30] == [
        (dt.datetime(2025, 10, 26, 2, 30), 2),
        (dt.datetime(2025, 10, 26, 2, 30), 1),
    ]
    readings = next(iter(calc["consumption_readings"].values()))
    assert dt.datetime(2025, 1, 31) in readings[1]
    assert 1234.5 in readings[1]
    perimeter = next(iter(calc["perimeter_file"].values()))
    assert any("'" + FORMULA in row for row in perimeter)  # a text, never run as a formula
    assert any(dt.datetime(2020, 1, 15) in row for row in perimeter)
