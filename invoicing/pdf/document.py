"""Everything an invoice PDF shows, as plain frozen dataclasses (no ORM).

The invoice pages build an `InvoiceDocument` from the database; the tests and the
benchmark build one with `sample_document`. `invoicing.pdf.render.render_invoice_pdf`
turns it into the PDF. Amounts are the engine's: `Line`s rounded to the cent per line,
per-site and invoice `Totals` as sums of them (VAT per rate on the sum of its base).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

from invoicing.engine.compute import compute_invoice, credit_note_of, totals_of
from invoicing.engine.types import (
    CeePrice,
    ContractPrices,
    InvoiceInput,
    InvoiceResult,
    Line,
    Period,
    SiteInput,
    Totals,
)

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
# Line codes of the fixed parts ("abonnement" on a French energy invoice); every other
# energy or network line is consumption, and the family "taxes" is the taxes column.
SUBSCRIPTION_CODES = frozenset({"NETWORK_MANAGEMENT", "NETWORK_METERING", "NETWORK_FIXED"})


@dataclass(frozen=True)
class Supplier:
    name: str
    address: tuple[str, ...]
    siret: str
    vat_number: str
    rcs: str  # e.g. "RCS Caen 812 345 678"
    capital: str  # e.g. "SA au capital de 12 000 000 €"
    customer_service: str  # phone, e-mail, opening hours, as printed


@dataclass(frozen=True)
class Buyer:
    legal_name: str
    address: tuple[str, ...]
    siret: str
    customer_number: str


@dataclass(frozen=True)
class MonthlyConsumption:
    month: dt.date  # first day of the month
    kwh: Decimal


@dataclass(frozen=True)
class SiteSection:
    """One site of the invoice: its recap line and its detail page."""

    delivery_point: str  # PDL/PRM (14 digits) or PCE
    site_name: str
    address: tuple[str, ...]
    segment: str  # C5, C4, T1…T4
    tariff_formula: str
    subscribed_power_kva: Decimal | None
    consumption_period: Period
    fixed_period: Period | None  # None: fixed parts billed in arrears over the consumption period
    consumption_kwh: Decimal
    lines: tuple[Line, ...]
    totals: Totals  # the engine's totals for this site
    history: tuple[MonthlyConsumption, ...] = ()  # the last 13 months, oldest first

    @property
    def subscription_excl_vat(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.code in SUBSCRIPTION_CODES), Decimal("0"))

    @property
    def taxes_excl_vat(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.family == "taxes"), Decimal("0"))

    @property
    def consumption_excl_vat(self) -> Decimal:
        return self.totals.excl_vat - self.subscription_excl_vat - self.taxes_excl_vat


@dataclass(frozen=True)
class InvoiceDocument:
    supplier: Supplier
    buyer: Buyer
    perimeter_name: str
    number: str
    kind: str  # INVOICE | CREDIT_NOTE
    issue_date: dt.date
    accounting_date: dt.date
    due_date: dt.date
    payment_delay_days: int
    payment_mode: str  # as printed, e.g. "Virement bancaire", "Mandat administratif"
    sites: tuple[SiteSection, ...]
    totals: Totals
    preceding_number: str = ""  # a credit note: the number of the invoice it cancels
    budget_reference: str = ""  # the member's perimeter/budget reference (engagement, service…)
    legal_mentions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_credit_note(self) -> bool:
        return self.kind == CREDIT_NOTE


def invoice_totals(sites: tuple[SiteSection, ...] | list[SiteSection]) -> Totals:
    """The invoice's totals over its sites, by the engine's rules: VAT per rate on the sum of every site's base."""
    return totals_of([line for site in sites for line in site.lines])


# --- A realistic, deterministic sample (tests and benchmarks), computed by the engine --------

DEFAULT_LEGAL_MENTIONS = (
    "Facture établie conformément aux articles 242 nonies A et suivants de l'annexe II du Code général des impôts.",
    "Accise sur l'électricité (article L.312-1 du Code des impositions sur les biens et services) et "
    "contribution tarifaire d'acheminement (CTA, article 18 de la loi n° 2004-803 du 9 août 2004) "
    "incluses dans la base de TVA.",
    "Tarifs d'utilisation des réseaux publics d'électricité (TURPE) fixés par délibération de la Commission de "
    "régulation de l'énergie.",
    "Réclamations : service clients ; en cas de litige non résolu sous deux mois, le médiateur national de "
    "l'énergie peut être saisi (www.energie-mediateur.fr).",
)

