"""The demo park of a syndicate, created through the park services (never raw fixtures).

``seed_syndicate(syndicate, spec, scale)`` fills any tenant with the park a spec
describes: lots, members (sizes skewed like reality: one big city, a few towns with
100–300 sites, intercommunalities, hospitals and schools, then many communes with a
handful), contacts, sites and the demo accounts. Everything is drawn from random
generators seeded per member, so a rerun plans exactly the same rows; what already
exists (lots by number, members by customer number, sites by delivery point, users by
e-mail) is reused, so the second run writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django_tenants.utils import schema_context, tenant_context
from stdnum import luhn

from accounts.choices import Module, Role
from accounts.models import User
from accounts.services import user_create, user_totp_setup
from perimeter.choices import ContactRole, Distributor, Fluid, MemberKind, TariffFormula, TariffOption
from perimeter.models import Contact, Lot, Member, Site
from perimeter.services import (
    ContactData,
    MemberData,
    SiteData,
    contacts_bulk_create,
    lot_create,
    member_lots_add,
    members_bulk_create,
    sites_bulk_create,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "Demo-Energie-2025"  # noqa: S105 - the documented demo password
# Fixed on purpose: the demo prints the account manager's codes (``manage.py totp_code``).
DEMO_TOTP_SECRET = "DEMOENERGIEFOURNISSEURGESTIONNAI"  # noqa: S105 - a demo account only
ACCOUNT_MANAGER_EMAIL = "gestionnaire@fournisseur.demo"
SCALES = ("full", "small")


# --- Specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    name: str
    postcode: str
    insee: str


@dataclass(frozen=True)
class NamedMember:
    """A member placed by hand (the big city, the towns, the demo accounts' members)."""

    legal_name: str
    kind: str
    commune: str  # where it sits (name in the communes file)
    elec_sites: int
    gas_sites: int = 0
    small_elec: int = 0  # sites at the small scale (0 and 0: absent at the small scale)
    small_gas: int = 0


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    member: str | None = None  # legal name of a named member
    modules: tuple[str, ...] = ()
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class Size:
    """Members and sites of one scale (members include the named ones)."""

    elec_members: int
    elec_sites: int
    gas_members: int
    gas_sites: int
    gas_segments: tuple[int, int, int]  # T1, T2, T3 sites
    gas_only_members: int = 0


@dataclass(frozen=True)
class SyndicateSpec:
    code: str
    name: str
    department: str
    communes_file: str
    phone_prefix: str
    customer_prefix: str
    named: tuple[NamedMember, ...]
    accounts: tuple[DemoAccount, ...]
    sizes: dict[str, Size]
    delivery_start: dt.date = dt.date(2025, 1, 1)
    delivery_end: dt.date = dt.date(2025, 12, 31)


def _town(name: str, commune: str, elec: int, gas: int, small_elec: int = 0, small_gas: int = 0) -> NamedMember:
    return NamedMember(name, MemberKind.COMMUNE, commune, elec, gas, small_elec, small_gas)


def _epci(name: str, seat: str, elec: int, gas: int) -> NamedMember:
    return NamedMember(name, MemberKind.INTERCOMMUNALITY, seat, elec, gas)


SDEC = SyndicateSpec(
    code="sdec",
    name="SDEC Énergie",
    department="14",
    communes_file="communes_calvados.csv",
    phone_prefix="02 31",
    customer_prefix="14",
    named=(
        _town("Ville de Caen", "Caen", 450, 60, 12, 5),
        _town("Ville de Falaise", "Falaise", 3, 1, 3, 1),  # kept small for the demo journey
        _town("Ville de Lisieux", "Lisieux", 290, 40),
        _town("Ville d'Hérouville-Saint-Clair", "Hérouville-Saint-Clair", 260, 35),
        _town("Ville de Vire Normandie", "Vire Normandie", 240, 30),
        _town("Ville de Bayeux", "Bayeux", 230, 30),
        _town("Ville de Honfleur", "Honfleur", 190, 20),
        _town("Ville d'Ouistreham", "Ouistreham", 165, 15),
        _town("Ville de Mondeville", "Mondeville", 150, 15),
        _town("Ville d'Ifs", "Ifs", 140, 12),
        _town("Ville de Deauville", "Deauville", 135, 12),
        _town("Ville de Trouville-sur-Mer", "Trouville-sur-Mer", 125, 10),
        _town("Ville de Cabourg", "Cabourg", 115, 10),
        _town("Ville de Colombelles", "Colombelles", 110, 10),
        _town("Ville de Courseulles-sur-Mer", "Courseulles-sur-Mer", 100, 8),
        _town("Ville de Dives-sur-Mer", "Dives-sur-Mer", 100, 8),
        _epci("Communauté urbaine Caen la Mer", "Caen", 280, 40),
        _epci("Communauté d'agglomération Lisieux Normandie", "Lisieux", 110, 15),
        _epci("Intercom de la Vire au Noireau", "Vire Normandie", 70, 10),
        _epci("Communauté de communes Cœur Côte Fleurie", "Deauville", 60, 8),
        _epci("Bayeux Intercom", "Bayeux", 50, 8),
        _epci("Communauté de communes Normandie-Cabourg-Pays d'Auge", "Dozulé", 50, 6),
        _epci("Communauté de communes du Pays de Falaise", "Falaise", 45, 6),
        _epci("Communauté de communes Cœur de Nacre", "Douvres-la-Délivrande", 40, 5),
        _epci("Pré-Bocage Intercom", "Les Monts d'Aunay", 35, 5),
        _epci("Communauté de communes Terre d'Auge", "Pont-l'Évêque", 35, 5),
        _epci("Communauté de communes Isigny-Omaha Intercom", "Isigny-sur-Mer", 30, 4),
        _epci("Communauté de communes Val ès Dunes", "Argences", 30, 4),
        _epci("Communauté de communes Seulles Terre et Mer", "Creully sur Seulles", 25, 4),
        _epci("Communauté de communes Vallées de l'Orne et de l'Odon", "Évrecy", 25, 4),
        _epci("Communauté de communes Cingal-Suisse Normande", "Thury-Harcourt-le-Hom", 25, 4),
        NamedMember("Centre hospitalier de Lisieux", MemberKind.HOSPITAL, "Lisieux", 16, 5),
        NamedMember("Centre hospitalier de Bayeux", MemberKind.HOSPITAL, "Bayeux", 12, 4),
        NamedMember("Centre hospitalier de Vire", MemberKind.HOSPITAL, "Vire Normandie", 10, 3),
        NamedMember("Centre hospitalier de Falaise", MemberKind.HOSPITAL, "Falaise", 8, 3),
        NamedMember("Lycée Malherbe", MemberKind.SCHOOL, "Caen", 7, 2),
        NamedMember("Lycée Victor Hugo", MemberKind.SCHOOL, "Caen", 6, 2),
        NamedMember("Lycée Paul Cornu", MemberKind.SCHOOL, "Lisieux", 5, 2),
        NamedMember("Lycée Charles Tellier", MemberKind.SCHOOL, "Condé-en-Normandie", 5, 2),
    ),
    accounts=(
        DemoAccount("admin@caen.demo", Role.MEMBER_ADMIN, "Ville de Caen", (), "Sophie", "Lemarchand"),
        DemoAccount(
            "agent@caen.demo",
            Role.MEMBER_USER,
            "Ville de Caen",
            (Module.CONSUMPTION, Module.BILLING),
            "Julien",
            "Hébert",
        ),
        DemoAccount("mairie@falaise.demo", Role.MEMBER_ADMIN, "Ville de Falaise", (), "Martine", "Levillain"),
        DemoAccount("coordination@sdec.demo", Role.COORDINATOR, None, (), "Pierre", "Duval"),
    ),
    sizes={
        "full": Size(330, 11_220, 249, 1_747, (155, 1_477, 115), gas_only_members=20),
        "small": Size(12, 60, 6, 15, (2, 11, 2)),
    },
)

SIEGE = SyndicateSpec(
    code="siege",
    name="SIEGE 27",
    department="27",
    communes_file="communes_eure.csv",
    phone_prefix="02 32",
    customer_prefix="27",
    named=(_town("Ville d'Évreux", "Évreux", 40, 6, 6, 2),),
    accounts=(DemoAccount("admin@evreux.demo", Role.MEMBER_ADMIN, "Ville d'Évreux", (), "Nathalie", "Lecoq"),),
    sizes={
        "full": Size(20, 130, 8, 22, (4, 16, 2)),
        "small": Size(4, 16, 2, 4, (1, 2, 1)),
    },
)

SPECS: dict[str, SyndicateSpec] = {spec.code: spec for spec in (SDEC, SIEGE)}


def communes_load(filename: str) -> list[Commune]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return [Commune(row["commune"], row["postcode"], row["insee"]) for row in csv.DictReader(handle)]


def _rng(key: str) -> random.Random:
    """A generator seeded by a text key: the same rows on every run (demo data, not secrets)."""
    return random.Random(key)  # noqa: S311


# --- Vocabulary ---------------------------------------------------------------------------

FEMALE_FIRST_NAMES = (
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Valérie",
    "Christine",
    "Sandrine",
    "Céline",
    "Stéphanie",
    "Aurélie",
    "Émilie",
    "Claire",
    "Sophie",
    "Anne",
    "Julie",
    "Camille",
    "Laure",
    "Hélène",
    "Agnès",
)
MALE_FIRST_NAMES = (
    "Jean",
    "Philippe",
    "Michel",
    "Alain",
    "Patrick",
    "Nicolas",
    "Christophe",
    "Pierre",
    "Laurent",
    "Frédéric",
    "Olivier",
    "Éric",
    "Thierry",
    "Sébastien",
    "Julien",
    "David",
    "Stéphane",
    "Vincent",
    "François",
    "Guillaume",
    "Thomas",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Leroy",
    "Moreau",
    "Lefebvre",
    "Marie",
    "Hébert",
    "Lemoine",
    "Leclerc",
    "Lecoq",
    "Duval",
    "Lemaître",
    "Leblanc",
    "Lecomte",
    "Legrand",
    "Letellier",
    "Lebrun",
    "Lemonnier",
    "Lebas",
    "Lesueur",
    "Jeanne",
    "Guérin",
    "Picard",
    "Hamel",
    "Bisson",
    "Lecanu",
    "Marais",
    "Vautier",
    "Delaunay",
    "Levesque",
    "Lebouteiller",
    "Lemarchand",
    "Tiphaine",
    "Anquetil",
    "Osmont",
    "Gosselin",
    "Roussel",
    "Lepetit",
)
# (masculine, feminine) forms of each job title.
JOB_TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    ContactRole.ADMINISTRATIVE: (
        ("Secrétaire de mairie", "Secrétaire de mairie"),
        ("Directeur général des services", "Directrice générale des services"),
    ),
    ContactRole.BILLING: (("Responsable des finances", "Responsable des finances"), ("Comptable", "Comptable")),
    ContactRole.TECHNICAL: (
        ("Responsable des services techniques", "Responsable des services techniques"),
        ("Technicien bâtiments", "Technicienne bâtiments"),
        ("Adjoint aux travaux", "Adjointe aux travaux"),
    ),
}
STREETS = (
    "rue de la République",
    "rue Jean Jaurès",
    "rue Victor Hugo",
    "avenue du Général de Gaulle",
    "rue Pasteur",
    "rue des Écoles",
    "place de la Mairie",
    "rue de l'Église",
    "rue du Moulin",
    "chemin des Prés",
    "rue de la Gare",
    "avenue de la Libération",
    "rue Guillaume le Conquérant",
    "rue du 6 Juin",
    "boulevard Maréchal Leclerc",
    "rue Saint-Jean",
    "rue des Tilleuls",
    "rue du Stade",
    "route de Bayeux",
    "rue de Bretagne",
    "rue Gambetta",
    "rue Émile Zola",
    "rue des Lilas",
    "impasse des Pommiers",
    "rue de la Mer",
    "rue du Château",
    "rue Nationale",
    "allée des Acacias",
    "rue Pierre Curie",
    "rue du Calvaire",
    "rue de Falaise",
    "quai de la Marine",
)
SCHOOL_NAMES = (
    "Jules Ferry",
    "Jacques Prévert",
    "Jean Moulin",
    "Pasteur",
    "Victor Hugo",
    "Paul Éluard",
    "Marie Curie",
    "Jean de La Fontaine",
    "Les Tilleuls",
    "Saint-Exupéry",
    "Condorcet",
    "Léon Blum",
)
# (label, weight, kVA choices, hours of use at full power, formula/option mix) for a commune's buildings.
BUILDINGS: tuple[tuple[str, int, tuple[int, ...], int], ...] = (
    ("École primaire", 10, (12, 18, 24, 36), 1100),
    ("École maternelle", 6, (9, 12, 18, 24), 1100),
    ("Restaurant scolaire", 4, (18, 24, 36), 1300),
    ("Salle des fêtes", 6, (12, 18, 24, 36), 700),
    ("Gymnase", 4, (18, 24, 36), 1000),
    ("Vestiaires du stade", 4, (9, 12, 18), 800),
    ("Église", 4, (6, 9, 12), 400),
    ("Atelier municipal", 4, (9, 12, 18, 24), 1200),
    ("Bibliothèque", 3, (9, 12, 18), 1100),
    ("Crèche", 2, (12, 18, 24), 1500),
    ("Logement communal", 3, (6, 9, 12), 1500),
    ("Station d'épuration", 3, (24, 30, 36), 3500),
    ("Poste de relevage", 5, (3, 6, 9, 12), 2000),
    ("Cimetière", 2, (3, 6), 300),
    ("Local associatif", 3, (6, 9, 12), 700),
)
EPCI_BUILDINGS: tuple[tuple[str, int, tuple[int, ...], int], ...] = (
    ("Station d'épuration", 8, (24, 30, 36), 3500),
    ("Poste de relevage", 12, (3, 6, 9, 12), 2000),
    ("Déchetterie", 4, (9, 12, 18), 900),
    ("Piscine communautaire", 1, (36,), 3000),
    ("Médiathèque", 2, (18, 24, 36), 1200),
    ("Office de tourisme", 2, (9, 12, 18), 1100),
    ("Château d'eau", 3, (6, 9, 12), 1500),
    ("Siège communautaire", 1, (24, 36), 1300),
    ("Gymnase intercommunal", 2, (24, 36), 1000),
)
ESTABLISHMENT_BUILDINGS: tuple[tuple[str, int, tuple[int, ...], int], ...] = (
    ("Bâtiment administratif", 2, (24, 36), 1400),
    ("Pavillon", 4, (18, 24, 36), 1800),
    ("Cuisine centrale", 1, (36,), 2200),
    ("Internat", 2, (24, 36), 1600),
    ("Ateliers", 2, (18, 24, 36), 1200),
    ("Logement de fonction", 2, (9, 12), 1500),
)
GAS_NAMES = {
    "T3": ("Chaufferie centrale", "Centre aquatique", "Groupe scolaire", "Hôtel de ville", "Bâtiment principal"),
    "T2": (
        "École primaire",
        "Mairie",
        "Salle des fêtes",
        "Gymnase",
        "Crèche",
        "Médiathèque",
        "Restaurant scolaire",
        "Centre socioculturel",
        "Bâtiment administratif",
    ),
    "T1": ("Logement de fonction", "Vestiaires du stade", "Presbytère", "Local associatif", "Logement communal"),
}
GAS_CAR = {"T1": (1_000, 5_999), "T2": (6_000, 300_000), "T3": (300_000, 5_000_000)}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c if c.isalnum() else "-" for c in ascii_text).strip("-").replace("--", "-")


