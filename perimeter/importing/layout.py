"""The listing workbook: its sheets, their columns and how each cell is read.

Sheets "Membres" and "Sites" are required, "Interlocuteurs" is optional; every other
sheet (the template's "Instructions") is ignored. Headers are matched without regard to
case, accents or surrounding spaces; enumerations accept the code or the French label.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from perimeter.choices import ContactRole, Distributor, Fluid, MemberKind, Segment, TariffFormula, TariffOption

TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
BOOLEAN = "boolean"
ENUM = "enum"

MEMBERS = "Membres"
CONTACTS = "Interlocuteurs"
SITES = "Sites"
INSTRUCTIONS = "Instructions"


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how headers and labels are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _enum(choices: type[models.TextChoices], **aliases: str) -> dict[str, str]:
    mapping = {fold(str(c.value)): str(c.value) for c in choices}
    mapping.update({fold(str(c.label)): str(c.value) for c in choices})
    mapping.update({fold(alias): value for alias, value in aliases.items()})
    return mapping


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a sheet: header, model field, kind of value, required or not, an example."""

    header: str
    field: str
    kind: str = TEXT
    required: bool = False
    example: object = ""
    choices: Mapping[str, str] = dataclasses.field(default_factory=dict)
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    required: bool = True
    help: str = ""

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


CUSTOMER_NUMBER = ColumnSpec("N° client", "customer_number", required=True, example="C00000001")

MEMBER_SHEET = SheetSpec(
    MEMBERS,
    (
        CUSTOMER_NUMBER,
        ColumnSpec("Raison sociale", "legal_name", required=True, example="Commune de Bayeux"),
        ColumnSpec(
            "Type",
            "kind",
            ENUM,
            example="Commune",
            choices=_enum(MemberKind, ecole="school", college="school", lycee="school", hopital="hospital"),
            help="Commune, Intercommunalité, Établissement scolaire, Établissement de santé, Autre",
        ),
        ColumnSpec("SIREN", "siren", example="211400478"),
        ColumnSpec("SIRET", "siret", required=True, example="21140047800015"),
        ColumnSpec("Adresse", "address_line", example="Hôtel de ville, 19 rue Larcher"),
        ColumnSpec("Code postal", "postcode", example="14400"),
        ColumnSpec("Commune", "city", example="Bayeux"),
        ColumnSpec("Code INSEE", "insee_code", example="14047"),
        ColumnSpec("SIRET ChorusPro", "chorus_siret", example="21140047800015"),
        ColumnSpec("Code service ChorusPro", "chorus_service_code", example="FINANCES"),
        ColumnSpec("N° d'engagement ChorusPro", "chorus_commitment_number", example=""),
        ColumnSpec("Code service obligatoire", "chorus_service_required", BOOLEAN, example="Oui", help="Oui / Non"),
        ColumnSpec(
            "N° d'engagement obligatoire", "chorus_commitment_required", BOOLEAN, example="Non", help="Oui / Non"
        ),
    ),
    help="Une ligne par membre du lot ; le N° client identifie le membre d'un import à l'autre.",
)

CONTACT_SHEET = SheetSpec(
    CONTACTS,
    (
        CUSTOMER_NUMBER,
        ColumnSpec(
            "Rôle",
            "role",
            ENUM,
            required=True,
            example="Administratif",
            choices=_enum(ContactRole, administrative="administrative"),
            help="Administratif, Facturation, Technique",
        ),
        ColumnSpec("Nom", "last_name", required=True, example="Martin"),
        ColumnSpec("Prénom", "first_name", example="Claire"),
        ColumnSpec("Fonction", "job_title", example="Directrice des finances"),
        ColumnSpec("Téléphone", "phone", example="02 31 92 03 30"),
        ColumnSpec("E-mail", "email", example="finances@mairie-bayeux.fr"),
    ),
    required=False,
    help="Facultative. Un interlocuteur est reconnu par son membre, son rôle et son e-mail (à défaut son nom).",
)

SITE_SHEET = SheetSpec(
    SITES,
    (
        CUSTOMER_NUMBER,
        ColumnSpec("Point de livraison", "delivery_point", required=True, example="30001234567890", help="PRM ou PCE"),
        ColumnSpec("Énergie", "fluid", ENUM, required=True, example="Électricité", choices=_enum(Fluid, gaz="gas")),
        ColumnSpec(
            "Gestionnaire de réseau",
            "distributor",
            ENUM,
            required=True,
            example="Enedis",
            choices=_enum(Distributor, eld="ELD_ELEC"),
        ),
        ColumnSpec("Segment", "segment", ENUM, required=True, example="C5", choices=_enum(Segment)),
        ColumnSpec("FTA", "tariff_formula", ENUM, required=True, example="BTINFCUST", choices=_enum(TariffFormula)),
        ColumnSpec(
            "Option tarifaire",
            "tariff_option",
            ENUM,
            required=True,
            example="BASE",
            choices=_enum(TariffOption, hp_hc="HPHC", **{"4 postes": "4P", "gaz": "GAS"}),
            help="BASE, HPHC, 4P, GAS",
        ),
        ColumnSpec("Puissance souscrite (kVA)", "subscribed_power_kva", DECIMAL, example=Decimal("12")),
        ColumnSpec("CAR (kWh)", "car_kwh", INTEGER, example=8500),
        ColumnSpec("N° de compteur", "meter_serial", example="021876543210"),
        ColumnSpec("Compteur communicant", "meter_communicating", BOOLEAN, example="Oui", help="Oui / Non"),
        ColumnSpec("Nom du site", "site_name", required=True, example="Mairie"),
        ColumnSpec("Référence interne", "internal_reference", example="BAT-001"),
        ColumnSpec("Adresse", "address_line", example="19 rue Larcher"),
        ColumnSpec("Code postal", "postcode", example="14400"),
        ColumnSpec("Commune", "city", example="Bayeux"),
        ColumnSpec("Code INSEE", "insee_code", example="14047"),
    ),
    help="Une ligne par point de livraison (PRM 14 chiffres ; PCE 14 chiffres ou GI + 6 chiffres).",
)

SHEETS = (MEMBER_SHEET, CONTACT_SHEET, SITE_SHEET)
TRUE_WORDS = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
FALSE_WORDS = {"non", "n", "no", "faux", "false", "0"}