_STREETS = ("rue de la Mairie", "place de l'Église", "route de Caen", "avenue de la Gare", "chemin des Écoles")
_TOWNS = (
    ("14000", "Caen", "14118"),
    ("14400", "Bayeux", "14047"),
    ("14200", "Hérouville-Saint-Clair", "14327"),
    ("14100", "Lisieux", "14366"),
)
_SAMPLE_PRICES = ContractPrices(
    energy={"BASE": Decimal("0.1050"), "HP": Decimal("0.1120"), "HC": Decimal("0.0890")},
    capacity={"BASE": Decimal("0.0052"), "HP": Decimal("0.0052"), "HC": Decimal("0.0052")},
    cee=(
        CeePrice("CEE_CLASSIC", Decimal("0.48"), Decimal("0.0085")),
        CeePrice("CEE_PRECARITY", Decimal("0.22"), Decimal("0.0110")),
    ),
)
_BUILDINGS = ("École élémentaire", "Salle des fêtes", "Mairie", "Gymnase", "Éclairage public", "Médiathèque")


def _sample_site(index: int, rng: random.Random, consumption: Period, fixed: Period, issue: dt.date) -> SiteSection:
    hphc = index % 3 != 0
    power = Decimal(rng.choice((6, 9, 12, 18, 24, 36)))
    if hphc:
        energy = {"HP": Decimal(rng.randint(800, 9000)), "HC": Decimal(rng.randint(300, 4000))}
    else:
        energy = {"BASE": Decimal(rng.randint(500, 8000))}
    zip_code, town, insee = _TOWNS[index % len(_TOWNS)]
    result = compute_invoice(
        InvoiceInput(
            site=SiteInput(
                fluid="elec",
                segment="C5",
                tariff_formula="BTINFMUDT" if hphc else "BTINFCUST",
                tariff_option="HPHC" if hphc else "BASE",
                subscribed_power_kva=power,
                insee_code=insee,
            ),
            issue_date=issue,
            consumption_period=consumption,
            fixed_period=fixed,
            prices=_SAMPLE_PRICES,
            energy_kwh=energy,
        )
    )
    months = []
    first = dt.date(consumption.last.year - 1, consumption.last.month, 1)
    for step in range(13):
        year, month = divmod(first.month - 1 + step, 12)
        months.append(MonthlyConsumption(dt.date(first.year + year, month + 1, 1), Decimal(rng.randint(150, 6000))))
    return SiteSection(
        delivery_point=f"{30000000000000 + index * 7919:014d}",
        site_name=f"{_BUILDINGS[index % len(_BUILDINGS)]} {index + 1}",
        address=(f"{index % 97 + 1} {_STREETS[index % len(_STREETS)]}", f"{zip_code} {town}"),
        segment="C5",
        tariff_formula="BTINFMUDT" if hphc else "BTINFCUST",
        subscribed_power_kva=power,
        consumption_period=consumption,
        fixed_period=fixed,
        consumption_kwh=sum(energy.values(), Decimal(0)),
        lines=result.lines,
        totals=result.totals,
        history=tuple(months),
    )


def sample_supplier() -> Supplier:
    return Supplier(
        name="Énergies Normandes SA",
        address=("12 quai de la Londe", "14000 Caen"),
        siret="81234567800027",
        vat_number="FR23812345678",
        rcs="RCS Caen 812 345 678",
        capital="SA au capital de 12 000 000 €",
        customer_service=(
            "Service clients : 02 31 00 00 00 (lundi au vendredi, 8 h 30 – 18 h), clients@energies-normandes.fr"
        ),
    )


def sample_document(sites: int, *, kind: str = INVOICE, seed: int = 14) -> InvoiceDocument:
    """A grouped invoice (or its credit note) of ``sites`` electricity C5 sites, the same for the same arguments."""
    if sites < 1:
        raise ValueError("an invoice has at least one site")
    rng = random.Random(seed)  # noqa: S311  (sample data, not a secret)
    consumption = Period(dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    fixed = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    issue = dt.date(2026, 3, 1)
    sections = tuple(_sample_site(index, rng, consumption, fixed, issue) for index in range(sites))
    if kind == CREDIT_NOTE:
        sections = tuple(_negated(section) for section in sections)
    return InvoiceDocument(
        supplier=sample_supplier(),
        buyer=Buyer(
            legal_name="Communauté de communes de Bayeux Intercom",
            address=("4 place Gauquelin Despallières", "14400 Bayeux"),
            siret="20006956500018",
            customer_number="CL-0042817",
        ),
        perimeter_name="Bâtiments communaux" if sites > 1 else sections[0].site_name,
        number="F2026-000123" if kind == INVOICE else "A2026-000007",
        kind=kind,
        preceding_number="F2026-000123" if kind == CREDIT_NOTE else "",
        issue_date=issue,
        accounting_date=issue,
        due_date=issue + dt.timedelta(days=30),
        payment_delay_days=30,
        payment_mode="Virement bancaire",
        budget_reference="Engagement 2026-ENE-0142",
        sites=sections,
        totals=invoice_totals(sections),
        legal_mentions=DEFAULT_LEGAL_MENTIONS,
    )


def _negated(section: SiteSection) -> SiteSection:
    """The site as its credit note shows it: the engine's `credit_note_of` (every line and total negated)."""
    cancelled = credit_note_of(InvoiceResult(lines=section.lines, totals=section.totals))
    return replace(section, lines=cancelled.lines, totals=cancelled.totals, consumption_kwh=-section.consumption_kwh)
