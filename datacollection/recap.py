"""The Excel recap mailed when a member validates its journey: everything collected, one sheet per topic.

Written with the platform's one Excel writer (``spreadsheets.xlsx.write_workbook``): texts
neutralised (never a formula, QUALITY.md item 10), real dates, header frozen and filtered.
A member has at most hundreds of sites: the file is built in memory for the mail.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from billing_groups.models import BillingPerimeter
from perimeter.models import Contact, Member, Site
from spreadsheets.xlsx import DATE, NUMBER, Column, Table, write_workbook

SHEET_GENERAL = "Données générales"
SHEET_CONTACTS = "Interlocuteurs"
SHEET_SITES = "Sites"
SHEET_BILLING = "Périmètres de facturation"

GENERAL_COLUMNS = [Column("Donnée", 32), Column("Valeur", 50)]
CONTACT_COLUMNS = [
    Column("Rôle", 16),
    Column("Prénom", 16),
    Column("Nom", 20),
    Column("Fonction", 24),
    Column("Téléphone", 16),
    Column("E-mail", 30),
]
SITE_COLUMNS = [
    Column("Nom du site", 32),
    Column("Point de livraison", 18),
    Column("Énergie", 12),
    Column("Lot", 6, NUMBER),
    Column("Statut", 24),
    Column("État chez le distributeur", 20),
    Column("Gestionnaire de réseau", 20),
    Column("Segment", 9),
    Column("Option tarifaire", 16),
    Column("Date de mise en service", 14, DATE),
    Column("Référence interne", 18),
    Column("Autre référence", 18),
    Column("Adresse", 30),
    Column("Code postal", 10),
    Column("Commune", 20),
    Column("Interlocuteur", 24),
]
BILLING_COLUMNS = [
    Column("Périmètre", 36),
    Column("Segment", 9),
    Column("Type de facturation", 24),
    Column("Mode de paiement", 18),
    Column("Rythme", 14),
    Column("Envoi des factures", 16),
    Column("E-mail de réception", 26),
    Column("SIRET ChorusPro", 16),
    Column("Code service ChorusPro", 18),
    Column("Numéro d'engagement", 18),
    Column("Référence budgétaire", 18),
    Column("Site", 32),
    Column("Point de livraison", 18),
]


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
        ("Mix énergétique", member.get_energy_mix_display()),
    ]


def _contact_rows(member: Member) -> Iterator[tuple[Any, ...]]:
    for c in Contact.objects.filter(member=member).order_by("role", "last_name"):
        yield (c.get_role_display(), c.first_name, c.last_name, c.job_title, c.phone, c.email)


def _site_rows(member: Member) -> Iterator[tuple[Any, ...]]:
    sites = Site.objects.filter(member=member).select_related("contact", "lot").order_by("site_name", "pk")
    for s in sites:
        yield (
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


def _billing_rows(member: Member) -> Iterator[tuple[Any, ...]]:
    """One row per attached site; a perimeter without a site still gets its row."""
    perimeters = (
        BillingPerimeter.objects.filter(member=member).prefetch_related("attachments__site").order_by("name", "pk")
    )
    for p in perimeters:
        head = (
            p.name,
            p.segment,
            p.get_billing_type_display(),
            p.get_payment_mode_display(),
            p.get_billing_rhythm_display(),
            p.get_invoice_delivery_display(),
            p.delivery_email,
            p.chorus_siret,
            p.chorus_service_code,
            p.chorus_commitment_number,
            p.budget_reference,
        )
        sites = sorted((a.site for a in p.attachments.all()), key=lambda site: (site.site_name, site.pk))
        if not sites:
            yield (*head, "", "")
        for site in sites:
            yield (*head, site.site_name, site.delivery_point)


def build_recap_workbook(member: Member) -> bytes:
    """The recap of everything the member collected, as an .xlsx file."""
    buffer = io.BytesIO()
    write_workbook(
        buffer,
        tables=[
            Table(SHEET_GENERAL, GENERAL_COLUMNS, _general_rows(member)),
            Table(SHEET_CONTACTS, CONTACT_COLUMNS, _contact_rows(member)),
            Table(SHEET_SITES, SITE_COLUMNS, _site_rows(member)),
            Table(SHEET_BILLING, BILLING_COLUMNS, _billing_rows(member)),
        ],
    )
    return buffer.getvalue()
