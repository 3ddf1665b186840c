"""Reading the listing workbook: file checks (size, macros, sheets) and every cell turned into a typed value.

Nothing here touches the database. File-level problems raise ``ListingRefused`` with a
French message; cell-level problems become ``CellError`` rows of the error report.
"""

from __future__ import annotations

import functools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from perimeter.importing.layout import (
    BOOLEAN,
    DECIMAL,
    ENUM,
    FALSE_WORDS,
    INTEGER,
    SHEETS,
    TRUE_WORDS,
    ColumnSpec,
    SheetSpec,
    fold,
)
from perimeter.models import Contact, Member, Site

MAX_FILE_BYTES = 15 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024  # a zip bomb is refused before openpyxl opens it
MAX_ROWS_PER_SHEET = 50_000
MAX_REPORTED_ERRORS = 10_000
PROGRESS_EVERY = 2_000  # rows between two progress updates
ALLOWED_EXTENSIONS = (".xlsx",)
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xlsb")
# Identifiers typed as numbers in Excel lose their leading zeros: put them back.
ZERO_PADDED = {"postcode": 5, "insee_code": 5, "delivery_point": 14, "siret": 14, "siren": 9, "chorus_siret": 14}
MODEL_OF_SHEET: dict[str, type[models.Model]] = {"Membres": Member, "Interlocuteurs": Contact, "Sites": Site}