def _of(name: str) -> str:
    """French "de" with elision and contraction: "d'Ifs", "du Molay-Littry", "des Monts d'Aunay"."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.startswith("La "):
        return "de " + name
    first = unicodedata.normalize("NFKD", name[0]).encode("ascii", "ignore").decode().upper()
    return ("d'" if first in "AEIOUYH" and not name.startswith("Hérouville") else "de ") + name


def _siren(prefix: str, rng: random.Random, taken: set[str]) -> str:
    while True:
        body = (prefix + "".join(rng.choice("0123456789") for _ in range(8)))[:8]
        siren = body + luhn.calc_check_digit(body)
        if siren not in taken:
            taken.add(siren)
            return siren


def _siret(siren: str, nic: int = 1) -> str:
    body = f"{siren}{nic:04d}"
    return body + luhn.calc_check_digit(body)


def _phone(rng: random.Random, prefix: str) -> str:
    """A French number: a landline of the département ("02 31 …") or a mobile ("06 …")."""
    pairs = [f"{rng.randrange(100):02d}" for _ in range(5 - len(prefix.split()))]
    # Metropolitan mobiles only (the draws stay the same): 07 3x–07 9x are allotted to
    # mobiles, and 06 39 and 06 90–06 97 belong to the overseas départements' plans.
    if prefix == "07":
        pairs[0] = f"{73 + int(pairs[0]) % 27}"
    elif prefix == "06":
        pairs[0] = f"{int(pairs[0]) % 39:02d}"
    return " ".join([prefix, *pairs])


def _sizes(total: int, count: int, rng: random.Random, low: int, high: int, sigma: float) -> list[int]:
    """``count`` member sizes in [low, high] summing to ``total``, skewed (log-normal), largest first."""
    if count <= 0:
        return []
    raw = sorted((rng.lognormvariate(0, sigma) for _ in range(count)), reverse=True)
    scale = total / sum(raw)
    sizes = [min(high, max(low, round(value * scale))) for value in raw]
    # Nudge towards the exact total, largest members first, staying within bounds.
    step = 1 if sum(sizes) < total else -1
    index = 0
    guard = 0
    while sum(sizes) != total and guard < 100 * count + total:
        i = index % count
        if low <= sizes[i] + step <= high:
            sizes[i] += step
        index += 1
        guard += 1
    return sorted(sizes, reverse=True)


# --- The plan: every row, decided before anything is written --------------------------------


@dataclass
class PlannedMember:
    data: MemberData
    elec_sites: int
    gas_sites: int
    commune: Commune


@dataclass
class SeedStats:
    """What a seed run found and wrote, with the time of each phase (seconds)."""

    syndicate: str = ""
    members: int = 0
    members_created: int = 0
    contacts_created: int = 0
    elec_sites: int = 0
    gas_sites: int = 0
    sites_created: int = 0
    users_created: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _generic_members(spec: SyndicateSpec, communes: list[Commune], used: set[str]) -> list[tuple[str, str, Commune]]:
    """The pool of ordinary members, in a fixed order: communes, then their satellite bodies."""
    free = [c for c in communes if c.name not in used]
    pool: list[tuple[str, str, Commune]] = [(f"Commune {_of(c.name)}", MemberKind.COMMUNE, c) for c in free]
    pool += [(f"Syndicat intercommunal scolaire {_of(c.name)}", MemberKind.OTHER, c) for c in communes[::3]]
    pool += [(f"SIAEP de la région {_of(c.name)}", MemberKind.OTHER, c) for c in communes[1::4]]
    pool += [(f"EHPAD {_of(c.name)}", MemberKind.HOSPITAL, c) for c in communes[2::3]]
    pool += [
        (f"Collège {name} ({c.name})", MemberKind.SCHOOL, c)
        for name, c in zip(SCHOOL_NAMES * 8, communes[::2], strict=False)
    ]
    pool += [(f"CCAS {_of(c.name)}", MemberKind.OTHER, c) for c in communes]
    return pool


def plan_members(spec: SyndicateSpec, scale: str) -> list[PlannedMember]:
    size = spec.sizes[scale]
    communes = communes_load(spec.communes_file)
    by_name = {c.name: c for c in communes}
    rng = _rng(f"{spec.code}:members:{scale}")
    taken: set[str] = set()
    planned: list[PlannedMember] = []

    def add(legal_name: str, kind: str, commune: Commune, number: str, elec: int, gas: int) -> None:
        member_rng = _rng(f"{spec.code}:{number}")
        prefixes: dict[str, str] = {
            MemberKind.COMMUNE: f"21{commune.insee[:2]}0{commune.insee[2:]}",
            MemberKind.INTERCOMMUNALITY: "200",
            MemberKind.HOSPITAL: f"26{spec.department}",
            MemberKind.SCHOOL: f"19{spec.department}",
        }
        prefix = prefixes.get(kind, f"25{spec.department}")
        siren = _siren(prefix, member_rng, taken)
        data = MemberData(
            legal_name=legal_name,
            kind=kind,
            siren=siren,
            siret=_siret(siren),
            customer_number=number,
            address_line=f"{member_rng.randrange(1, 40)} {member_rng.choice(STREETS)}",
            postcode=commune.postcode,
            city=commune.name,
            insee_code=commune.insee,
            chorus_siret=_siret(siren),
            chorus_service_required=kind in {MemberKind.HOSPITAL, MemberKind.INTERCOMMUNALITY},
            chorus_service_code="FINANCES" if kind in {MemberKind.HOSPITAL, MemberKind.INTERCOMMUNALITY} else "",
        )
        planned.append(PlannedMember(data, elec, gas, commune))

    named = [m for m in spec.named if scale == "full" or m.small_elec or m.small_gas]
    for index, member in enumerate(spec.named, start=1):
        if member not in named:
            continue
        elec = member.elec_sites if scale == "full" else member.small_elec
        gas = member.gas_sites if scale == "full" else member.small_gas
        number = f"{spec.customer_prefix}{index:06d}"
        add(member.legal_name, member.kind, by_name[member.commune], number, elec, gas)

    pool = _generic_members(spec, communes, {m.commune for m in spec.named if m.kind == MemberKind.COMMUNE})
    elec_count = size.elec_members - sum(1 for m in planned if m.elec_sites)
    gas_named = sum(1 for m in planned if m.gas_sites)
    chosen = pool[: elec_count + size.gas_only_members]
    if len(chosen) < elec_count + size.gas_only_members:
        raise ValueError(f"Pas assez de communes dans {spec.communes_file} pour {size.elec_members} membres.")
    elec_total = size.elec_sites - sum(m.elec_sites for m in planned)
    # Generic members stay below the named ones (Caen must remain the largest, even at the small scale).
    largest = max((m.elec_sites for m in planned), default=96) - 1
    elec_sizes = _sizes(elec_total, elec_count, rng, 2 if scale == "full" else 1, min(95, largest), 1.1)
    gas_generic = size.gas_members - gas_named
    # Most gas members are also electricity members: the larger ones (they own boilers), plus a few gas-only.
    gas_from_elec = max(0, gas_generic - size.gas_only_members)
    gas_total = size.gas_sites - sum(m.gas_sites for m in planned)
    largest_gas = max((m.gas_sites for m in planned), default=41) - 1
    gas_sizes = _sizes(gas_total, gas_generic, rng, 1, min(40, largest_gas), 0.9)
    gas_of = {index: gas_sizes[i] for i, index in enumerate(sorted(rng.sample(range(elec_count), gas_from_elec)))}
    for offset, (legal_name, kind, commune) in enumerate(chosen):
        number = f"{spec.customer_prefix}{1000 + offset:06d}"
        if offset < elec_count:
            add(legal_name, kind, commune, number, elec_sizes[offset], gas_of.get(offset, 0))
        else:
            add(legal_name, kind, commune, number, 0, gas_sizes[gas_from_elec + offset - elec_count])
    return planned


def _contacts(member: Member, planned: PlannedMember, phone_prefix: str) -> list[ContactData]:
    rng = _rng(f"contacts:{planned.data.customer_number}")
    roles = [ContactRole.ADMINISTRATIVE]
    if rng.random() < 0.7:
        roles.append(ContactRole.BILLING)
    if rng.random() < 0.5 or planned.elec_sites + planned.gas_sites > 50:
        roles.append(ContactRole.TECHNICAL)
    domain = _slug(planned.commune.name) + ".demo"
    rows = []
    for role in roles:
        female = rng.random() < 0.6
        first = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        rows.append(
            ContactData(
                member=member,
                role=role,
                first_name=first,
                last_name=last,
                job_title=rng.choice(JOB_TITLES[role])[int(female)],
                phone=_phone(rng, rng.choice([phone_prefix, "06", "07"])),
                email=f"{_slug(first)}.{_slug(last)}@{domain}",
            )
        )
    return rows


def _building_catalogue(kind: str) -> tuple[tuple[str, int, tuple[int, ...], int], ...]:
    if kind == MemberKind.INTERCOMMUNALITY:
        return EPCI_BUILDINGS
    if kind in {MemberKind.HOSPITAL, MemberKind.SCHOOL}:
        return ESTABLISHMENT_BUILDINGS
    return BUILDINGS


def _meter(rng: random.Random) -> tuple[str, bool]:
    communicating = rng.random() >= 0.1  # about one meter in ten is not yet a Linky / Gazpar
    return f"{rng.randrange(10**11, 10**12):012d}" if communicating else f"{rng.randrange(10**13):014d}", communicating


def _unique(name: str, seen: Counter[str]) -> str:
    seen[name] += 1
    return name if seen[name] == 1 else f"{name} ({seen[name]})"


def _elec_sites(member: Member, planned: PlannedMember, lot: Lot, contact: Contact | None) -> list[SiteData]:
    rng = _rng(f"elec:{planned.data.customer_number}")
    kind = planned.data.kind
    catalogue = _building_catalogue(kind)
    weights = [b[1] for b in catalogue]
    lighting_shares: dict[str, float] = {MemberKind.COMMUNE: 0.45, MemberKind.INTERCOMMUNALITY: 0.3}
    lighting_share = lighting_shares.get(kind, 0.05)
    seen: Counter[str] = Counter()
    rows: list[SiteData] = []
    commune = planned.commune
    kvas: tuple[int, ...]
    for index in range(planned.elec_sites):
        street = rng.choice(STREETS)
        if index == 0 and kind == MemberKind.COMMUNE:
            name, kvas, hours, use = (
                ("Mairie" if planned.elec_sites < 60 else "Hôtel de ville"),
                (18, 24, 36),
                1300,
                "B",
            )
        elif rng.random() < lighting_share:
            name = f"Éclairage public – {street[0].upper()}{street[1:]}"
            kvas, hours, use = (3, 6, 6, 9, 9, 12, 12, 15, 18, 24, 30, 36), 4100, "L"
        else:
            position = rng.choices(range(len(catalogue)), weights)[0]
            name, _, kvas, hours = catalogue[position]
            use = "B"
            if name.startswith("École"):
                name = f"{name} {rng.choice(SCHOOL_NAMES)}"
            elif kind in {MemberKind.HOSPITAL, MemberKind.SCHOOL}:
                name = f"{planned.data.legal_name} – {name}"
        kva = rng.choice(kvas)
        if use == "L":
            formula, option = TariffFormula.BTINFCUST, TariffOption.BASE
            car = kva * hours * rng.uniform(0.45, 0.8)
        else:
            draw = rng.random()
            if draw >= 0.98:  # long use: a few pumping stations and heated buildings
                formula, option, kva = TariffFormula.BTINFLU, TariffOption.BASE, max(kva, 24)
            elif draw >= 0.87 and kva >= 18:  # four posts pay off on larger buildings only
                formula = TariffFormula.BTINFMU4 if draw < 0.95 else TariffFormula.BTINFCU4
                option = TariffOption.FOUR_POSTS
            elif draw >= 0.62:
                formula, option = TariffFormula.BTINFCUST, TariffOption.BASE
            else:
                formula, option = TariffFormula.BTINFMUDT, TariffOption.HPHC
            car = kva * hours * rng.lognormvariate(-0.2, 0.35)
        serial, communicating = _meter(rng)
        rows.append(
            SiteData(
                member=member,
                lot=lot,
                fluid=Fluid.ELECTRICITY,
                delivery_point=f"{rng.choice('0125')}{rng.randrange(10**13):013d}",
                distributor=Distributor.ENEDIS,
                segment="C5",
                tariff_formula=formula,
                tariff_option=option,
                subscribed_power_kva=Decimal(kva),
                car_kwh=max(100, int(round(car, -1))),
                meter_serial=serial,
                meter_communicating=communicating,
                site_name=_unique(name, seen),
                contact=contact,
                internal_reference=f"{'EP' if use == 'L' else 'BAT'}-{index + 1:04d}",
                address_line=f"{rng.randrange(1, 120)} {street}",
                postcode=commune.postcode,
                city=commune.name,
                insee_code=commune.insee,
            )
        )
    return rows


def _gas_sites(
    member: Member, planned: PlannedMember, lot: Lot, contact: Contact | None, segments: list[str]
) -> list[SiteData]:
    rng = _rng(f"gas:{planned.data.customer_number}")
    seen: Counter[str] = Counter()
    rows: list[SiteData] = []
    commune = planned.commune
    for index, segment in enumerate(segments):
        name = rng.choice(GAS_NAMES[segment])
        if name == "École primaire":
            name = f"{name} {rng.choice(SCHOOL_NAMES)}"
        low, high = GAS_CAR[segment]
        car = math.exp(rng.uniform(math.log(low), math.log(high)))
        serial, communicating = _meter(rng)
        rows.append(
            SiteData(
                member=member,
                lot=lot,
                fluid=Fluid.GAS,
                delivery_point=f"{rng.choice('0123')}{rng.randrange(10**13):013d}",
                distributor=Distributor.GRDF,
                segment=segment,
                tariff_formula=segment,
                tariff_option=TariffOption.GAS,
                car_kwh=min(high, max(low, int(round(car, -1)))),
                meter_serial=serial,
                meter_communicating=communicating,
                site_name=_unique(name, seen),
                contact=contact,
                internal_reference=f"GAZ-{index + 1:04d}",
                address_line=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
                postcode=commune.postcode,
                city=commune.name,
                insee_code=commune.insee,
            )
        )
    return rows


# --- Seeding ------------------------------------------------------------------------------


def _lots(spec: SyndicateSpec) -> tuple[Lot, Lot]:
    existing = {lot.number: lot for lot in Lot.objects.filter(number__in=[1, 3])}
    period = {"delivery_start": spec.delivery_start, "delivery_end": spec.delivery_end}
    elec = existing.get(1) or lot_create(
        number=1,
        name="Électricité C5",
        fluid=Fluid.ELECTRICITY,
        segment_family="C5",
        offer_name="Prix fixe 2025",
        **period,
    )
    gas = existing.get(3) or lot_create(
        number=3,
        name="Gaz naturel",
        fluid=Fluid.GAS,
        segment_family="T1/T2/T3",
        offer_name="Prix fixe 2025",
        **period,
    )
    return elec, gas


def _users(spec: SyndicateSpec, members: dict[str, Member]) -> int:
    existing = set(User.objects.filter(email__in=[a.email for a in spec.accounts]).values_list("email", flat=True))
    created = 0
    for account in spec.accounts:
        if account.email in existing:
            continue
        user_create(
            email=account.email,
            role=account.role,
            member=members[account.member] if account.member else None,
            modules=account.modules,
            first_name=account.first_name,
            last_name=account.last_name,
            password=DEMO_PASSWORD,
        )
        created += 1
    return created


def account_manager_ensure() -> bool:
    """The supplier's demo account manager, in the public schema, with a fixed TOTP secret."""
    with schema_context("public"):
        if User.objects.filter(email=ACCOUNT_MANAGER_EMAIL).exists():
            return False
        user = user_create(
            email=ACCOUNT_MANAGER_EMAIL,
            role=Role.ACCOUNT_MANAGER,
            first_name="Claire",
            last_name="Fournier",
            password=DEMO_PASSWORD,
        )
        user_totp_setup(user=user, secret=DEMO_TOTP_SECRET)
        return True


