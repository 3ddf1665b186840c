"""The catalogue of technical requests, declared as data (issue 11, section 1).

Each request type declares once its fields (label, kind, required, allowed values,
unit, help text) and its rules: the earliest date a date field accepts (in working
days, French public holidays excepted), the site states that allow it, whether it may
be asked for a new site, the distributor's service code, its lead time and what its
completion changes in the park. This declaration drives the member's form
(``forms.request_form``), the server-side validation (``validation.request_data_clean``),
the API (``/api/v1/technical-requests/types/`` and the request schema per type), the
tracking table, the exports and the distributor's outbox files: no view or serializer
holds code for one type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from perimeter.choices import Distributor, Fluid, SiteStatus, TariffFormula, TariffOption
from technical_requests.choices import CompletionEffect, FieldKind

Label = str | Promise


@dataclass(frozen=True)
class Field:
    """One entry of a request type's form."""

    name: str
    label: Label
    kind: str = FieldKind.TEXT
    required: bool = True
    choices: tuple[tuple[str, Label], ...] = ()
    unit: str = ""
    help_text: Label = ""
    max_length: int = 200
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    notice_days: int | None = None  # a date: at least this many working days after today
    horizon_days: int | None = None  # a date: at most this many calendar days after today

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)


@dataclass(frozen=True)
class RequestType:
    """A service the member may ask for, with its fields and rules."""

    code: str
    label: Label
    fluid: str
    distributor_code: str  # the distributor's service code (Enedis F…, GRDF's own)
    fields: tuple[Field, ...]
    lead_days: int  # working days from its sending to the expected completion
    site_statuses: frozenset[str] = field(default_factory=frozenset)  # empty: never on a site of the park
    new_site: bool = False  # may be asked for a point not yet in the park
    effect: str = CompletionEffect.NONE
    span_days: tuple[int, int] | None = None  # from ``desired_date`` to ``end_date``: (min, max) calendar days

    def get_field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def fields_for(self, *, new_site: bool) -> tuple[Field, ...]:
        """The fields asked: the type's own, then the new point's when it is not in the park."""
        return self.fields + (NEW_SITE_FIELDS if new_site else ())


# --- Site states ----------------------------------------------------------------------------

# Sites the supplier serves or is about to serve.
SUPPLIED = frozenset({SiteStatus.TO_CONFIRM, SiteStatus.SWITCH_CONFIRMED, SiteStatus.ACTIVE})
# Every site of the member's park (a site that is not the member's excepted).
ANY_SITE = frozenset(SiteStatus.values) - {SiteStatus.NOT_MINE}
# A point no longer supplied, which a commissioning brings back.
STOPPED = frozenset({SiteStatus.ALREADY_TERMINATED, SiteStatus.TERMINATED, SiteStatus.OUT_OF_MARKET})

# --- Fields shared by several types -------------------------------------------------------

POWER_STEPS_KVA = ("3", "6", "9", "12", "15", "18", "24", "30", "36")
ACCESS_CHOICES = (
    ("free", _("Accès libre (compteur accessible sans rendez-vous)")),
    ("appointment", _("Accès sur rendez-vous (présence nécessaire)")),
    ("keys", _("Clés à retirer auprès du contact sur site")),
)
ELECTRICITY_FORMULAS = tuple((f.value, f.label) for f in TariffFormula if f.value.startswith("BT"))
ELECTRICITY_OPTIONS = tuple((o.value, o.label) for o in TariffOption if o != TariffOption.GAS)
GAS_FORMULAS = tuple((f.value, f.label) for f in TariffFormula if f.value.startswith("T"))


def _desired_date(notice: int, label: Label | None = None) -> Field:
    return Field(
        "desired_date",
        label or _("Date souhaitée"),
        FieldKind.DATE,
        notice_days=notice,
        horizon_days=365,
        help_text=_("Au plus tôt %(n)d jours ouvrés après aujourd'hui (jours fériés exclus).") % {"n": notice}
        if notice
        else "",
    )


