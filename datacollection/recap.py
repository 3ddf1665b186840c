"""The Excel recap mailed when a member validates its journey: everything collected, one sheet per topic.

reports/' registry streams one table per export; this recap needs four small sheets,
so it is written with openpyxl here (the member has at most hundreds of sites). Cell
texts go through spreadsheets.xlsx.neutralise (never a formula, QUALITY.md item 10) and
dates stay real Excel dates.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perimeter.models import Contact, Member, Site
from spreadsheets.xlsx import neutralise

SHEET_GENERAL = "Données générales"
SHEET_CONTACTS = "Interlocuteurs"
SHEET_SITES = "Sites"
SHEET_BILLING = "Périmètres de facturation"


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(name) + 4)
    return sheet


def _general_rows(member: Member) -> list[tuple[str, Any]]:
    return [
        ("Raison sociale", member.legal_name),
        ("SIRET", member.siret),
        ("Numéro client", member.customer_number),
        ("Adresse", member.address_line),
        ("Code postal", member.postcode),
        ("Commune", member.city),
        ("SIRET destinataire ChorusPro", member.chorus_siret),
        ("Code service ChorusPro", member.chorus_service_code),
        ("Numéro d'engagement ChorusPro", member.chorus_commitment_number),
    ]


def _billing_rows(member: Member) -> list[tuple[Any, ...]]:
    if importlib.util.find_spec("billing_groups.models") is None:
        return []
    from billing_groups.models import BillingPerimeterSite

    attachments = (
        BillingPerimeterSite.objects.filter(perimeter__member=member)
        .select_related("perimeter", "site")
        .order_by("perimeter__name", "site__site_name")
    )
    return [
        (
            a.perimeter.name,
            a.perimeter.segment,
            a.perimeter.get_billing_type_display(),
            a.perimeter.get_payment_mode_display(),
            a.perimeter.get_billing_rhythm_display(),
            a.perimeter.get_invoice_delivery_display(),
            a.site.site_name,
            a.site.delivery_point,
        )
        for a in attachments
    ]


def build_recap_workbook(member: Member) -> bytes:
    """The recap of everything the member collected, as an .xlsx file."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    _sheet(workbook, SHEET_GENERAL, ["Donnée", "Valeur"], _general_rows(member))
    contacts = Contact.objects.filter(member=member).order_by("role", "last_name")
    _sheet(
        workbook,
        SHEET_CONTACTS,
        ["Rôle", "Prénom", "Nom", "Fonction", "Téléphone", "E-mail"],
        ((c.get_role_display(), c.first_name, c.last_name, c.job_title, c.phone, c.email) for c in contacts),
    )
    sites = Site.objects.filter(member=member).select_related("contact", "lot").order_by("site_name", "pk")
    _sheet(
        workbook,
        SHEET_SITES,
        [
            "Nom du site",
            "Point de livraison",
            "Énergie",
            "Lot",
            "Statut",
            "État chez le distributeur",
            "Gestionnaire de réseau",
            "Segment",
            "Option tarifaire",
            "Date de mise en service",
            "Référence interne",
            "Autre référence",
            "Adresse",
            "Code postal",
            "Commune",
            "Interlocuteur",
        ],
        (
            (
                s.site_name,
                s.delivery_point,
                s.get_fluid_display(),
                s.lot.number,
                s.get_status_display(),
                s.get_distributor_state_display(),
                s.get_distributor_display(),
                s.segment,
                s.get_tariff_option_display(),
                s.activation_date,
                s.internal_reference,
                s.other_reference,
                s.address_line,
                s.postcode,
                s.city,
                str(s.contact) if s.contact else "",
            )
            for s in sites
        ),
    )
    _sheet(
        workbook,
        SHEET_BILLING,
        [
            "Périmètre",
            "Segment",
            "Type de facturation",
            "Mode de paiement",
            "Rythme",
            "Envoi des factures",
            "Site",
            "Point de livraison",
        ],
        _billing_rows(member),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