def account_manager_follow(syndicate: Any) -> None:
    """The demo account manager follows ``syndicate`` (its portfolio; idempotent)."""
    with schema_context("public"):
        manager = User.objects.filter(email=ACCOUNT_MANAGER_EMAIL).first()
        if manager is not None:
            syndicate.account_managers.add(manager)


def seed_syndicate(syndicate: Any, spec: SyndicateSpec, scale: str = "full") -> SeedStats:
    """Create (or complete) the demo park of ``spec`` in the schema of ``syndicate``."""
    if scale not in SCALES:
        raise ValueError(f"Échelle inconnue : {scale} ({', '.join(SCALES)}).")
    with tenant_context(syndicate), transaction.atomic():
        return _seed(spec, scale)


def _seed(spec: SyndicateSpec, scale: str) -> SeedStats:
    stats = SeedStats(syndicate=spec.code)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats.timings[name] = round(now - clock, 2)
        clock = now

    plan = plan_members(spec, scale)
    lot_elec, lot_gas = _lots(spec)
    lap("plan")

    numbers = [p.data.customer_number for p in plan]
    existing = {m.customer_number: m for m in Member.objects.filter(customer_number__in=numbers)}
    new = [p for p in plan if p.data.customer_number not in existing]
    for p in new:
        p.data.lots = [lot for lot, n in ((lot_elec, p.elec_sites), (lot_gas, p.gas_sites)) if n]
    created = members_bulk_create(rows=[p.data for p in new])
    members = {**existing, **{m.customer_number: m for m in created}}
    # Members created by an earlier run keep (or regain) their lots: idempotent.
    member_lots_add(
        pairs=[
            (members[p.data.customer_number], lot)
            for p in plan
            for lot, n in ((lot_elec, p.elec_sites), (lot_gas, p.gas_sites))
            if n
        ]
    )
    stats.members, stats.members_created = len(plan), len(created)
    lap("members")

    contact_rows = [row for p in new for row in _contacts(members[p.data.customer_number], p, spec.phone_prefix)]
    stats.contacts_created = len(contacts_bulk_create(rows=contact_rows))
    technical: dict[int, Contact] = {}
    for person in Contact.objects.filter(member__in=list(members.values())).order_by("id"):
        if person.role == ContactRole.TECHNICAL or person.member_id not in technical:
            technical[person.member_id] = person
    lap("contacts")

    size = spec.sizes[scale]
    t1, t2, t3 = size.gas_segments
    segments = ["T1"] * t1 + ["T2"] * t2 + ["T3"] * t3
    _rng(f"{spec.code}:segments:{scale}").shuffle(segments)
    rows: list[SiteData] = []
    used = 0
    for p in plan:
        member = members[p.data.customer_number]
        contact = technical.get(member.pk)
        rows += _elec_sites(member, p, lot_elec, contact)
        rows += _gas_sites(member, p, lot_gas, contact, segments[used : used + p.gas_sites])
        used += p.gas_sites
    points = [row.delivery_point for row in rows]
    present: set[str] = set()
    for start in range(0, len(points), 5000):
        present.update(
            Site.objects.filter(delivery_point__in=points[start : start + 5000]).values_list(
                "delivery_point", flat=True
            )
        )
    lap("plan_sites")
    stats.sites_created = len(sites_bulk_create(rows=[row for row in rows if row.delivery_point not in present]))
    stats.elec_sites = sum(1 for row in rows if row.fluid == Fluid.ELECTRICITY)
    stats.gas_sites = len(rows) - stats.elec_sites
    lap("sites")

    stats.users_created = _users(spec, {p.data.legal_name: members[p.data.customer_number] for p in plan})
    lap("users")
    return stats


def seed_specs(only: Sequence[str] = ()) -> list[SyndicateSpec]:
    unknown = set(only) - set(SPECS)
    if unknown:
        raise ValueError(f"Syndicat de démonstration inconnu : {', '.join(sorted(unknown))}.")
    return [spec for code, spec in SPECS.items() if not only or code in only]
