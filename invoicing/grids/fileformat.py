"""The file format of the regulated rate grids, shared by the shipped files
(`invoicing/data/rates/*.csv`), the back-office upload and the tables they are loaded into.

One row per value::

    code,scope,post,unit,value,valid_from,valid_to,reference
    TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,,CRE délibération n°2025-78

- ``code``: the component (``[A-Z0-9_]+``), its meaning is the engine's (`rates.py`);
- ``scope``: what the value applies to (a tariff formula, a gas option, a power band, an INSEE
  commune code, a département…), ``*`` for everything;
- ``post``: the metering post (BASE, HP, HC, HPH, HCH, HPE, HCE), ``*`` for every post;
- ``unit``: one of `UNITS`; ``value``: a decimal number ≥ 0 (dot as separator);
- ``valid_from`` / ``valid_to``: inclusive ISO dates, ``valid_to`` empty while in force;
- ``reference``: the legal text the value comes from (never empty).

Two rows with the same (code, scope, post) never overlap in time. Parsing is all or nothing:
every problem of the file is reported, with its line and column, in French (staff read them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

COLUMNS = ("code", "scope", "post", "unit", "value", "valid_from", "valid_to", "reference")
UNITS = frozenset(
    {
        "EUR_YEAR",  # € per year (prorated by days)
        "EUR_KVA_YEAR",  # € per kVA per year
        "EUR_KWH",  # € per kWh
        "EUR_MWH",  # € per MWh
        "EUR_2MONTHS",  # € per two months (non-communicating meter component)
        "EUR_MWH_DAY_YEAR",  # € per MWh/day per year (gas daily capacity)
        "PERCENT",  # a percentage (CTA, VAT)
    }
)
POSTS = frozenset({"*", "BASE", "HP", "HC", "HPH", "HCH", "HPE", "HCE"})
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
_SCOPE = re.compile(r"^(\*|[A-Za-z0-9_<>=.-]{1,20})$")
MAX_ROWS = 20_000
MAX_REFERENCE = 500


@dataclass(frozen=True)
class RateRow:
    code: str
    scope: str
    post: str
    unit: str
    value: Decimal
    valid_from: dt.date
    valid_to: dt.date | None
    reference: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.scope, self.post)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class GridError(ValueError):
    """A grid file that cannot be loaded; `messages` lists every problem found."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def parse_grid(text: str) -> list[RateRow]:
    """Read a grid file's text; raise `GridError` listing every problem (all or nothing)."""
    errors: list[str] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise GridError([f"Ligne 1 : l'en-tête doit être exactement « {','.join(COLUMNS)} »."])
    rows: list[RateRow] = []
    for number, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(rows) >= MAX_ROWS:
            raise GridError([f"Le fichier dépasse {MAX_ROWS} lignes."])
        if len(raw) != len(COLUMNS):
            errors.append(f"Ligne {number} : {len(raw)} colonnes au lieu de {len(COLUMNS)}.")
            continue
        cells = dict(zip(COLUMNS, (cell.strip() for cell in raw), strict=True))
        problems: list[str] = []
        if not _CODE.match(cells["code"]):
            problems.append(f"colonne code : « {cells['code']} » n'est pas un code (majuscules, chiffres, _).")
        if not _SCOPE.match(cells["scope"]):
            problems.append(f"colonne scope : « {cells['scope']} » n'est pas une portée valide (* ou un code).")
        if cells["post"] not in POSTS:
            problems.append(f"colonne post : « {cells['post']} » n'est pas un poste ({', '.join(sorted(POSTS))}).")
        if cells["unit"] not in UNITS:
            problems.append(f"colonne unit : « {cells['unit']} » n'est pas une unité ({', '.join(sorted(UNITS))}).")
        value: Decimal | None = None
        try:
            value = Decimal(cells["value"])
            if not value.is_finite() or value < 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"colonne value : « {cells['value']} » n'est pas un nombre positif (point décimal).")
            value = None
        valid_from: dt.date | None = None
        valid_to: dt.date | None = None
        try:
            valid_from = _date(cells["valid_from"])
        except ValueError:
            problems.append(f"colonne valid_from : « {cells['valid_from']} » n'est pas une date AAAA-MM-JJ.")
        if cells["valid_to"]:
            try:
                valid_to = _date(cells["valid_to"])
            except ValueError:
                problems.append(f"colonne valid_to : « {cells['valid_to']} » n'est pas une date AAAA-MM-JJ.")
        if valid_from and valid_to and valid_to < valid_from:
            problems.append("colonne valid_to : la fin de validité précède son début.")
        if not cells["reference"]:
            problems.append("colonne reference : la référence du texte (délibération, arrêté, loi) est obligatoire.")
        elif len(cells["reference"]) > MAX_REFERENCE:
            problems.append(f"colonne reference : {MAX_REFERENCE} caractères au plus.")
        if problems:
            errors.extend(f"Ligne {number}, {problem}" for problem in problems)
            continue
        assert value is not None
        assert valid_from is not None
        rows.append(
            RateRow(
                cells["code"],
                cells["scope"],
                cells["post"],
                cells["unit"],
                value,
                valid_from,
                valid_to,
                cells["reference"],
            )
        )
    errors.extend(overlaps(rows))
    if errors:
        raise GridError(errors)
    return rows


def overlaps(rows: list[RateRow]) -> list[str]:
    """Messages for rows of the same (code, scope, post) whose validity periods overlap."""
    by_key: dict[tuple[str, str, str], list[RateRow]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    messages = []
    for key, group in sorted(by_key.items()):
        group.sort(key=lambda r: r.valid_from)
        for before, after in itertools.pairwise(group):
            if before.valid_to is None or before.valid_to >= after.valid_from:
                messages.append(
                    f"{'/'.join(key)} : la période commençant le {after.valid_from.isoformat()} chevauche celle "
                    f"commençant le {before.valid_from.isoformat()}."
                )
    return messages
