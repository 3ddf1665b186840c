"""From the parsed listing to a plan: every cross-row and database check, then the diff with the park.

``listing_plan`` reads the database (a handful of set-based queries, whatever the number
of rows) and never writes; ``listing_write`` applies a plan in one transaction through
the park's bulk services, so an import writes everything or nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from perimeter.choices import MemberKind
from perimeter.importing.layout import CONTACT_SHEET, CONTACTS, MEMBER_SHEET, MEMBERS, SITE_SHEET, SITES, fold
from perimeter.importing.reading import CellError, ParsedListing, ParsedRow
from perimeter.models import Contact, Lot, Member, Site
from perimeter.services import (
    BATCH_SIZE,
    contacts_bulk_create,
    member_lots_add,
    members_bulk_create,
    sites_bulk_create,
)

# The park's own row rules (one rule for a page, the API, the seed and this import).
from perimeter.validation import ContactData, MemberData, SiteData, contact_check, member_check, site_check
from tenants.db import connection, current_schema

MEMBER_FIELDS = tuple(c.field for c in MEMBER_SHEET.columns if c.field != "customer_number")
CONTACT_FIELDS = ("first_name", "last_name", "job_title", "phone", "email")
SITE_FIELDS = tuple(c.field for c in SITE_SHEET.columns if c.field not in {"customer_number", "delivery_point"})
HEADERS = {
    sheet.name: {c.field: c.header for c in sheet.columns} for sheet in (MEMBER_SHEET, CONTACT_SHEET, SITE_SHEET)
}
# Row errors of the park services on a field that is not a column of the sheet.
FIELD_FALLBACK = {"lot": "fluid", "contact": "customer_number", "member": "customer_number"}
MAX_LISTED_CHANGES = 500
CHUNK = 5000


@dataclass
class ImportPlan:
    """What an import will write, and the summary of the differences with the park."""

    lot: Lot
    new_members: list[MemberData] = field(default_factory=list)
    member_updates: list[tuple[Member, list[str]]] = field(default_factory=list)
    lot_links: list[Member] = field(default_factory=list)
    new_contacts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    contact_updates: list[tuple[Contact, list[str]]] = field(default_factory=list)
    new_sites: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    site_updates: list[tuple[Site, list[str]]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    changes_total: int = 0

    @property
    def has_changes(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def summary(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "changes": self.changes[:MAX_LISTED_CHANGES],
            "changes_total": self.changes_total,
            "has_changes": self.has_changes,
        }


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class _Errors:
    def __init__(self) -> None:
        self.items: list[CellError] = []

    def add(self, sheet: str, row: ParsedRow, field_name: str, message: str) -> None:
        field_name = field_name if field_name in HEADERS[sheet] else FIELD_FALLBACK.get(field_name, "customer_number")
        self.items.append(CellError(sheet, row.row, HEADERS[sheet][field_name], row.raw.get(field_name, ""), message))

    def add_all(self, sheet: str, row: ParsedRow, errors: dict[str, list[str]]) -> None:
        for field_name, messages in errors.items():
            for message in messages:
                self.add(sheet, row, field_name, message)


def _member_data(cn: str, values: dict[str, Any]) -> MemberData:
    fields = {name: values[name] for name in MEMBER_FIELDS}
    fields["kind"] = fields["kind"] or MemberKind.COMMUNE
    return MemberData(customer_number=cn, **fields)


def _contact_key(cn: str, role: str, email: str, last_name: str, first_name: str) -> tuple[str, str, str]:
    return (cn, role, email.lower() if email else fold(f"{last_name} {first_name}"))


def listing_plan(listing: ParsedListing, *, lot: Lot) -> tuple[ImportPlan | None, list[CellError]]:
    """Check the rows against each other and the park; without error, the plan of the writes."""
    errors = _Errors()
    errors.items.extend(listing.errors)
    plan = ImportPlan(lot=lot)
    member_rows, contact_rows, site_rows = listing.rows[MEMBERS], listing.rows[CONTACTS], listing.rows[SITES]

    numbers = sorted(
        {r.values["customer_number"] for rows in listing.rows.values() for r in rows if r.values.get("customer_number")}
    )
    existing_members: dict[str, Member] = {}
    for chunk in _chunks(numbers):
        existing_members.update({m.customer_number: m for m in Member.objects.filter(customer_number__in=chunk)})

    # --- Membres
    seen_members: dict[str, int] = {}
    file_members: dict[str, MemberData] = {}
    for row in member_rows:
        cn = row.values["customer_number"]
        if not cn:
            continue
        if cn in seen_members:
            errors.add(
                MEMBERS, row, "customer_number", _("N° client en double (déjà ligne %(n)d).") % {"n": seen_members[cn]}
            )
            continue
        seen_members[cn] = row.row
        if row.invalid:
            continue
        data = _member_data(cn, row.values)
        row_errors = member_check(data)  # cleans data in place
        row_errors.pop("customer_number", None)  # presence already checked by the reader
        errors.add_all(MEMBERS, row, row_errors)
        file_members[cn] = data

    def known(cn: str) -> bool:
        return cn in seen_members or cn in existing_members

    def unknown_member(sheet: str, row: ParsedRow, cn: str) -> None:
        errors.add(
            sheet,
            row,
            "customer_number",
            _("Le N° client %(cn)s n'est ni dans la feuille « Membres » ni dans ce syndicat.") % {"cn": cn},
        )

    # --- Interlocuteurs
    placeholder = Member()
    seen_contacts: dict[tuple[str, str, str], int] = {}
    file_contacts: list[tuple[str, dict[str, Any]]] = []
    for row in contact_rows:
        cn = row.values["customer_number"]
        if cn and not known(cn):
            unknown_member(CONTACTS, row, cn)
            continue
        if row.invalid or not cn:
            continue
        values = {name: row.values[name] for name in ("role", *CONTACT_FIELDS)}
        contact = ContactData(member=placeholder, **values)
        contact_errors = contact_check(contact)  # cleans the row: canonical phone, e-mail lower-cased
        values = {name: getattr(contact, name) for name in values}
        key = _contact_key(cn, values["role"], values["email"], values["last_name"], values["first_name"])
        if key in seen_contacts:
            errors.add(
                CONTACTS,
                row,
                "email",
                _("Interlocuteur en double pour ce membre et ce rôle (déjà ligne %(n)d).") % {"n": seen_contacts[key]},
            )
            continue
        seen_contacts[key] = row.row
        errors.add_all(CONTACTS, row, contact_errors)
        file_contacts.append((cn, values))

    # --- Sites
    points = sorted({r.values["delivery_point"] for r in site_rows if r.values.get("delivery_point")})
    existing_sites: dict[str, Site] = {}
    for chunk in _chunks(points):
        existing_sites.update(
            {s.delivery_point: s for s in Site.objects.filter(delivery_point__in=chunk).select_related("member")}
        )
    seen_points: dict[str, int] = {}
    file_sites: list[tuple[str, dict[str, Any]]] = []
    for row in site_rows:
        cn, point = row.values["customer_number"], row.values["delivery_point"]
        if cn and not known(cn):
            unknown_member(SITES, row, cn)
        if point:
            if point in seen_points:
                errors.add(
                    SITES,
                    row,
                    "delivery_point",
                    _("Point de livraison en double (déjà ligne %(n)d).") % {"n": seen_points[point]},
                )
                continue
            seen_points[point] = row.row
            site = existing_sites.get(point)
            if site is not None and cn and site.member.customer_number != cn:
                errors.add(
                    SITES,
                    row,
                    "delivery_point",
                    _("Le point de livraison %(p)s appartient déjà au membre %(name)s (N° client %(cn)s).")
                    % {"p": point, "name": site.member.legal_name, "cn": site.member.customer_number},
                )
            elif site is not None and site.lot_id != lot.pk:
                errors.add(
                    SITES,
                    row,
                    "delivery_point",
                    _("Le point de livraison %(p)s est déjà rattaché à un autre lot de ce syndicat.") % {"p": point},
                )
        if row.invalid or not cn or not point:
            continue
        values = {name: row.values[name] for name in SITE_FIELDS}
        site_data = SiteData(member=placeholder, lot=lot, delivery_point=point, **values)
        errors.add_all(SITES, row, site_check(site_data))  # cleans site_data in place
        values = {name: getattr(site_data, name) for name in values}
        file_sites.append((cn, {"delivery_point": point, **values}))

    if errors.items:
        return None, sorted(errors.items, key=_error_order)

    _diff_members(plan, file_members, existing_members)
    _diff_contacts(plan, file_contacts, existing_members)
    _diff_sites(plan, file_sites, existing_sites)
    return plan, []


_SHEET_ORDER = {MEMBERS: 0, CONTACTS: 1, SITES: 2}


def _error_order(error: CellError) -> tuple[int, int]:
    return (_SHEET_ORDER.get(error.sheet, 9), error.row)


def _record(plan: ImportPlan, sheet: str, key: str, fields: list[str]) -> None:
    plan.changes_total += 1
    if len(plan.changes) < MAX_LISTED_CHANGES:
        plan.changes.append({"sheet": sheet, "key": key, "fields": [HEADERS[sheet].get(f, f) for f in fields]})


def _diff_members(plan: ImportPlan, file_members: dict[str, MemberData], existing: dict[str, Member]) -> None:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ids = [existing[cn].pk for cn in file_members if cn in existing]
    in_lot = set(
        Member.lots.through.objects.filter(lot_id=plan.lot.pk, member_id__in=ids).values_list("member_id", flat=True)
    )
    for cn, data in file_members.items():
        member = existing.get(cn)
        if member is None:
            data.lots = [plan.lot]
            plan.new_members.append(data)
            counts["created"] += 1
            continue
        wanted = {name: getattr(data, name) for name in MEMBER_FIELDS}
        wanted["siren"] = wanted["siren"] or data.siret[:9]
        changed = [name for name, value in wanted.items() if getattr(member, name) != value]
        for name in changed:
            setattr(member, name, wanted[name])
        if changed:
            plan.member_updates.append((member, changed))
        if member.pk not in in_lot:
            plan.lot_links.append(member)
        if changed or member.pk not in in_lot:
            counts["updated"] += 1
            _record(plan, MEMBERS, cn, changed + ([] if member.pk in in_lot else ["lot"]))
        else:
            counts["unchanged"] += 1
    plan.counts[MEMBERS] = counts


def _diff_contacts(
    plan: ImportPlan, file_contacts: list[tuple[str, dict[str, Any]]], existing_members: dict[str, Member]
) -> None:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    by_id = {m.pk: cn for cn, m in existing_members.items()}
    existing: dict[tuple[str, str, str], Contact] = {}
    for contact in Contact.objects.filter(member_id__in=list(by_id)).order_by("pk"):
        key = _contact_key(by_id[contact.member_id], contact.role, contact.email, contact.last_name, contact.first_name)
        existing.setdefault(key, contact)
    for cn, values in file_contacts:
        key = _contact_key(cn, values["role"], values["email"], values["last_name"], values["first_name"])
        found = existing.get(key)
        if found is None:
            plan.new_contacts.append((cn, values))
            counts["created"] += 1
            continue
        contact = found
        changed = [name for name in CONTACT_FIELDS if getattr(contact, name) != values[name]]
        for name in changed:
            setattr(contact, name, values[name])
        if changed:
            plan.contact_updates.append((contact, changed))
            counts["updated"] += 1
            _record(plan, CONTACTS, f"{cn} {values['last_name']}", changed)
        else:
            counts["unchanged"] += 1
    plan.counts[CONTACTS] = counts


def _diff_sites(plan: ImportPlan, file_sites: list[tuple[str, dict[str, Any]]], existing: dict[str, Site]) -> None:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for cn, values in file_sites:
        site = existing.get(values["delivery_point"])
        if site is None:
            plan.new_sites.append((cn, values))
            counts["created"] += 1
            continue
        changed = [name for name in SITE_FIELDS if getattr(site, name) != values[name]]
        for name in changed:
            setattr(site, name, values[name])
        if changed:
            plan.site_updates.append((site, changed))
            counts["updated"] += 1
            _record(plan, SITES, values["delivery_point"], changed)
        else:
            counts["unchanged"] += 1
    plan.counts[SITES] = counts


def _bulk_update(model: Any, updates: list[tuple[Any, list[str]]], extra: Sequence[str] = ()) -> None:
    """One UPDATE per batch and per set of changed fields (a later listing usually changes few columns)."""
    groups: dict[tuple[str, ...], list[Any]] = {}
    now = timezone.now()
    for instance, changed in updates:
        if "updated_at" in extra:
            instance.updated_at = now
        groups.setdefault(tuple(sorted(changed)), []).append(instance)
    for fields, instances in groups.items():
        model.objects.bulk_update(instances, [*fields, *extra], batch_size=BATCH_SIZE)


@transaction.atomic
def listing_write(*, plan: ImportPlan) -> None:
    """Apply a plan: all rows or none. Two imports into one syndicate never write at the same time."""
    with connection.cursor() as cursor:
        key = zlib.crc32(f"importing:{current_schema()}".encode())
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4243, key - 2**31])
    members = {m.customer_number: m for m, _changed in plan.member_updates}
    members.update({m.customer_number: m for m in plan.lot_links})
    created = members_bulk_create(rows=plan.new_members) if plan.new_members else []
    members.update({m.customer_number: m for m in created})
    _bulk_update(Member, plan.member_updates, extra=("updated_at",))
    member_lots_add(pairs=[(member, plan.lot) for member in plan.lot_links])
    needed = {cn for cn, _v in plan.new_contacts} | {cn for cn, _v in plan.new_sites}
    missing = sorted(needed - set(members))
    for chunk in _chunks(missing):
        members.update({m.customer_number: m for m in Member.objects.filter(customer_number__in=chunk)})
    if plan.new_contacts:
        contacts_bulk_create(rows=[ContactData(member=members[cn], **values) for cn, values in plan.new_contacts])
    _bulk_update(Contact, plan.contact_updates)
    if plan.new_sites:
        # A member named only on the Sites sheet joins the lot of its sites (idempotent).
        member_lots_add(pairs=[(members[cn], plan.lot) for cn in {cn for cn, _v in plan.new_sites}])
        sites_bulk_create(rows=[SiteData(member=members[cn], lot=plan.lot, **values) for cn, values in plan.new_sites])
    _bulk_update(Site, plan.site_updates, extra=("updated_at",))
