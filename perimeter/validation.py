"""Row rules of the park: what a member, a contact or a site must be to be written.

Built on the field rules of ``perimeter.validators`` (one rule per kind of field), plus
the rules that tie a row's fields together (a SIRET within its SIREN, a segment that
matches the fluid, a power within the segment's range…). The services, the pre-filled
import and the demo seed call the same ``*_check`` functions; each cleans the row in
place (normalised text, canonical identifiers and phone numbers) and returns its errors
by field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from perimeter.choices import (
    ELECTRICITY_SEGMENTS,
    GAS_SEGMENTS,
    ContactRole,
    Distributor,
    DistributorState,
    Fluid,
    MemberKind,
    TariffFormula,
    TariffOption,
)
from perimeter.validators import (
    CONTACT_FIELDS,
    MEMBER_FIELDS,
    SITE_FIELDS,
    Cleaner,
    clean_fields,
    validate_delivery_point,
)

if TYPE_CHECKING:
    import datetime as dt

    from perimeter.models import Contact, Lot, Member

Errors = dict[str, list[str]]

ELECTRICITY_DISTRIBUTORS = {Distributor.ENEDIS, Distributor.OTHER_ELEC}
GAS_DISTRIBUTORS = {Distributor.GRDF, Distributor.OTHER_GAS}
C5_FORMULAS = {TariffFormula.BTINFCUST, TariffFormula.BTINFMUDT, TariffFormula.BTINFCU4, TariffFormula.BTINFMU4}
C5_FORMULAS |= {TariffFormula.BTINFLU}
C4_FORMULAS = {TariffFormula.BTSUPCU, TariffFormula.BTSUPLU}
C5_MAX_KVA = Decimal("36")
C4_MAX_KVA = Decimal("250")

MEMBER_REQUIRED = ("legal_name", "siret", "customer_number")
# A contact entered by hand (page or API) is complete; a tender's listing may bring
# contacts without phone or e-mail, which the journey then asks the member to complete.
CONTACT_REQUIRED = ("last_name",)
CONTACT_REQUIRED_BY_HAND = (*CONTACT_REQUIRED, "phone", "email")
SITE_REQUIRED = ("site_name",)


def add_error(errors: Errors, field_name: str, message: str) -> None:
    errors.setdefault(field_name, []).append(message)


def _clean_row(data: Any, cleaners: dict[str, Cleaner], required: Sequence[str], errors: Errors) -> None:
    """Clean the row's fields that have a rule, in place; collect their errors."""
    values = {name: getattr(data, name) for name in cleaners if hasattr(data, name)}
    cleaned, field_errors = clean_fields(cleaners, values, required=required)
    for name, value in cleaned.items():
        if name not in field_errors:
            setattr(data, name, value)
    for name, messages in field_errors.items():
        for message in messages:
            add_error(errors, name, message)


