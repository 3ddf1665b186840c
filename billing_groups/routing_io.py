"""The routing mapping as a spreadsheet: export (``write_xlsx``) and import (openpyxl, all or nothing).

One sheet, one row per site or billing perimeter and year:
Membre | Année | Type (Site / Périmètre) | Référence (delivery point, or the perimeter's name) |
Nom | Ligne budgétaire | Libellé de la ligne | Code service | Numéro d'engagement.
"Membre" and "Nom" are informative (ignored when imported). An imported row sets the
routing of its site or perimeter for its year: a budget line unknown for that year is
created with its label; an empty budget line on a site row removes the site's line;
a site row carries no ChorusPro code (they belong to the perimeter). Any error refuses the
whole file, listed by row and column.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.audit import audit_record
from accounts.models import User
from billing_groups import routing
from billing_groups.models import BillingPerimeter, BudgetLine, PerimeterRouting, SiteRouting
from perimeter.importing.reading import ListingRefused, check_file
from perimeter.models import Member, Site
from perimeter.selectors import members_for
from spreadsheets.xlsx import NUMBER, Column

SITE, PERIMETER = "Site", "Périmètre"
HEADERS = (
    "Membre",
    "Année",
    "Type",
    "Référence",
    "Nom",
    "Ligne budgétaire",
    "Libellé de la ligne",
    "Code service",
    "Numéro d'engagement",
)
COLUMNS = (
    Column(HEADERS[0], 30),
    Column(HEADERS[1], 8, NUMBER),
    Column(HEADERS[2], 11),
    Column(HEADERS[3], 24),
    Column(HEADERS[4], 30),
    Column(HEADERS[5], 18),
    Column(HEADERS[6], 30),
    Column(HEADERS[7], 18),
    Column(HEADERS[8], 20),
)
MAX_ROWS = 50_000
MAX_LISTED = 200


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Ligne %(row)d, colonne « %(column)s » : %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class RoutingImportRefused(ValidationError):
    """The file is refused as a whole; ``errors`` lists them by row and column."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        listed = [str(e) for e in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            listed.append(_("… et %(n)d autres erreurs.") % {"n": len(errors) - MAX_LISTED})
        super().__init__(listed, code="routing_import_refused")


def _line_cells(line: BudgetLine | None) -> tuple[str, str]:
    return (line.code, line.label) if line is not None else ("", "")


