"""Listing workbooks for the import tests and the bench, written with openpyxl like a user's Excel file."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from stdnum import luhn

from perimeter.importing.layout import CONTACT_SHEET, MEMBER_SHEET, SITE_SHEET


def siret(n: int) -> str:
    body = f"2{n:07d}"[-8:]
    siren = body + luhn.calc_check_digit(body)
    return siren + "0001" + luhn.calc_check_digit(siren + "0001")


def member_row(n: int, **overrides: Any) -> list[Any]:
    values = {
        "N° client": f"IMP{n:06d}",
        "Raison sociale": f"Commune importée {n}",
        "Type": "Commune",
        "SIREN": "",
        "SIRET": siret(n),
        "Adresse": "1 place de la Mairie",
        "Code postal": "14000",
        "Commune": "Caen",
        "Code INSEE": "14118",
        "SIRET ChorusPro": "",
        "Code service ChorusPro": "",
        "N° d'engagement ChorusPro": "",
        "Code service obligatoire": "Non",
        "N° d'engagement obligatoire": "Non",
        **overrides,
    }
    return [values[h] for h in MEMBER_SHEET.headers]


def contact_row(n: int, role: str = "Administratif", **overrides: Any) -> list[Any]:
    values = {
        "N° client": f"IMP{n:06d}",
        "Rôle": role,
        "Nom": f"Martin{n}",
        "Prénom": "Claire",
        "Fonction": "DGS",
        "Téléphone": "0231000000",
        "E-mail": f"contact{n}-{role[:3].lower()}@commune.test",
        **overrides,
    }
    return [values[h] for h in CONTACT_SHEET.headers]


def site_row(n: int, s: int, **overrides: Any) -> list[Any]:
    values = {
        "N° client": f"IMP{n:06d}",
        "Point de livraison": f"{50000000000000 + n * 1000 + s:014d}",
        "Énergie": "Électricité",
        "Gestionnaire de réseau": "Enedis",
        "Segment": "C5",
        "FTA": "BTINFCUST",
        "Option tarifaire": "BASE",
        "Puissance souscrite (kVA)": 12,
        "CAR (kWh)": 8000,
        "N° de compteur": f"M{n:05d}{s:04d}",
        "Compteur communicant": "Oui",
        "Nom du site": f"Site {s} de {n}",
        "Référence interne": f"REF-{s}",
        "Adresse": "2 rue du Port",
        "Code postal": "14000",
        "Commune": "Caen",
        "Code INSEE": "14118",
        **overrides,
    }
    return [values[h] for h in SITE_SHEET.headers]


def listing(
    members: Iterable[Sequence[Any]],
    sites: Iterable[Sequence[Any]],
    contacts: Iterable[Sequence[Any]] = (),
    *,
    sheet_names: tuple[str, str, str] = ("Membres", "Interlocuteurs", "Sites"),
    path: Path | None = None,
) -> bytes:
    """A listing file (write-only openpyxl: the bench writes 13,000 rows)."""
    workbook = Workbook(write_only=True)
    for name, spec, rows in zip(
        sheet_names, (MEMBER_SHEET, CONTACT_SHEET, SITE_SHEET), (members, contacts, sites), strict=True
    ):
        sheet = workbook.create_sheet(name)
        sheet.append(spec.headers)
        for row in rows:
            sheet.append(list(row))
    if path is not None:
        workbook.save(path)
        return b""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def small_listing(members: int = 3, sites_per_member: int = 2, **site_overrides: Any) -> bytes:
    return listing(
        [member_row(n) for n in range(1, members + 1)],
        [site_row(n, s, **site_overrides) for n in range(1, members + 1) for s in range(1, sites_per_member + 1)],
        [contact_row(n) for n in range(1, members + 1)],
    )