CONTACT_NAME = Field("contact_name", _("Contact sur site"), help_text=_("Nom de la personne à joindre sur place."))
CONTACT_PHONE = Field("contact_phone", _("Téléphone du contact"), FieldKind.PHONE)
METER_ACCESS = Field("meter_access", _("Accès au compteur"), FieldKind.CHOICE, choices=ACCESS_CHOICES)
COMMENT = Field("comment", _("Commentaire"), FieldKind.LONG_TEXT, required=False, max_length=2000)
SUBJECT = Field("subject", _("Objet"), max_length=200)
MESSAGE = Field("message", _("Description"), FieldKind.LONG_TEXT, max_length=4000)

# Asked when the request is for a point that is not in the park yet.
NEW_SITE_FIELDS = (
    Field("new_site_name", _("Nom du nouveau site")),
    Field(
        "new_delivery_point",
        _("Point de livraison (PRM ou PCE)"),
        FieldKind.DELIVERY_POINT,
        required=False,
        help_text=_("14 chiffres s'il est déjà connu (obligatoire pour une mise en service)."),
    ),
    Field("new_address_line", _("Adresse du nouveau site")),
    Field("new_postcode", _("Code postal"), FieldKind.POSTCODE),
    Field("new_city", _("Commune"), max_length=100),
)


def _power(name: str = "power_kva", label: Label | None = None) -> Field:
    return Field(
        name,
        label or _("Puissance (kVA)"),
        FieldKind.CHOICE,
        choices=tuple((step, f"{step} kVA") for step in POWER_STEPS_KVA),
        unit="kVA",
        help_text=_("Paliers de puissance du distributeur pour un point de moins de 36 kVA."),
    )


E, G = Fluid.ELECTRICITY, Fluid.GAS