def routing_rows(user: User, *, year: int | None = None) -> Iterator[Sequence[Any]]:
    """The mapping of the members the user sees: every site and perimeter routed (optionally one year)."""
    members = members_for(user).order_by().values("pk")
    sites = SiteRouting.objects.filter(site__member__in=members).select_related("site__member", "budget_line")
    perimeters = PerimeterRouting.objects.filter(perimeter__member__in=members).select_related(
        "perimeter__member", "budget_line"
    )
    if year is not None:
        sites, perimeters = sites.filter(year=year), perimeters.filter(year=year)
    for p in perimeters.order_by("perimeter__member__legal_name", "year", "perimeter__name").iterator(chunk_size=2000):
        yield (
            p.perimeter.member.legal_name,
            p.year,
            PERIMETER,
            p.perimeter.name,
            p.perimeter.name,
            *_line_cells(p.budget_line),
            p.service_code,
            p.commitment_number,
        )
    for s in sites.order_by("site__member__legal_name", "year", "site__site_name", "site_id").iterator(chunk_size=2000):
        yield (
            s.site.member.legal_name,
            s.year,
            SITE,
            s.site.delivery_point,
            s.site.site_name,
            *_line_cells(s.budget_line),
            "",
            "",
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class _Row:
    number: int
    year: int
    kind: str
    target: Site | BillingPerimeter
    line_code: str
    line_label: str
    service_code: str
    commitment_number: str


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        missing = [h for h in HEADERS[1:] if h not in header]
        if missing:
            raise RoutingImportRefused([RowError(1, h, _("colonne absente de la première ligne.")) for h in missing])
        index = {h: header.index(h) for h in HEADERS if h in header}
        out: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(rows, start=2):
            cells = {h: _text(values[i]) if i < len(values) else "" for h, i in index.items()}
            if not any(cells.values()):
                continue
            if len(out) >= MAX_ROWS:
                raise RoutingImportRefused([RowError(number, HEADERS[1], _("plus de 50 000 lignes."))])
            out.append((number, cells))
        return out
    finally:
        workbook.close()


def _validate(member: Member, cells_by_row: list[tuple[int, dict[str, str]]]) -> tuple[list[_Row], list[RowError]]:
    sites = {s.delivery_point: s for s in Site.objects.filter(member=member)}
    perimeters = {p.name: p for p in BillingPerimeter.objects.filter(member=member).select_related("member")}
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: set[tuple[str, str, int]] = set()
    for number, cells in cells_by_row:
        row_errors: list[RowError] = []

        def fail(column: str, message: str, *, number: int = number, row_errors: list[RowError] = row_errors) -> None:
            row_errors.append(RowError(number, column, message))

        year = 0
        try:
            year = routing.clean_year(cells["Année"])
        except ValidationError as exc:
            fail("Année", exc.messages[0])
        kind = cells["Type"]
        target: Site | BillingPerimeter | None = None
        reference = cells["Référence"]
        if kind == SITE:
            target = sites.get(reference)
            if target is None:
                fail(
                    "Référence",
                    _("aucun site de votre membre n'a ce point de livraison « %(ref)s ».") % {"ref": reference},
                )
            if cells["Code service"] or cells["Numéro d'engagement"]:
                fail("Code service", _("les codes ChorusPro se renseignent sur le périmètre, pas sur le site."))
        elif kind == PERIMETER:
            target = perimeters.get(reference)
            if target is None:
                fail("Référence", _("aucun périmètre de facturation ne s'appelle « %(ref)s ».") % {"ref": reference})
        else:
            fail("Type", _("indiquez « Site » ou « Périmètre »."))
        code = cells["Ligne budgétaire"]
        if code:
            try:
                code = routing.clean_budget_code(code)
            except ValidationError as exc:
                fail("Ligne budgétaire", exc.messages[0])
        service, commitment = "", ""
        try:
            service, commitment = routing.clean_routing_codes(cells["Code service"], cells["Numéro d'engagement"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                fail("Code service" if name == "service_code" else "Numéro d'engagement", messages[0])
        if isinstance(target, BillingPerimeter) and year and not row_errors:
            try:
                routing.assert_service_code(target, year, service)
            except ValidationError as exc:
                fail("Code service", exc.message_dict["service_code"][0])
        key = (kind, reference, year)
        if target is not None and year and key in seen:
            fail("Référence", _("déjà présent plus haut pour la même année."))
        seen.add(key)
        if row_errors:
            errors.extend(row_errors)
        elif target is not None:
            rows.append(
                _Row(number, year, kind, target, code, cells.get("Libellé de la ligne", ""), service, commitment)
            )
    return rows, errors


@transaction.atomic
def routing_import(
    *, member: Member, upload: IO[bytes], name: str, size: int, actor: User | None, request: HttpRequest | None = None
) -> int:
    """Import the mapping of ``member`` from a spreadsheet: every row or none. Returns the rows applied."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        for chunk in iter(lambda: upload.read(1 << 16), b""):
            tmp.write(chunk)
        tmp.flush()
        try:
            check_file(Path(tmp.name), original_name=name, size=size)
        except ListingRefused as exc:
            raise ValidationError(exc.message, code="file_refused") from None
        cells = _read(Path(tmp.name))
    rows, errors = _validate(member, cells)
    if errors:
        raise RoutingImportRefused(errors)
    lines = {(line.year, line.code): line for line in BudgetLine.objects.filter(member=member)}
    for row in rows:
        line = None
        if row.line_code:
            line = lines.get((row.year, row.line_code))
            if line is None:
                line = BudgetLine.objects.create(member=member, year=row.year, code=row.line_code, label=row.line_label)
                lines[(row.year, row.line_code)] = line
        if isinstance(row.target, Site):
            if line is None:
                SiteRouting.objects.filter(site=row.target, year=row.year).delete()
            else:
                SiteRouting.objects.update_or_create(site=row.target, year=row.year, defaults={"budget_line": line})
        else:
            PerimeterRouting.objects.update_or_create(
                perimeter=row.target,
                year=row.year,
                defaults={
                    "budget_line": line,
                    "service_code": row.service_code,
                    "commitment_number": row.commitment_number,
                },
            )
    audit_record(
        action="routing.imported",
        actor=actor,
        request=request,
        target=member,
        details={"rows": len(rows), "file": name},
    )
    return len(rows)