def raise_errors(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# --- Members ------------------------------------------------------------------------------


@dataclass
class MemberData:
    """The fields of a member to create (see ``member_create``)."""

    legal_name: str
    siret: str
    customer_number: str
    kind: str = MemberKind.COMMUNE
    siren: str = ""
    address_line: str = ""
    postcode: str = ""
    city: str = ""
    insee_code: str = ""
    chorus_siret: str = ""
    chorus_service_code: str = ""
    chorus_commitment_number: str = ""
    chorus_service_required: bool = False
    chorus_commitment_required: bool = False
    lots: Sequence[Lot] = ()


def member_check(data: MemberData) -> Errors:
    """Clean a member's fields in place; the errors by field."""
    errors: Errors = {}
    _clean_row(data, MEMBER_FIELDS, MEMBER_REQUIRED, errors)
    if data.kind not in MemberKind.values:
        add_error(errors, "kind", _("Type de membre inconnu : « %(v)s ».") % {"v": data.kind})
    if data.siren and not errors.keys() & {"siret", "siren"} and not data.siret.startswith(data.siren):
        add_error(errors, "siret", _("Le SIRET %(siret)s n'appartient pas au SIREN %(siren)s.") % vars(data))
    if data.insee_code and "insee_code" not in errors and len(data.insee_code) != 5:
        add_error(
            errors,
            "insee_code",
            _("Le code INSEE doit comporter 5 caractères (reçu : « %(v)s »).") % {"v": data.insee_code},
        )
    return errors


# --- Contacts -----------------------------------------------------------------------------


@dataclass
class ContactData:
    """The fields of a contact to create (see ``contact_create``)."""

    member: Member
    role: str
    last_name: str
    first_name: str = ""
    job_title: str = ""
    phone: str = ""
    email: str = ""


def contact_check(data: ContactData, *, required: Sequence[str] = CONTACT_REQUIRED) -> Errors:
    """Clean a contact's fields in place (phone in its canonical form, e-mail lower-cased); the errors."""
    errors: Errors = {}
    if data.role not in ContactRole.values:
        add_error(errors, "role", _("Rôle d'interlocuteur inconnu : « %(v)s ».") % {"v": data.role})
    _clean_row(data, CONTACT_FIELDS, required, errors)
    return errors


# --- Sites --------------------------------------------------------------------------------


@dataclass
class SiteData:
    """The fields of a site to create (see ``site_create``). A new site is always "À confirmer"."""

    member: Member
    lot: Lot
    fluid: str
    delivery_point: str
    distributor: str
    segment: str
    tariff_formula: str
    tariff_option: str
    site_name: str
    subscribed_power_kva: Decimal | None = None
    car_kwh: int | None = None
    meter_serial: str = ""
    meter_communicating: bool = True
    distributor_state: str = DistributorState.IN_SERVICE
    contact: Contact | None = None
    internal_reference: str = ""
    other_reference: str = ""
    address_line: str = ""
    postcode: str = ""
    city: str = ""
    insee_code: str = ""
    activation_date: dt.date | None = None


def _power_errors(data: SiteData, errors: Errors) -> None:
    power = data.subscribed_power_kva
    if power is None:
        add_error(errors, "subscribed_power_kva", _("La puissance souscrite est obligatoire pour un site électricité."))
    elif power <= 0:
        add_error(
            errors,
            "subscribed_power_kva",
            _("La puissance souscrite doit être positive (reçu : %(p)s kVA).") % {"p": power},
        )
    elif data.segment == "C5" and power > C5_MAX_KVA:
        add_error(
            errors,
            "subscribed_power_kva",
            _("Un site C5 a une puissance d'au plus 36 kVA (reçu : %(p)s kVA).") % {"p": power},
        )
    elif data.segment == "C4" and not C5_MAX_KVA < power <= C4_MAX_KVA:
        add_error(
            errors,
            "subscribed_power_kva",
            _("Un site C4 a une puissance de 36 à 250 kVA (reçu : %(p)s kVA).") % {"p": power},
        )


def site_check(data: SiteData, member_lots: set[tuple[int, int]] | None = None) -> Errors:
    """Clean a site's fields in place; the errors of everything checkable without the database
    (plus lot membership when ``member_lots`` is given)."""
    errors: Errors = {}
    fluid = data.fluid
    if fluid not in Fluid.values:
        add_error(errors, "fluid", _("Énergie inconnue : « %(v)s » (électricité ou gaz attendu).") % {"v": fluid})
        return errors
    is_gas = fluid == Fluid.GAS
    try:
        validate_delivery_point(fluid, data.delivery_point)
    except ValidationError as exc:
        for message in exc.messages:
            add_error(errors, "delivery_point", message)
    if data.lot.fluid != fluid:
        add_error(errors, "lot", _("Le lot %(n)d ne porte pas sur cette énergie.") % {"n": data.lot.number})
    if member_lots is not None and (data.member.pk, data.lot.pk) not in member_lots:
        add_error(errors, "lot", _("Le membre n'est pas rattaché au lot %(n)d.") % {"n": data.lot.number})
    segments = GAS_SEGMENTS if is_gas else ELECTRICITY_SEGMENTS
    if data.segment not in segments:
        add_error(
            errors,
            "segment",
            _("Le segment « %(s)s » ne correspond pas à l'énergie (%(allowed)s attendu).")
            % {"s": data.segment, "allowed": "/".join(sorted(segments))},
        )
    distributors = GAS_DISTRIBUTORS if is_gas else ELECTRICITY_DISTRIBUTORS
    if data.distributor not in distributors:
        add_error(
            errors,
            "distributor",
            _("Le gestionnaire de réseau « %(v)s » ne distribue pas cette énergie.") % {"v": data.distributor},
        )
    if data.distributor_state not in DistributorState.values:
        add_error(
            errors,
            "distributor_state",
            _("État chez le distributeur inconnu : « %(v)s ».") % {"v": data.distributor_state},
        )
    formula = data.tariff_formula
    if is_gas:
        if formula != data.segment:
            add_error(
                errors,
                "tariff_formula",
                _("L'option d'acheminement gaz doit être celle du segment (%(s)s).") % {"s": data.segment},
            )
        if data.tariff_option != TariffOption.GAS:
            add_error(errors, "tariff_option", _("Un site gaz a l'option tarifaire « Gaz (poste unique) »."))
        if data.subscribed_power_kva is not None:
            add_error(errors, "subscribed_power_kva", _("Un site gaz n'a pas de puissance souscrite en kVA."))
    else:
        expected = C5_FORMULAS if data.segment == "C5" else C4_FORMULAS if data.segment == "C4" else None
        if formula not in TariffFormula.values or (expected is not None and formula not in expected):
            add_error(
                errors,
                "tariff_formula",
                _("La formule tarifaire « %(f)s » ne convient pas au segment %(s)s.")
                % {"f": formula, "s": data.segment},
            )
        if data.tariff_option not in {TariffOption.BASE, TariffOption.HPHC, TariffOption.FOUR_POSTS}:
            add_error(
                errors,
                "tariff_option",
                _("Option tarifaire inconnue pour l'électricité : « %(v)s ».") % {"v": data.tariff_option},
            )
        _power_errors(data, errors)
    if data.car_kwh is not None and data.car_kwh < 0:
        add_error(errors, "car_kwh", _("La consommation annuelle de référence ne peut pas être négative."))
    _clean_row(data, SITE_FIELDS, SITE_REQUIRED, errors)
    if data.contact is not None and data.contact.member_id != data.member.pk:
        add_error(errors, "contact", _("L'interlocuteur doit appartenir au membre du site."))
    return errors
