"""The files of an import: the error report (through the platform's XLSX writer) and the sample template."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from perimeter.importing.layout import INSTRUCTIONS, SHEETS
from perimeter.importing.reading import MAX_FILE_BYTES, MAX_ROWS_PER_SHEET, CellError
from spreadsheets.xlsx import NUMBER, Column, write_xlsx

ERROR_COLUMNS = (
    Column("Feuille", 16),
    Column("Ligne", 8, NUMBER),
    Column("Colonne", 26),
    Column("Valeur lue", 26),
    Column("Message", 90),
)


def error_report_write(target: Path, errors: Iterable[CellError]) -> int:
    """Write the error report (sheet, row, column, value, message); returns the number of lines."""
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = ([e.sheet, e.row, e.column, e.value, e.message] for e in errors)
    return write_xlsx(target, columns=ERROR_COLUMNS, rows=rows, sheet_title="Erreurs").rows


def template_workbook() -> bytes:
    """The sample listing: one sheet per part with its headers and one example row, plus instructions.

    Several named sheets and an instructions text: openpyxl (a small file written once
    per download); the platform's streaming writer is for tabular exports.
    """
    workbook = Workbook()
    instructions: Any = workbook.active
    instructions.title = INSTRUCTIONS
    bold = Font(bold=True)
    lines = [
        _("Listing du marché : modèle d'import"),
        "",
        _("Remplissez une ligne par membre (feuille « Membres »), par interlocuteur (« Interlocuteurs », facultative)"),
        _("et par point de livraison (« Sites »). Supprimez les lignes d'exemple avant l'import."),
        _("Le N° client relie les trois feuilles ; un nouvel import met à jour ce qui a changé."),
        _("Les colonnes marquées * sont obligatoires. Oui/Non pour les colonnes booléennes."),
        _("Tout est contrôlé avant écriture : une seule erreur et rien n'est importé ;"),
        _("un rapport d'erreurs (feuille, ligne, colonne, message) est alors fourni."),
        _("Limites : %(size)d Mo, %(rows)d lignes par feuille ; fichiers avec macros (.xlsm) refusés.")
        % {"size": MAX_FILE_BYTES // 1024 // 1024, "rows": MAX_ROWS_PER_SHEET},
        "",
    ]
    for line in lines:
        instructions.append([line])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.append([_("Feuille"), _("Colonne"), _("Obligatoire"), _("Valeurs / aide")])
    for cell in instructions[instructions.max_row]:
        cell.font = bold
    for sheet in SHEETS:
        for column in sheet.columns:
            instructions.append([sheet.name, column.header, _("oui") if column.required else "", column.help])
    instructions.column_dimensions["A"].width = 18
    instructions.column_dimensions["B"].width = 30
    instructions.column_dimensions["D"].width = 70
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.append(sheet.headers)
        for cell in worksheet[1]:
            cell.font = bold
        worksheet.append([_example(c.example) for c in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            worksheet.column_dimensions[worksheet.cell(1, index).column_letter].width = max(12, len(column.header) + 2)
            # Identifiers stay text so Excel keeps their leading zeros.
            worksheet.cell(2, index).number_format = "@" if isinstance(column.example, str) else "General"
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value