class ListingRefused(Exception):
    """The file as a whole cannot be imported (not an xlsx, macros, too big, a sheet or column missing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellError:
    """One line of the error report."""

    sheet: str
    row: int
    column: str
    value: str
    message: str


@dataclass
class ParsedRow:
    row: int  # the Excel row number (header is row 1)
    values: dict[str, Any]
    raw: dict[str, str] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)  # fields whose cell could not be read


@dataclass
class ParsedListing:
    rows: dict[str, list[ParsedRow]]
    errors: list[CellError]

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def check_file(path: Path, *, original_name: str, size: int) -> None:
    """Refuse what must not be opened: wrong extension, macros, oversize, not a zip, zip bomb."""
    lowered = original_name.lower()
    if lowered.endswith(MACRO_EXTENSIONS):
        raise ListingRefused(_("Les classeurs contenant des macros (%(name)s) sont refusés.") % {"name": original_name})
    if not lowered.endswith(ALLOWED_EXTENSIONS):
        raise ListingRefused(_("Le fichier « %(name)s » n'est pas un classeur Excel .xlsx.") % {"name": original_name})
    if size > MAX_FILE_BYTES:
        raise ListingRefused(
            _("Le fichier fait %(size).1f Mo : la taille maximale est de %(max)d Mo.")
            % {"size": size / 1024 / 1024, "max": MAX_FILE_BYTES // 1024 // 1024}
        )
    if size == 0:
        raise ListingRefused(_("Le fichier est vide."))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ListingRefused(
            _("Le fichier « %(name)s » n'est pas un classeur Excel .xlsx lisible.") % {"name": original_name}
        ) from exc
    names = {info.filename.lower() for info in infos}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise ListingRefused(_("Le classeur contient des macros (vbaProject.bin) : il est refusé."))
    if "xl/workbook.xml" not in names:
        raise ListingRefused(_("Le fichier « %(name)s » n'est pas un classeur Excel .xlsx.") % {"name": original_name})
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise ListingRefused(_("Le classeur est trop volumineux une fois décompressé."))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@functools.cache
def _max_length(sheet: str, field_name: str) -> int | None:
    model = Member if field_name == "customer_number" else MODEL_OF_SHEET[sheet]
    return getattr(model._meta.get_field(field_name), "max_length", None)


def parse_cell(sheet: SheetSpec, column: ColumnSpec, value: Any) -> tuple[Any, str | None]:
    """A cell's typed value, or the message that says what is wrong with it."""
    text = _text(value)
    if not text:
        if column.required:
            return None, _("La colonne « %(col)s » est obligatoire.") % {"col": column.header}
        if column.kind == BOOLEAN:
            return column.field == "meter_communicating", None
        return (None if column.kind in {INTEGER, DECIMAL} else ""), None
    if column.kind == ENUM:
        folded = fold(text)
        if folded not in column.choices:
            allowed = ", ".join(sorted(dict.fromkeys(column.choices.values())))
            return None, _("Valeur inconnue « %(v)s » (valeurs possibles : %(allowed)s).") % {
                "v": text,
                "allowed": allowed,
            }
        return column.choices[folded], None
    if column.kind == BOOLEAN:
        folded = fold(text)
        if folded in TRUE_WORDS:
            return True, None
        if folded in FALSE_WORDS:
            return False, None
        return None, _("« %(v)s » : Oui ou Non attendu.") % {"v": text}
    if column.kind == INTEGER:
        try:
            number = Decimal(text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            return None, _("« %(v)s » n'est pas un nombre entier.") % {"v": text}
        if number != number.to_integral_value():
            return None, _("« %(v)s » n'est pas un nombre entier.") % {"v": text}
        if number < 0:
            return None, _("« %(v)s » : un nombre positif est attendu.") % {"v": text}
        return int(number), None
    if column.kind == DECIMAL:
        try:
            number = Decimal(text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            return None, _("« %(v)s » n'est pas un nombre.") % {"v": text}
        if not number.is_finite() or number != number.quantize(Decimal("0.1")):
            return None, _("« %(v)s » : un nombre avec au plus une décimale est attendu.") % {"v": text}
        if abs(number) >= 1_000_000:
            return None, _("« %(v)s » : valeur trop grande.") % {"v": text}
        return number.quantize(Decimal("0.1")), None
    if column.field in ZERO_PADDED:
        text = text.replace(" ", "")
        if text.isdigit():
            text = text.zfill(ZERO_PADDED[column.field])
    limit = _max_length(sheet.name, column.field)
    if limit is not None and len(text) > limit:
        return None, _("Texte trop long : %(n)d caractères pour %(max)d au plus.") % {"n": len(text), "max": limit}
    return text, None


def _header_map(sheet: SheetSpec, header: tuple[Any, ...]) -> dict[int, ColumnSpec]:
    wanted = {fold(c.header): c for c in sheet.columns}
    found: dict[int, ColumnSpec] = {}
    for index, cell in enumerate(header):
        spec = wanted.get(fold(_text(cell)))
        if spec is not None and spec not in found.values():
            found[index] = spec
    missing = [c.header for c in sheet.columns if c not in found.values()]
    if missing:
        raise ListingRefused(
            _("Feuille « %(sheet)s » : colonne(s) manquante(s) : %(cols)s. Utilisez le modèle téléchargeable.")
            % {"sheet": sheet.name, "cols": ", ".join(f"« {m} »" for m in missing)}
        )
    return found


def read_listing(path: Path, *, on_progress: Callable[[int, int], None] | None = None) -> ParsedListing:
    """Read every sheet of the listing (openpyxl read-only); every cell is parsed, no row is written."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ListingRefused(_("Le classeur n'a pas pu être lu : est-ce bien un fichier .xlsx ?")) from exc
    try:
        by_fold = {fold(name): name for name in workbook.sheetnames}
        missing = [s.name for s in SHEETS if s.required and fold(s.name) not in by_fold]
        if missing:
            raise ListingRefused(
                _("Feuille(s) manquante(s) : %(missing)s. Le classeur doit contenir les feuilles %(expected)s.")
                % {
                    "missing": ", ".join(f"« {m} »" for m in missing),
                    "expected": ", ".join(f"« {s.name} »" for s in SHEETS),
                }
                + " "
                + _("(feuilles trouvées : %(found)s)") % {"found": ", ".join(workbook.sheetnames)}
            )
        listing = ParsedListing(rows={s.name: [] for s in SHEETS}, errors=[])
        present = [(s, workbook[by_fold[fold(s.name)]]) for s in SHEETS if fold(s.name) in by_fold]
        # The sheets' declared dimensions give the total for the progress bar (may be absent).
        total = sum(max((ws.max_row or 1) - 1, 0) for _s, ws in present)
        read = 0
        for sheet, worksheet in present:
            read = _read_sheet(worksheet, sheet, listing, read, total, on_progress)
        return listing
    finally:
        workbook.close()


def _read_sheet(
    worksheet: Any,
    sheet: SheetSpec,
    listing: ParsedListing,
    read: int,
    total: int,
    on_progress: Callable[[int, int], None] | None,
) -> int:
    rows: Iterator[tuple[Any, ...]] = worksheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ListingRefused(_("La feuille « %(sheet)s » est vide (ligne d'en-tête absente).") % {"sheet": sheet.name})
    columns = list(_header_map(sheet, header).items())
    out = listing.rows[sheet.name]
    for number, cells in enumerate(rows, start=2):
        if not any(cell is not None and _text(cell) for cell in cells):
            continue
        if len(out) >= MAX_ROWS_PER_SHEET:
            raise ListingRefused(
                _("La feuille « %(sheet)s » dépasse %(max)d lignes : découpez le fichier.")
                % {"sheet": sheet.name, "max": MAX_ROWS_PER_SHEET}
            )
        parsed = ParsedRow(row=number, values={})
        for index, spec in columns:
            value = cells[index] if index < len(cells) else None
            typed, message = parse_cell(sheet, spec, value)
            parsed.raw[spec.field] = _text(value)
            if message is not None:
                if len(listing.errors) < MAX_REPORTED_ERRORS:
                    listing.errors.append(CellError(sheet.name, number, spec.header, _text(value), message))
                parsed.values[spec.field] = None
                parsed.invalid.add(spec.field)
            else:
                parsed.values[spec.field] = typed
        out.append(parsed)
        read += 1
        if on_progress is not None and read % PROGRESS_EVERY == 0:
            on_progress(read, total)
    return read
