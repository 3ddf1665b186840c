"""Writes on the park: lots, members, contacts, sites and the status of a site.

Every row is checked here with a French message that says what is wrong, before the
database constraints (the last line of defence) would refuse it. The bulk variants
check every row first, then write in batches: the demo seed and imports use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from perimeter.choices import ContactRole, DistributorState, Fluid, MemberKind, SiteStatus, TariffFormula, TariffOption
from perimeter.extensions import assert_member_editable
from perimeter.models import Contact, Lot, Member, Site, SiteStatusChange
from perimeter.validation import (
    CONTACT_REQUIRED_BY_HAND,
    ContactData,
    Errors,
    MemberData,
    SiteData,
    add_error,
    contact_check,
    member_check,
    raise_errors,
    site_check,
)
from perimeter.validators import CONTACT_FIELDS, clean_fields

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

__all__ = ["ContactData", "MemberData", "SiteData"]  # the rows the bulk services take

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 20  # a bulk refusal lists the first rows in error, not thousands

# Statuses by which a site leaves the park; their effective date is the site's termination date.
EXIT_STATUSES = {SiteStatus.TERMINATED, SiteStatus.ALREADY_TERMINATED, SiteStatus.OUT_OF_MARKET}
# What a person may change on a contact (pages and API).
CONTACT_EDITABLE = ("role", *CONTACT_FIELDS)


def _raise_bulk(errors_by_row: list[tuple[str, Errors]]) -> None:
    """One ValidationError naming the first rows in error (label: "Ligne 3 (PRM …)")."""
    if not errors_by_row:
        return
    messages = [
        f"{label} : {'; '.join(m for messages in errors.values() for m in messages)}"
        for label, errors in errors_by_row[:MAX_REPORTED_ERRORS]
    ]
    if len(errors_by_row) > MAX_REPORTED_ERRORS:
        messages.append(_("… et %(n)d autres lignes en erreur.") % {"n": len(errors_by_row) - MAX_REPORTED_ERRORS})
    raise ValidationError(messages)


def _chunks(values: Sequence[str], size: int = 5000) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- Lots ---------------------------------------------------------------------------------


@transaction.atomic
def lot_create(
    *,
    number: int,
    name: str,
    fluid: str,
    segment_family: str,
    delivery_start: dt.date,
    delivery_end: dt.date,
    offer_name: str = "",
) -> Lot:
    """Create a lot of the syndicate's tender (one fluid, one delivery period)."""
    errors: Errors = {}
    if number < 1:
        add_error(errors, "number", _("Le numéro de lot doit être un entier positif."))
    elif Lot.objects.filter(number=number).exists():
        add_error(errors, "number", _("Le lot %(n)d existe déjà dans ce syndicat.") % {"n": number})
    if not name.strip():
        add_error(errors, "name", _("L'intitulé du lot est obligatoire."))
    if fluid not in Fluid.values:
        add_error(errors, "fluid", _("Énergie inconnue : « %(v)s » (électricité ou gaz attendu).") % {"v": fluid})
    if delivery_end <= delivery_start:
        add_error(errors, "delivery_end", _("La fin de fourniture doit être postérieure à son début."))
    if errors:
        raise ValidationError(errors)
    return Lot.objects.create(
        number=number,
        name=name.strip(),
        fluid=fluid,
        segment_family=segment_family,
        delivery_start=delivery_start,
        delivery_end=delivery_end,
        offer_name=offer_name,
    )


# --- Members ------------------------------------------------------------------------------


def _member_build(data: MemberData) -> Member:
    return Member(
        legal_name=data.legal_name,
        kind=data.kind,
        siren=data.siren or data.siret[:9],
        siret=data.siret,
        customer_number=data.customer_number,
        address_line=data.address_line,
        postcode=data.postcode,
        city=data.city,
        insee_code=data.insee_code,
        chorus_siret=data.chorus_siret,
        chorus_service_code=data.chorus_service_code,
        chorus_commitment_number=data.chorus_commitment_number,
        chorus_service_required=data.chorus_service_required,
        chorus_commitment_required=data.chorus_commitment_required,
    )


@transaction.atomic
def member_create(
    *,
    legal_name: str,
    siret: str,
    customer_number: str,
    kind: str = MemberKind.COMMUNE,
    siren: str = "",
    address_line: str = "",
    postcode: str = "",
    city: str = "",
    insee_code: str = "",
    chorus_siret: str = "",
    chorus_service_code: str = "",
    chorus_commitment_number: str = "",
    chorus_service_required: bool = False,
    chorus_commitment_required: bool = False,
    lots: Sequence[Lot] = (),
) -> Member:
    """Create a member (a public body) of the syndicate, in the given lots."""
    return members_bulk_create(rows=[MemberData(**locals())])[0]


