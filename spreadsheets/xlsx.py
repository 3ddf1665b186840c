"""The one Excel writer of the platform: a streaming XLSX writer (QUALITY.md items 10 and 19).

Every export goes through ``write_xlsx``; the rest of the code never sees how the file
is made, so the writer can change in one place. This one writes the sheet XML straight
into a deflate stream inside the zip file, one chunk of rows at a time: memory stays
flat whatever the number of rows, and 1,000,000 rows × 15 columns take a fraction of
XlsxWriter's time (bench/exports_million.py; bench/RESULTS.md "Exports").

What a file gets:
- strings as inline strings (no shared-strings table to hold in memory), XML-escaped,
  control characters removed; a text starting with ``= + - @``, tab or carriage return
  gets a leading apostrophe and stays a string, so a spreadsheet never runs it;
- numbers as numbers; dates and datetimes as Excel serial numbers with a date style,
  without time zone (aware datetimes are shown in Europe/Paris local time);
- column widths, the header row frozen and filtered (autofilter over the data);
- a new sheet when a sheet reaches Excel's row limit (1,048,576 rows, header included),
  with the header repeated.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

EXCEL_MAX_ROWS = 1_048_576
LOCAL_TZ = ZoneInfo("Europe/Paris")
_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()
# Rows are joined and written to the deflate stream by batches of this many.
_FLUSH_ROWS = 2_000

# Column kinds.
TEXT = "text"
NUMBER = "number"
DECIMAL = "decimal"
DATE = "date"
DATETIME = "datetime"
KINDS = (TEXT, NUMBER, DECIMAL, DATE, DATETIME)

# Style indexes of styles.xml below.
_STYLE_HEADER = 1
_STYLE_DATE = 2
_STYLE_DATETIME = 3
_STYLE_DECIMAL = 4

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 refuses, plus the ones that need escaping or a character reference: any of them sends the
# text to the slow path.
_NEEDS_CARE = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One column of an export: header label (French), width in characters, kind of value."""

    header: str
    width: float = 15
    kind: str = TEXT

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class WriteResult:
    rows: int  # data rows, headers not counted
    sheets: int


def neutralise(text: str) -> str:
    """The text as a spreadsheet must show it: never a formula (leading apostrophe)."""
    if text and text[0] in _FORMULA_TRIGGERS:
        return "'" + text
    return text


def _text_cell(value: Any) -> str:
    if value is None or value == "":
        return "<c/>"
    text = value if isinstance(value, str) else str(value)
    if text[0] in _FORMULA_TRIGGERS:
        text = "'" + text
    if _NEEDS_CARE.search(text):
        # A literal carriage return would be read back as a line feed (XML end-of-line rule).
        text = escape(_ILLEGAL_XML.sub("", text)).replace("\r", "&#13;")
    if text[0] == " " or text[-1] == " ":
        return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _number_cell(value: Any) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, float) and value != value:  # NaN has no Excel form
        return "<c/>"
    return f"<c><v>{value}</v></c>"


def _decimal_cell(value: Any) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "<c/>"
        value = format(value, "f")
    return f'<c s="{_STYLE_DECIMAL}"><v>{value}</v></c>'


def excel_serial(value: dt.date | dt.datetime) -> float | int:
    """Excel's serial number of a date or a datetime (aware ones in Paris local time)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return value.toordinal() - _EPOCH_ORDINAL + seconds / 86400
    return value.toordinal() - _EPOCH_ORDINAL


def _date_cell(value: Any) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, dt.datetime):
        return f'<c s="{_STYLE_DATETIME}"><v>{excel_serial(value)}</v></c>'
    return f'<c s="{_STYLE_DATE}"><v>{value.toordinal() - _EPOCH_ORDINAL}</v></c>'


def _datetime_cell(value: Any) -> str:
    if value is None:
        return "<c/>"
    return f'<c s="{_STYLE_DATETIME}"><v>{excel_serial(value)}</v></c>'


_CELL_WRITERS: dict[str, Callable[[Any], str]] = {
    TEXT: _text_cell,
    NUMBER: _number_cell,
    DECIMAL: _decimal_cell,
    DATE: _date_cell,
    DATETIME: _datetime_cell,
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_names(title: str, count: int) -> list[str]:
    base = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip("'") or "Export"
    names = []
    for n in range(1, count + 1):
        suffix = "" if n == 1 else f" ({n})"
        names.append(base[: 31 - len(suffix)] + suffix)
    return names


class _SheetStream:
    """One worksheet being written: its XML goes straight into the zip's deflate stream."""

    def __init__(self, archive: zipfile.ZipFile, number: int, columns: Sequence[Column]) -> None:
        self.stream = archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        self.rows = 0  # rows written, header included
        self.width = len(columns)
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>' for i, c in enumerate(columns, start=1)
        )
        header = "".join(
            f'<c t="inlineStr" s="{_STYLE_HEADER}"><is><t>{escape(neutralise(c.header))}</t></is></c>' for c in columns
        )
        self.stream.write(
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheetPr filterMode="false"/>'
                '<sheetViews><sheetView workbookViewId="0" tabSelected="'
                + ("1" if number == 1 else "0")
                + '"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/>'
                f"<cols>{cols}</cols><sheetData>"
                f'<row r="1">{header}</row>'
            ).encode()
        )
        self.rows = 1

    @property
    def filter_ref(self) -> str:
        return f"A1:{_column_letter(self.width - 1)}{self.rows}"

    def write(self, chunk: str) -> None:
        self.stream.write(chunk.encode())

    def close(self) -> None:
        self.stream.write(
            (
                f'</sheetData><autoFilter ref="{self.filter_ref}"/>'
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                "</worksheet>"
            ).encode()
        )
        self.stream.close()