TYPES: tuple[RequestType, ...] = (
    # --- Electricity (Enedis services for C5/C4) -------------------------------------------
    RequestType(
        "tic_activation",
        _("Activation de la télé-information client (TIC)"),
        E,
        "F180",
        (_desired_date(2), COMMENT),
        lead_days=5,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "provisional_short",
        _("Raccordement provisoire court (moins de 28 jours)"),
        E,
        "F825",
        (
            _desired_date(10, _("Date de début")),
            Field("end_date", _("Date de fin"), FieldKind.DATE, notice_days=10, horizon_days=400),
            _power(),
            Field("event", _("Manifestation ou chantier"), help_text=_("ex. fête communale, marché de Noël")),
            CONTACT_NAME,
            CONTACT_PHONE,
        ),
        lead_days=10,
        new_site=True,
        span_days=(1, 27),
    ),
    RequestType(
        "provisional_long",
        _("Raccordement provisoire long (28 jours à 1 an)"),
        E,
        "F800B",
        (
            _desired_date(20, _("Date de début")),
            Field("end_date", _("Date de fin"), FieldKind.DATE, notice_days=20, horizon_days=730),
            _power(),
            Field("event", _("Chantier ou installation"), help_text=_("ex. travaux de l'école, bâtiment modulaire")),
            CONTACT_NAME,
            CONTACT_PHONE,
        ),
        lead_days=20,
        new_site=True,
        span_days=(28, 365),
    ),
    RequestType(
        "breaker_change",
        _("Changement de disjoncteur"),
        E,
        "F940B",
        (
            Field(
                "breaker_amps",
                _("Calibre souhaité"),
                FieldKind.CHOICE,
                choices=tuple((a, f"{a} A") for a in ("15", "30", "45", "60", "90")),
                unit="A",
            ),
            _desired_date(5),
            METER_ACCESS,
            COMMENT,
        ),
        lead_days=10,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "supplier_change",
        _("Changement de fournisseur"),
        E,
        "F130",
        (_desired_date(1, _("Date de bascule souhaitée")), COMMENT),
        lead_days=5,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "power_change",
        _("Modification de la puissance souscrite"),
        E,
        "F180",
        (_power("new_power_kva", _("Nouvelle puissance souscrite")), _desired_date(5), METER_ACCESS, COMMENT),
        lead_days=10,
        site_statuses=SUPPLIED,
        effect=CompletionEffect.POWER,
    ),
    RequestType(
        "formula_change",
        _("Changement d'option tarifaire ou de formule d'acheminement"),
        E,
        "F180",
        (
            Field(
                "new_formula",
                _("Nouvelle formule d'acheminement (FTA)"),
                FieldKind.CHOICE,
                choices=ELECTRICITY_FORMULAS,
            ),
            Field("new_option", _("Nouvelle option tarifaire"), FieldKind.CHOICE, choices=ELECTRICITY_OPTIONS),
            _desired_date(5),
            COMMENT,
        ),
        lead_days=10,
        site_statuses=SUPPLIED,
        effect=CompletionEffect.FORMULA,
    ),
    RequestType(
        "distributor_communication",
        _("Communication à l'initiative du distributeur"),
        E,
        "M007",
        (SUBJECT, MESSAGE),
        lead_days=10,
        site_statuses=ANY_SITE,
    ),
    RequestType(
        "miscellaneous", _("Demande diverse"), E, "F940B", (SUBJECT, MESSAGE), lead_days=15, site_statuses=ANY_SITE
    ),
    RequestType(
        "meter_move",
        _("Déplacement de compteur"),
        E,
        "F860",
        (
            Field("new_location", _("Nouvel emplacement"), help_text=_("ex. en limite de propriété, local technique")),
            _desired_date(20),
            CONTACT_NAME,
            CONTACT_PHONE,
            COMMENT,
        ),
        lead_days=30,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "meter_removal",
        _("Dépose de compteur"),
        E,
        "F880",
        (_desired_date(10), METER_ACCESS, COMMENT),
        lead_days=20,
        site_statuses=ANY_SITE,
        effect=CompletionEffect.TERMINATION,
    ),
    RequestType(
        "commissioning",
        _("Mise en service"),
        E,
        "F120B",
        (
            _desired_date(5, _("Date de mise en service")),
            _power("power_kva", _("Puissance souscrite")),
            CONTACT_NAME,
            CONTACT_PHONE,
            METER_ACCESS,
            COMMENT,
        ),
        lead_days=5,
        site_statuses=STOPPED,
        new_site=True,
        effect=CompletionEffect.COMMISSIONING,
    ),
    RequestType(
        "express_commissioning",
        _("Mise en service express"),
        E,
        "F1020",
        (
            _desired_date(2, _("Date de mise en service")),
            _power("power_kva", _("Puissance souscrite")),
            CONTACT_NAME,
            CONTACT_PHONE,
            METER_ACCESS,
            COMMENT,
        ),
        lead_days=2,
        site_statuses=STOPPED,
        new_site=True,
        effect=CompletionEffect.COMMISSIONING,
    ),
    RequestType(
        "optimisation_study",
        _("Étude d'optimisation tarifaire"),
        E,
        "",
        (
            Field(
                "goal",
                _("Objectif"),
                FieldKind.CHOICE,
                choices=(
                    ("power", _("Ajuster la puissance")),
                    ("formula", _("Changer de formule")),
                    ("both", _("Les deux")),
                ),
            ),
            COMMENT,
        ),
        lead_days=15,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "connection",
        _("Raccordement"),
        E,
        "F840B",
        (
            _power(),
            _desired_date(40),
            Field("building", _("Nature du bâtiment"), help_text=_("ex. vestiaires du stade, borne de recharge")),
            CONTACT_NAME,
            CONTACT_PHONE,
            COMMENT,
        ),
        lead_days=60,
        new_site=True,
    ),
    RequestType(
        "termination",
        _("Résiliation"),
        E,
        "F140B",
        (_desired_date(5, _("Date de résiliation")), METER_ACCESS, COMMENT),
        lead_days=5,
        site_statuses=SUPPLIED,
        effect=CompletionEffect.TERMINATION,
    ),
    RequestType(
        "complaint",
        _("Réclamation"),
        E,
        "",
        (SUBJECT, MESSAGE, Field("incident_date", _("Date de l'incident"), FieldKind.DATE, required=False)),
        lead_days=15,
        site_statuses=ANY_SITE,
    ),
    RequestType(
        "network_separation",
        _("Séparation de réseau"),
        E,
        "F940B",
        (_desired_date(20), CONTACT_NAME, CONTACT_PHONE, COMMENT),
        lead_days=30,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "meter_check",
        _("Vérification de compteur"),
        E,
        "F940B",
        (Field("reason", _("Motif"), FieldKind.LONG_TEXT, max_length=2000), METER_ACCESS),
        lead_days=15,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "temporary_cut",
        _("Coupure temporaire et/ou dépose"),
        E,
        "F200B",
        (
            _desired_date(10, _("Date de coupure")),
            Field("restore_date", _("Date de rétablissement prévue"), FieldKind.DATE, required=False, notice_days=10),
            Field("with_removal", _("Avec dépose du compteur"), FieldKind.BOOLEAN, required=False),
            CONTACT_NAME,
            CONTACT_PHONE,
        ),
        lead_days=10,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "restoration",
        _("Rétablissement"),
        E,
        "F200B",
        (_desired_date(2, _("Date de rétablissement")), CONTACT_NAME, CONTACT_PHONE),
        lead_days=2,
        site_statuses=ANY_SITE,
    ),
    # --- Gas (GRDF) -------------------------------------------------------------------------
    RequestType(
        "gas_commissioning",
        _("Mise en service gaz"),
        G,
        "MES",
        (_desired_date(5, _("Date de mise en service")), CONTACT_NAME, CONTACT_PHONE, METER_ACCESS, COMMENT),
        lead_days=5,
        site_statuses=STOPPED,
        new_site=True,
        effect=CompletionEffect.COMMISSIONING,
    ),
    RequestType(
        "gas_termination",
        _("Résiliation gaz"),
        G,
        "MHS-F",
        (_desired_date(5, _("Date de résiliation")), METER_ACCESS, COMMENT),
        lead_days=5,
        site_statuses=SUPPLIED,
        effect=CompletionEffect.TERMINATION,
    ),
    RequestType(
        "gas_option_change",
        _("Changement d'option tarifaire gaz"),
        G,
        "CTA",
        (
            Field("new_formula", _("Nouvelle option d'acheminement"), FieldKind.CHOICE, choices=GAS_FORMULAS),
            _desired_date(10),
            COMMENT,
        ),
        lead_days=15,
        site_statuses=SUPPLIED,
        effect=CompletionEffect.FORMULA,
    ),
    RequestType(
        "gas_meter_check",
        _("Vérification de compteur gaz"),
        G,
        "VCG",
        (Field("reason", _("Motif"), FieldKind.LONG_TEXT, max_length=2000), METER_ACCESS),
        lead_days=15,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "gas_special_reading",
        _("Relevé spécial gaz"),
        G,
        "RS",
        (_desired_date(5, _("Date du relevé")), METER_ACCESS, COMMENT),
        lead_days=5,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "gas_cut",
        _("Coupure gaz"),
        G,
        "COU",
        (_desired_date(10, _("Date de coupure")), CONTACT_NAME, CONTACT_PHONE, COMMENT),
        lead_days=10,
        site_statuses=SUPPLIED,
    ),
    RequestType(
        "gas_restoration",
        _("Rétablissement gaz"),
        G,
        "RET",
        (_desired_date(2, _("Date de rétablissement")), CONTACT_NAME, CONTACT_PHONE),
        lead_days=2,
        site_statuses=ANY_SITE,
    ),
    RequestType(
        "gas_connection",
        _("Raccordement gaz"),
        G,
        "RAC",
        (
            Field(
                "annual_kwh",
                _("Consommation annuelle estimée"),
                FieldKind.DECIMAL,
                unit="kWh",
                min_value=Decimal("1"),
                max_value=Decimal("100000000"),
            ),
            _desired_date(40),
            CONTACT_NAME,
            CONTACT_PHONE,
            COMMENT,
        ),
        lead_days=60,
        new_site=True,
    ),
)

TYPES_BY_CODE: dict[str, RequestType] = {t.code: t for t in TYPES}
TYPE_CHOICES = [(t.code, t.label) for t in TYPES]
DISTRIBUTOR_BY_FLUID: dict[str, str] = {Fluid.ELECTRICITY: Distributor.ENEDIS, Fluid.GAS: Distributor.GRDF}


def request_type(code: str) -> RequestType | None:
    return TYPES_BY_CODE.get(code)


def types_for_site(site_status: str | None, fluid: str | None) -> list[RequestType]:
    """The types a member may ask for a site of this status and fluid (None: a new site)."""
    if site_status is None:
        return [t for t in TYPES if t.new_site and (fluid is None or t.fluid == fluid)]
    return [t for t in TYPES if site_status in t.site_statuses and t.fluid == fluid]
