"""Read a payments file (xlsx or csv) into rows, with French errors by line and column.

Columns, found by their header (case, accents and spaces ignored): « Numéro de facture »
(or « Facture »), « Date » (of the payment), « Montant » (incl. VAT, euros) and, optional,
« Référence ». Dates as dd/mm/yyyy, yyyy-mm-dd or spreadsheet dates; amounts as « 1 234,56 »,
« 1234.56 » or numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from openpyxl import load_workbook

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024

COL_INVOICE = "Numéro de facture"
COL_DATE = "Date"
COL_AMOUNT = "Montant"
COL_REFERENCE = "Référence"

_HEADERS = {
    "numero de facture": COL_INVOICE,
    "n de facture": COL_INVOICE,
    "facture": COL_INVOICE,
    "numero": COL_INVOICE,
    "invoice": COL_INVOICE,
    "date": COL_DATE,
    "date de paiement": COL_DATE,
    "date du paiement": COL_DATE,
    "montant": COL_AMOUNT,
    "montant ttc": COL_AMOUNT,
    "montant paye": COL_AMOUNT,
    "amount": COL_AMOUNT,
    "reference": COL_REFERENCE,
    "reference du paiement": COL_REFERENCE,
}
REQUIRED = (COL_INVOICE, COL_DATE, COL_AMOUNT)


@dataclass
class RawRow:
    line: int
    invoice: Any
    date: Any
    amount: Any
    reference: Any = ""


@dataclass
class ReadResult:
    rows: list[RawRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def error(line: int, column: str, message: str) -> dict[str, Any]:
    return {"line": line, "column": column, "message": message}


def _key(header: Any) -> str:
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    text = text.lower().replace("°", " ").replace(".", " ").replace("_", " ")
    return " ".join(text.split())


def _table(records: list[list[Any]]) -> ReadResult:
    result = ReadResult()
    if not records:
        result.errors.append(error(1, "", "Le fichier est vide."))
        return result
    columns: dict[str, int] = {}
    for index, header in enumerate(records[0]):
        name = _HEADERS.get(_key(header))
        if name and name not in columns:
            columns[name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        result.errors.append(
            error(1, ", ".join(missing), "Colonne manquante : " + ", ".join(f"« {m} »" for m in missing) + ".")
        )
        return result
    if len(records) - 1 > MAX_ROWS:
        result.errors.append(error(1, "", f"Le fichier dépasse {MAX_ROWS} lignes : découpez-le."))
        return result

    def cell(record: list[Any], name: str) -> Any:
        index = columns.get(name)
        return record[index] if index is not None and index < len(record) else None

    for number, record in enumerate(records[1:], start=2):
        if all(value in (None, "") or (isinstance(value, str) and not value.strip()) for value in record):
            continue
        result.rows.append(
            RawRow(
                number,
                cell(record, COL_INVOICE),
                cell(record, COL_DATE),
                cell(record, COL_AMOUNT),
                cell(record, COL_REFERENCE) or "",
            )
        )
    if not result.rows and not result.errors:
        result.errors.append(error(2, "", "Le fichier ne contient aucun paiement."))
    return result


def read_payments_file(stream: IO[bytes], file_name: str) -> ReadResult:
    """The rows of an xlsx or csv payments file (the format is told by its content)."""
    content = stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        return ReadResult(errors=[error(1, "", f"Fichier de plus de {MAX_BYTES // (1024 * 1024)} Mo.")])
    if content[:2] == b"PK":
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            return ReadResult(errors=[error(1, "", "Classeur Excel illisible : enregistrez-le au format .xlsx.")])
        sheet = workbook.worksheets[0]
        records = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
        workbook.close()
        return _table(records)
    text = ""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return _table([list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)])


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_amount(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
