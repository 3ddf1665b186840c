"""The streaming XLSX writer, read back with openpyxl (QUALITY.md item 10)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from spreadsheets.xlsx import DATE, DATETIME, DECIMAL, NUMBER, TEXT, Column, excel_serial, write_xlsx

COLUMNS = [
    Column("Nom", 30, TEXT),
    Column("Quantité", 10, NUMBER),
    Column("Montant", 12, DECIMAL),
    Column("Date", 12, DATE),
    Column("Horodatage", 18, DATETIME),
]


def _read(buffer: io.BytesIO) -> openpyxl.Workbook:
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def _write(rows, **kwargs) -> io.BytesIO:
    buffer = io.BytesIO()
    write_xlsx(buffer, columns=COLUMNS, rows=iter(rows), sheet_title="Essai", **kwargs)
    return buffer


def test_values_types_and_dates_read_back():
    paris = ZoneInfo("Europe/Paris")
    rows = [
        (
            "Mairie & école <annexe>",
            3,
            Decimal("12.50"),
            dt.date(2025, 3, 30),
            dt.datetime(2025, 7, 1, 10, 30, tzinfo=paris),
        ),
        ("  espaces  ", -4, Decimal("-0.1"), None, dt.datetime(2025, 1, 1, 23, 0, tzinfo=dt.UTC)),
        (None, None, None, None, None),
        ("Crèche \x07 « Les Lutins »", 2.5, 7, dt.date(1900, 3, 1), dt.datetime(2024, 2, 29, 0, 0)),
    ]
    ws = _read(_write(rows)).worksheets[0]
    assert ws.title == "Essai"
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    first = [c.value for c in ws[2]]
    assert first == ["Mairie & école <annexe>", 3, 12.5, dt.datetime(2025, 3, 30), dt.datetime(2025, 7, 1, 10, 30)]
    assert ws["A2"].data_type == "s"
    assert ws["B2"].data_type == "n"
    assert ws["C2"].data_type == "n"
    assert ws["D2"].is_date
    assert ws["D2"].number_format == "dd/mm/yyyy"
    assert ws["E2"].is_date
    assert ws["E2"].value.tzinfo is None
    # An aware datetime is shown in Paris local time (UTC+1 in winter): next day, midnight.
    assert ws["E3"].value == dt.datetime(2025, 1, 2, 0, 0)
    assert ws["A3"].value == "  espaces  "
    assert ws["B3"].value == -4
    assert ws["C3"].value == pytest.approx(-0.1)
    assert [c.value for c in ws[4]] == [None] * 5
    assert ws["A5"].value == "Crèche  « Les Lutins »"  # control character removed
    assert ws["D5"].value == dt.datetime(1900, 3, 1)
    assert ws.max_row == 5


@pytest.mark.parametrize("text", ["=1+2", "+33 6 12", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x")'])
def test_formula_injection_is_neutralised(text):
    ws = _read(_write([(text, 1, 1, None, None)])).worksheets[0]
    cell = ws["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + text  # a leading apostrophe: shown as text, never evaluated
    assert not str(cell.value).startswith("=")


def test_header_frozen_filtered_and_widths():
    ws = _read(_write([("a", 1, 1, None, None)] * 3)).worksheets[0]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E4"
    assert ws.column_dimensions["A"].width == 30
    assert ws.column_dimensions["D"].width == 12
    assert ws["A1"].font.b


def test_new_sheet_at_the_row_limit_with_the_header_repeated():
    rows = [(f"ligne {n}", n, None, None, None) for n in range(1, 24)]
    progress: list[int] = []
    buffer = io.BytesIO()
    result = write_xlsx(
        buffer, columns=COLUMNS, rows=iter(rows), sheet_title="Essai", max_rows=10, on_progress=progress.append
    )
    assert result.rows == 23
    assert result.sheets == 3
    wb = _read(buffer)
    assert wb.sheetnames == ["Essai", "Essai (2)", "Essai (3)"]
    counts = []
    numbers = []
    for ws in wb.worksheets:
        assert ws["A1"].value == "Nom"
        assert ws.freeze_panes == "A2"
        counts.append(ws.max_row)
        numbers += [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert counts == [10, 10, 6]  # 9 + 9 + 5 data rows, each sheet with its header
    assert numbers == list(range(1, 24))
    assert wb.worksheets[2].auto_filter.ref == "A1:E6"
    assert progress[-1] == 23


def test_empty_export_keeps_its_header():
    ws = _read(_write([])).worksheets[0]
    assert ws.max_row == 1
    assert ws["A1"].value == "Nom"


def test_excel_serial_numbers():
    assert excel_serial(dt.date(1900, 3, 1)) == 61
    assert excel_serial(dt.date(2025, 1, 1)) == 45658
    assert excel_serial(dt.datetime(2025, 1, 1, 12, 0)) == 45658.5


def test_sheet_names_are_valid():
    buffer = io.BytesIO()
    write_xlsx(buffer, columns=COLUMNS, rows=iter([]), sheet_title="Périmètre: sites [tous] / 2025 très long titre")
    name = _read(buffer).worksheets[0].title
    assert len(name) <= 31
    assert not set(name) & set("[]:*?/\\")