@dataclass(frozen=True)
class Table:
    """One table of a workbook: its sheet title, its columns and its rows (an iterator, consumed once)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def write_xlsx(
    target: str | Path | IO[bytes],
    *,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Export",
    max_rows: int = EXCEL_MAX_ROWS,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 50_000,
) -> WriteResult:
    """Write ``rows`` (an iterator, consumed once) to an XLSX file at ``target``.

    ``max_rows`` is the per-sheet row limit, header included (tests inject a small one).
    ``on_progress`` is called with the number of data rows written so far, every
    ``progress_every`` rows.
    """
    return write_workbook(
        target,
        tables=[Table(sheet_title, columns, rows)],
        max_rows=max_rows,
        on_progress=on_progress,
        progress_every=progress_every,
    )


def write_workbook(
    target: str | Path | IO[bytes],
    *,
    tables: Sequence[Table],
    max_rows: int = EXCEL_MAX_ROWS,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 50_000,
) -> WriteResult:
    """Write several tables, one sheet each (a table past the row limit goes on over more sheets)."""
    if not tables:
        raise ValueError("A workbook needs at least one table")
    if any(not table.columns for table in tables):
        raise ValueError("An export needs at least one column")
    if max_rows < 2:
        raise ValueError("A sheet holds the header plus at least one row")
    written = 0
    sheets: list[_SheetStream] = []
    names: list[str] = []
    next_progress = progress_every
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for table in tables:
            columns = table.columns
            pairs = list(enumerate([_CELL_WRITERS[c.kind] for c in columns]))
            sheet = _SheetStream(archive, len(sheets) + 1, columns)
            table_sheets = [sheet]
            buffer: list[str] = []
            try:
                for row in table.rows:
                    if sheet.rows >= max_rows:
                        sheet.write("".join(buffer))
                        buffer.clear()
                        sheet.close()
                        sheet = _SheetStream(archive, len(sheets) + len(table_sheets) + 1, columns)
                        table_sheets.append(sheet)
                    sheet.rows += 1
                    buffer.append("<row>" + "".join([w(row[i]) for i, w in pairs]) + "</row>")
                    written += 1
                    if len(buffer) >= _FLUSH_ROWS:
                        sheet.write("".join(buffer))
                        buffer.clear()
                        if on_progress is not None and written >= next_progress:
                            on_progress(written)
                            next_progress = written + progress_every
            except BaseException:
                sheet.stream.close()  # lets the zip file close; the caller removes the partial file
                raise
            sheet.write("".join(buffer))
            sheet.close()
            sheets += table_sheets
            names += sheet_names(table.title, len(table_sheets))
        _write_package(archive, sheets, names)
    if on_progress is not None:
        on_progress(written)
    return WriteResult(rows=written, sheets=len(sheets))


def _write_package(archive: zipfile.ZipFile, sheets: list[_SheetStream], names: list[str]) -> None:
    count = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    archive.writestr(
        "[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>",
    )
    archive.writestr(
        "_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
    )
    sheet_entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1)
    )
    # The hidden name Excel itself writes for each sheet's autofilter.
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{escape(_quote_sheet(name))}!{_absolute(sheet.filter_ref)}</definedName>"
        for n, (name, sheet) in enumerate(zip(names, sheets, strict=True))
    )
    archive.writestr(
        "xl/workbook.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheet_entries}</sheets>'
        f"<definedNames>{filters}</definedNames></workbook>",
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{sheet_rels}<Relationship Id="rId{count + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>',
    )
    archive.writestr("xl/styles.xml", _STYLES)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    start, end = ref.split(":")
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in (start, end))


# Number formats: 164 date, 165 date and time, 166 decimal with two places.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/>'
    '<numFmt numFmtId="166" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDCE6F1"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