@transaction.atomic
def members_bulk_create(*, rows: Sequence[MemberData], batch_size: int = BATCH_SIZE) -> list[Member]:
    """Create many members: every row is checked (customer numbers unique) before anything is written."""
    problems: list[tuple[str, Errors]] = []
    numbers = [row.customer_number.strip() for row in rows]
    taken: set[str] = set()
    for chunk in _chunks(numbers):
        taken.update(Member.objects.filter(customer_number__in=chunk).values_list("customer_number", flat=True))
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        errors = member_check(row)
        number = row.customer_number.strip()
        if number in taken or number in seen:
            add_error(errors, "customer_number", _("Le numéro client %(n)s est déjà utilisé.") % {"n": number})
        seen.add(number)
        if errors:
            problems.append((_("Ligne %(i)d (%(name)s)") % {"i": index, "name": row.legal_name}, errors))
    if len(rows) == 1 and problems:
        raise ValidationError(problems[0][1])
    _raise_bulk(problems)
    members = Member.objects.bulk_create([_member_build(row) for row in rows], batch_size=batch_size)
    member_lots_add(pairs=[(member, lot) for member, row in zip(members, rows, strict=True) for lot in row.lots])
    return members


@transaction.atomic
def member_lots_add(*, pairs: Iterable[tuple[Member, Lot]]) -> int:
    """Put members in lots (idempotent: a member already in a lot stays so)."""
    through = Member.lots.through
    links = [through(member_id=member.pk, lot_id=lot.pk) for member, lot in pairs]
    through.objects.bulk_create(links, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(links)


# --- Contacts -----------------------------------------------------------------------------


def _contact_build(data: ContactData) -> Contact:
    return Contact(
        member=data.member,
        role=data.role,
        last_name=data.last_name,
        first_name=data.first_name,
        job_title=data.job_title,
        phone=data.phone,
        email=data.email,
    )


@transaction.atomic
def contact_create(
    *,
    member: Member,
    role: str,
    last_name: str,
    first_name: str = "",
    job_title: str = "",
    phone: str = "",
    email: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Add a person to reach at a member for one role (pages and API: name, phone and e-mail required)."""
    assert_member_editable(member)
    data = ContactData(
        member=member,
        role=role,
        last_name=last_name,
        first_name=first_name,
        job_title=job_title,
        phone=phone,
        email=email,
    )
    raise_errors(contact_check(data, required=CONTACT_REQUIRED_BY_HAND))
    contact = _contact_build(data)
    contact.save()
    audit_record(action="contact.created", actor=actor, request=request, target=contact)
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, actor: User | None = None, request: HttpRequest | None = None, **fields: Any
) -> Contact:
    """Change some fields of a contact: the given fields are checked, none of the required ones may be emptied."""
    unknown = set(fields) - set(CONTACT_EDITABLE)
    if unknown:
        raise TypeError(f"Unknown contact fields: {sorted(unknown)}")
    assert_member_editable(contact.member_id)
    errors: Errors = {}
    if "role" in fields and fields["role"] not in ContactRole.values:
        add_error(errors, "role", _("Rôle d'interlocuteur inconnu : « %(v)s ».") % {"v": fields["role"]})
    cleaned, field_errors = clean_fields(CONTACT_FIELDS, fields, required=CONTACT_REQUIRED_BY_HAND)
    for name, messages in field_errors.items():
        errors.setdefault(name, []).extend(messages)
    raise_errors(errors)
    changed = {name: value for name, value in cleaned.items() if getattr(contact, name) != value}
    for name, value in changed.items():
        setattr(contact, name, value)
    if changed:
        contact.save(update_fields=list(changed))
    audit_record(action="contact.updated", actor=actor, request=request, target=contact, details=changed)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User | None = None, request: HttpRequest | None = None) -> None:
    """Remove a contact (its sites keep no contact)."""
    assert_member_editable(contact.member_id)
    audit_record(action="contact.deleted", actor=actor, request=request, target=contact)
    contact.delete()


@transaction.atomic
def contacts_bulk_create(*, rows: Sequence[ContactData], batch_size: int = BATCH_SIZE) -> list[Contact]:
    """Create many contacts (imports, seed); every row is checked before anything is written."""
    problems = [
        (_("Ligne %(i)d (%(name)s)") % {"i": index, "name": row.last_name}, errors)
        for index, row in enumerate(rows, start=1)
        if (errors := contact_check(row))
    ]
    _raise_bulk(problems)
    return Contact.objects.bulk_create([_contact_build(row) for row in rows], batch_size=batch_size)


# --- Sites --------------------------------------------------------------------------------


def _site_build(data: SiteData) -> Site:
    return Site(
        member=data.member,
        lot=data.lot,
        contact=data.contact,
        fluid=data.fluid,
        delivery_point=data.delivery_point,
        distributor=data.distributor,
        distributor_state=data.distributor_state,
        segment=data.segment,
        tariff_formula=data.tariff_formula,
        tariff_option=data.tariff_option,
        subscribed_power_kva=data.subscribed_power_kva,
        car_kwh=data.car_kwh,
        meter_serial=data.meter_serial,
        meter_communicating=data.meter_communicating,
        site_name=data.site_name,
        internal_reference=data.internal_reference,
        other_reference=data.other_reference,
        address_line=data.address_line,
        postcode=data.postcode,
        city=data.city,
        insee_code=data.insee_code,
        activation_date=data.activation_date,
        status=SiteStatus.TO_CONFIRM,
    )


@transaction.atomic
def site_create(
    *,
    member: Member,
    lot: Lot,
    fluid: str,
    delivery_point: str,
    distributor: str,
    segment: str,
    tariff_formula: str,
    tariff_option: str,
    site_name: str,
    subscribed_power_kva: Decimal | None = None,
    car_kwh: int | None = None,
    meter_serial: str = "",
    meter_communicating: bool = True,
    distributor_state: str = DistributorState.IN_SERVICE,
    contact: Contact | None = None,
    internal_reference: str = "",
    other_reference: str = "",
    address_line: str = "",
    postcode: str = "",
    city: str = "",
    insee_code: str = "",
    activation_date: dt.date | None = None,
) -> Site:
    """Create a site (delivery point) of a member in a lot; it starts "À confirmer"."""
    return sites_bulk_create(rows=[SiteData(**locals())])[0]


@transaction.atomic
def sites_bulk_create(*, rows: Sequence[SiteData], batch_size: int = BATCH_SIZE) -> list[Site]:
    """Create many sites: every row is checked (delivery points unique in the syndicate) first.

    Three queries for the checks whatever the number of rows (existing delivery points by
    chunks of 5,000, and the member–lot links), then one INSERT per batch.
    """
    member_ids = {row.member.pk for row in rows}
    member_lots = set(Member.lots.through.objects.filter(member_id__in=member_ids).values_list("member_id", "lot_id"))
    points = [row.delivery_point for row in rows]
    taken: set[str] = set()
    for chunk in _chunks(points):
        taken.update(Site.objects.filter(delivery_point__in=chunk).values_list("delivery_point", flat=True))
    seen: set[str] = set()
    problems: list[tuple[str, Errors]] = []
    for index, row in enumerate(rows, start=1):
        errors = site_check(row, member_lots)
        if row.delivery_point in taken or row.delivery_point in seen:
            add_error(
                errors,
                "delivery_point",
                _("Le point de livraison %(p)s existe déjà dans ce syndicat.") % {"p": row.delivery_point},
            )
        seen.add(row.delivery_point)
        if errors:
            problems.append((_("Ligne %(i)d (%(p)s)") % {"i": index, "p": row.delivery_point}, errors))
    if len(rows) == 1 and problems:
        raise ValidationError(problems[0][1])
    _raise_bulk(problems)
    return Site.objects.bulk_create([_site_build(row) for row in rows], batch_size=batch_size)


@transaction.atomic
def site_change_status(
    *,
    site: Site,
    to_status: str,
    by: User | None = None,
    by_label: str = "",
    comment: str = "",
    effective_date: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Site:
    """Change a site's status — the only place where it changes — and record it in its history.

    ``by_label`` names who did it when there is no user (an import, the distributor's
    flow); by default it is the user's e-mail. An activation or a termination with an
    effective date also sets the site's activation or termination date (an exit from the
    market is a termination for the perimeter file). The change is audited with the
    request's address when there is one.
    """
    if to_status not in SiteStatus.values:
        raise ValidationError({"status": _("Statut inconnu : « %(v)s ».") % {"v": to_status}})
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if locked.status == to_status:
        raise ValidationError(
            {"status": _("Le site est déjà au statut « %(s)s ».") % {"s": SiteStatus(to_status).label}}
        )
    from_status = locked.status
    locked.status = to_status
    fields = ["status", "updated_at"]
    if effective_date is not None and to_status == SiteStatus.ACTIVE:
        locked.activation_date = effective_date
        fields.append("activation_date")
    if effective_date is not None and to_status in EXIT_STATUSES:
        locked.termination_date = effective_date
        fields.append("termination_date")
    locked.save(update_fields=fields)
    SiteStatusChange.objects.create(
        site=locked,
        from_status=from_status,
        to_status=to_status,
        effective_date=effective_date,
        at=timezone.now(),
        by=by,
        by_label=(by_label or (by.email if by is not None else ""))[:254],
        comment=comment[:500],
    )
    audit_record(
        action="site.status_changed",
        actor=by,
        actor_email=by_label,
        request=request,
        target=locked,
        details={"from": from_status, "to": to_status},
    )
    site.status, site.activation_date, site.termination_date = (
        locked.status,
        locked.activation_date,
        locked.termination_date,
    )
    return locked


@transaction.atomic
def sites_change_status(
    *,
    site_ids: Iterable[int],
    to_status: str,
    by: User | None = None,
    by_label: str = "",
    comment: str = "",
    request: HttpRequest | None = None,
) -> int:
    """``site_change_status`` for many sites in a few queries (bulk actions of the journey).

    Sites already at the status are left alone; returns how many changed. One audit
    event names them all.
    """
    if to_status not in SiteStatus.values:
        raise ValidationError({"status": _("Statut inconnu : « %(v)s ».") % {"v": to_status}})
    changing = list(
        Site.objects.select_for_update()
        .filter(pk__in=list(site_ids))
        .exclude(status=to_status)
        .only("pk", "status")
        .order_by("pk")
    )
    if not changing:
        return 0
    now = timezone.now()
    label = (by_label or (by.email if by is not None else ""))[:254]
    SiteStatusChange.objects.bulk_create(
        [
            SiteStatusChange(
                site=site,
                from_status=site.status,
                to_status=to_status,
                at=now,
                by=by,
                by_label=label,
                comment=comment[:500],
            )
            for site in changing
        ]
    )
    Site.objects.filter(pk__in=[site.pk for site in changing]).update(status=to_status, updated_at=now)
    audit_record(
        action="site.status_changed",
        actor=by,
        actor_email=by_label,
        request=request,
        details={"to": to_status, "sites": [site.pk for site in changing]},
    )
    return len(changing)


@transaction.atomic
def site_supply_change(
    *,
    site: Site,
    subscribed_power_kva: Decimal | None = None,
    tariff_formula: str | None = None,
    tariff_option: str | None = None,
    effective_date: dt.date | None = None,
    by_label: str = "",
    comment: str = "",
) -> Site:
    """A new subscribed power, distribution formula or tariff option on a site (a completed technical request).

    The change is written in the site's history (its status unchanged, the comment saying
    what changed and from what) and audited.
    """
    locked = Site.objects.select_for_update().get(pk=site.pk)
    changes: list[str] = []
    if subscribed_power_kva is not None and subscribed_power_kva != locked.subscribed_power_kva:
        if subscribed_power_kva <= 0:
            raise ValidationError({"subscribed_power_kva": _("La puissance souscrite doit être positive.")})
        changes.append(
            _("puissance souscrite %(a)s → %(b)s kVA")
            % {"a": locked.subscribed_power_kva or "—", "b": subscribed_power_kva}
        )
        locked.subscribed_power_kva = subscribed_power_kva
    if tariff_formula is not None and tariff_formula != locked.tariff_formula:
        if tariff_formula not in TariffFormula.values:
            raise ValidationError({"tariff_formula": _("Formule inconnue : « %(v)s ».") % {"v": tariff_formula}})
        changes.append(_("formule %(a)s → %(b)s") % {"a": locked.tariff_formula, "b": tariff_formula})
        locked.tariff_formula = tariff_formula
    if tariff_option is not None and tariff_option != locked.tariff_option:
        if tariff_option not in TariffOption.values:
            raise ValidationError({"tariff_option": _("Option inconnue : « %(v)s ».") % {"v": tariff_option}})
        changes.append(_("option %(a)s → %(b)s") % {"a": locked.tariff_option, "b": tariff_option})
        locked.tariff_option = tariff_option
    if not changes:
        return locked
    locked.save(update_fields=["subscribed_power_kva", "tariff_formula", "tariff_option", "updated_at"])
    text = "; ".join(changes)
    SiteStatusChange.objects.create(
        site=locked,
        from_status=locked.status,
        to_status=locked.status,
        effective_date=effective_date,
        at=timezone.now(),
        by_label=by_label[:254],
        comment=(f"{text} ({comment})" if comment else text)[:500],
    )
    audit_record(action="site.supply_changed", actor_email=by_label, target=locked, details={"changes": changes})
    site.subscribed_power_kva, site.tariff_formula, site.tariff_option = (
        locked.subscribed_power_kva,
        locked.tariff_formula,
        locked.tariff_option,
    )
    return locked
