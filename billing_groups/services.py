"""Writes of billing perimeters and of their sites: every attachment rule lives here.

Rules (the database enforces them too, see migrations 0001-0002):
- every attached site is a confirmed site of the perimeter's member and segment;
- a mono-site perimeter holds exactly one site;
- a site belongs to at most one perimeter.
Bulk attach / detach take hundreds of sites in a few queries and are all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from billing_groups.choices import BillingType, InvoiceDelivery
from billing_groups.extensions import perimeter_defaults
from billing_groups.models import BillingPerimeter, BillingPerimeterSite
from perimeter.choices import SiteStatus
from perimeter.extensions import assert_member_editable
from perimeter.models import Member, Site
from perimeter.validators import BILLING_PERIMETER_FIELDS, clean_fields

# The site statuses that may (and must) be attached to a perimeter.
ATTACHABLE_STATUSES = (SiteStatus.SWITCH_CONFIRMED,)
# How many per-site errors a refusal lists before summing up the rest.
MAX_LISTED_ERRORS = 10

PERIMETER_FIELDS = (
    "name",
    "segment",
    "billing_type",
    "payment_mode",
    "billing_rhythm",
    "invoice_delivery",
    "delivery_email",
    "chorus_siret",
    "chorus_service_code",
    "chorus_commitment_number",
    "budget_reference",
)


def _site_label(name: str, delivery_point: str) -> str:
    return f"« {name} » ({delivery_point})"


def _raise_listed(errors: list[str]) -> None:
    if not errors:
        return
    listed = errors[:MAX_LISTED_ERRORS]
    if len(errors) > MAX_LISTED_ERRORS:
        listed.append(_("… et %(n)d autres sites refusés.") % {"n": len(errors) - MAX_LISTED_ERRORS})
    raise ValidationError(listed, code="attachment_refused")


def _clean_perimeter(perimeter: BillingPerimeter) -> None:
    """Field checks, then the coherence of the delivery channel with its routing fields."""
    if perimeter.invoice_delivery != InvoiceDelivery.CHORUS:
        # Routing fields only mean something for ChorusPro: do not keep stale values.
        perimeter.chorus_siret = perimeter.chorus_service_code = perimeter.chorus_commitment_number = ""
    if perimeter.invoice_delivery != InvoiceDelivery.EMAIL:
        perimeter.delivery_email = ""
    # The park's field rules: printable texts, a SIRET that exists, ChorusPro codes, e-mail.
    texts = {name: getattr(perimeter, name) for name in BILLING_PERIMETER_FIELDS}
    cleaned, errors = clean_fields(BILLING_PERIMETER_FIELDS, texts, required=("name",))
    for name, value in cleaned.items():
        if name not in errors:
            setattr(perimeter, name, value)
    try:
        perimeter.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)  # the field rule's message says it first
    if perimeter.invoice_delivery == InvoiceDelivery.EMAIL and not perimeter.delivery_email:
        errors.setdefault("delivery_email", []).append(_("Indiquez l'adresse e-mail qui recevra les factures."))
    if perimeter.invoice_delivery == InvoiceDelivery.CHORUS and not perimeter.chorus_siret:
        errors.setdefault("chorus_siret", []).append(
            _("Le SIRET du destinataire ChorusPro est obligatoire pour un envoi par ChorusPro.")
        )
    duplicate = BillingPerimeter.objects.filter(member_id=perimeter.member_id, name=perimeter.name)
    if perimeter.pk is not None:
        duplicate = duplicate.exclude(pk=perimeter.pk)
    if perimeter.name and duplicate.exists():
        errors.setdefault("name", []).append(_("Vous avez déjà un périmètre de facturation de ce nom."))
    if errors:
        raise ValidationError(errors)


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PERIMETER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown billing perimeter fields: {sorted(unknown)}")
    return dict(fields)


@transaction.atomic
def billing_perimeter_create(
    *, member: Member, actor: User | None, request: HttpRequest | None = None, **fields: Any
) -> BillingPerimeter:
    """A new perimeter; what the member leaves empty takes the campaign's default (then the model's)."""
    assert_member_editable(member)
    given = {name: value for name, value in fields.items() if value not in (None, "")}
    perimeter = BillingPerimeter(member=member, **_normalise({**perimeter_defaults(member), **given}))
    _clean_perimeter(perimeter)
    perimeter.save()
    audit_record(action="billing_perimeter.created", actor=actor, request=request, target=perimeter)
    return perimeter


@transaction.atomic
def billing_perimeter_update(
    *, perimeter: BillingPerimeter, actor: User | None, request: HttpRequest | None = None, **fields: Any
) -> BillingPerimeter:
    assert_member_editable(perimeter.member)
    perimeter = BillingPerimeter.objects.select_for_update().get(pk=perimeter.pk)
    before = {name: getattr(perimeter, name) for name in PERIMETER_FIELDS}
    for name, value in _normalise(fields).items():
        setattr(perimeter, name, value)
    _clean_perimeter(perimeter)
    attached = Site.objects.filter(billing_attachment__perimeter=perimeter)
    if perimeter.segment != before["segment"] and attached.exclude(segment=perimeter.segment).exists():
        raise ValidationError(
            {
                "segment": _(
                    "Des sites d'un autre segment sont rattachés à ce périmètre : "
                    "détachez-les avant de changer la typologie de segment."
                )
            }
        )
    if perimeter.billing_type == BillingType.MONO_SITE and attached.count() > 1:
        raise ValidationError(
            {
                "billing_type": _(
                    "Ce périmètre contient plusieurs sites : un périmètre mono-site ne contient qu'un site. "
                    "Détachez les sites en trop avant de le passer en mono-site."
                )
            }
        )
    perimeter.save()
    changed = {name: [str(before[name]), str(getattr(perimeter, name))] for name in PERIMETER_FIELDS}
    changed = {name: values for name, values in changed.items() if values[0] != values[1]}
    audit_record(action="billing_perimeter.updated", actor=actor, request=request, target=perimeter, details=changed)
    return perimeter


@transaction.atomic
def billing_perimeter_delete(
    *, perimeter: BillingPerimeter, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Delete a perimeter; its sites become available again (attachments cascade)."""
    assert_member_editable(perimeter.member)
    site_ids = list(perimeter.attachments.values_list("site_id", flat=True))
    audit_record(
        action="billing_perimeter.deleted",
        actor=actor,
        request=request,
        target=perimeter,
        details={"name": perimeter.name, "detached_sites": site_ids},
    )
    perimeter.delete()


def _site_ids(sites: Iterable[Site | int]) -> list[int]:
    return sorted({site if isinstance(site, int) else site.pk for site in sites})


@transaction.atomic
def attach_sites(
    *,
    perimeter: BillingPerimeter,
    sites: Iterable[Site | int],
    actor: User | None,
    request: HttpRequest | None = None,
) -> int:
    """Attach sites to a perimeter, all or none; returns how many were newly attached.

    Queries: lock the perimeter, read the sites with their current attachment (one
    join), count the perimeter's sites, one INSERT for all, one audit event.
    """
    assert_member_editable(perimeter.member)
    site_ids = _site_ids(sites)
    if not site_ids:
        raise ValidationError(_("Sélectionnez au moins un site à rattacher."), code="no_site")
    # Locking the perimeter serialises concurrent attachments to it (mono-site count).
    perimeter = BillingPerimeter.objects.select_for_update().get(pk=perimeter.pk)
    rows = list(
        Site.objects.filter(pk__in=site_ids)
        .order_by()
        .values(
            "pk",
            "member_id",
            "site_name",
            "delivery_point",
            "segment",
            "status",
            "billing_attachment__perimeter_id",
            "billing_attachment__perimeter__name",
        )
    )
    # Another member's site reads as unknown: its existence is not revealed.
    rows = [row for row in rows if row["member_id"] == perimeter.member_id]
    errors: list[str] = []
    if len(rows) != len(site_ids):
        errors.append(_("Certains sites sélectionnés ne sont pas disponibles : rechargez la page."))
    new_ids: list[int] = []
    for row in rows:
        label = _site_label(row["site_name"], row["delivery_point"])
        current = row["billing_attachment__perimeter_id"]
        if current == perimeter.pk:
            continue  # already here: attaching again changes nothing
        elif current is not None:
            errors.append(
                _("Le site %(site)s est déjà rattaché au périmètre « %(perimeter)s ».")
                % {"site": label, "perimeter": row["billing_attachment__perimeter__name"]}
            )
        elif row["status"] not in ATTACHABLE_STATUSES:
            errors.append(
                _("Le site %(site)s n'a pas de bascule confirmée : seuls les sites confirmés peuvent être rattachés.")
                % {"site": label}
            )
        elif row["segment"] != perimeter.segment:
            errors.append(
                _("Le site %(site)s est de segment %(site_segment)s, ce périmètre est %(segment)s.")
                % {"site": label, "site_segment": row["segment"], "segment": perimeter.segment}
            )
        else:
            new_ids.append(row["pk"])
    if perimeter.billing_type == BillingType.MONO_SITE and new_ids and len(new_ids) + perimeter.attachments.count() > 1:
        errors.append(_("Un périmètre mono-site ne contient qu'un site."))
    _raise_listed(errors)
    if not new_ids:
        return 0
    try:
        with transaction.atomic():
            BillingPerimeterSite.objects.bulk_create(
                [BillingPerimeterSite(perimeter=perimeter, site_id=site_id, attached_by=actor) for site_id in new_ids]
            )
    except IntegrityError as exc:  # another request attached one of these sites meanwhile
        raise ValidationError(
            _("Un des sites vient d'être rattaché à un autre périmètre : rechargez la page et recommencez."),
            code="attachment_conflict",
        ) from exc
    audit_record(
        action="billing_perimeter.sites_attached",
        actor=actor,
        request=request,
        target=perimeter,
        details={"sites": new_ids, "count": len(new_ids)},
    )
    return len(new_ids)


@transaction.atomic
def detach_sites(
    *,
    perimeter: BillingPerimeter,
    sites: Iterable[Site | int],
    actor: User | None,
    request: HttpRequest | None = None,
) -> int:
    """Detach sites from a perimeter, all or none; returns how many were detached."""
    assert_member_editable(perimeter.member)
    site_ids = _site_ids(sites)
    if not site_ids:
        raise ValidationError(_("Sélectionnez au moins un site à détacher."), code="no_site")
    # One DELETE statement: QuerySet.delete() collects the rows first and deletes them by
    # batches of 100 as soon as any deletion signal receiver is connected; nothing
    # cascades from this table and no signal is expected for it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {BillingPerimeterSite._meta.db_table} WHERE perimeter_id = %s AND site_id = ANY(%s)",
            [perimeter.pk, site_ids],
        )
        deleted = cursor.rowcount
    if deleted != len(site_ids):
        # Rolled back by the atomic block: nothing is detached.
        raise ValidationError(
            _("Certains sites sélectionnés ne sont pas rattachés à ce périmètre : rechargez la page."),
            code="not_attached",
        )
    audit_record(
        action="billing_perimeter.sites_detached",
        actor=actor,
        request=request,
        target=perimeter,
        details={"sites": site_ids, "count": deleted},
    )
    return deleted


@transaction.atomic
def sites_release(*, site_ids: Iterable[int], actor: User | None, request: HttpRequest | None = None) -> int:
    """Sites that are no longer confirmed leave their perimeter (a site "not mine" is not billed).

    Called by the journey when a member changes a site's status; returns how many left.
    """
    ids = list(site_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {BillingPerimeterSite._meta.db_table} WHERE site_id = ANY(%s) RETURNING site_id",
            [ids],
        )
        released = cursor.fetchall()
    if released:
        audit_record(
            action="billing_perimeter.sites_released",
            actor=actor,
            request=request,
            details={"sites": [site_id for (site_id,) in released]},
        )
    return len(released)


DEFAULT_PERIMETER_SUFFIX = "périmètre par défaut"


@transaction.atomic
def default_perimeters_attach(
    *, groups: dict[tuple[int, int, str], list[int]], lot_names: dict[int, str], actor_email: str = ""
) -> dict[int, int]:
    """Attach sites that belong to no perimeter to their member's default perimeter; returns {site id: perimeter id}.

    ``groups`` maps (member id, lot id, segment) to site ids. A default perimeter per member,
    lot and segment, named after the lot, starts from the campaign's defaults like any new
    perimeter (a campaign asking for one invoice per site gives each site its own
    mono-site perimeter); an existing one of that name is reused, so billing runs may call
    this again. This is the supplier's write at billing time, not the member's: it is not
    refused by the journey lock. The member sees these perimeters on its attachment screen.
    Queries: the members, their existing defaults, one INSERT of the new perimeters, one of
    the attachments (each checked by the attachment trigger), one audit event.
    """
    if not groups:
        return {}
    members = Member.objects.in_bulk({member_id for member_id, _lot, _segment in groups})
    defaults = {member_id: perimeter_defaults(member) for member_id, member in members.items()}
    site_names = dict(
        Site.objects.filter(pk__in=[s for ids in groups.values() for s in ids]).values_list("pk", "delivery_point")
    )
    wanted: dict[tuple[int, str], tuple[tuple[int, int, str], list[int]]] = {}
    for key, site_ids in groups.items():
        member_id, lot_id, segment = key
        base = f"{lot_names.get(lot_id, lot_id)} — {segment} ({DEFAULT_PERIMETER_SUFFIX})"
        if defaults[member_id].get("billing_type") == BillingType.MONO_SITE:
            for site_id in site_ids:
                wanted[(member_id, f"{site_names[site_id]} — {base}"[:200])] = (key, [site_id])
        else:
            wanted[(member_id, base[:200])] = (key, list(site_ids))
    existing = {
        (p.member_id, p.name): p
        for p in BillingPerimeter.objects.filter(
            member_id__in=members, name__in={name for _member, name in wanted}
        ).order_by()
    }
    new: list[BillingPerimeter] = []
    for (member_id, name), ((_m, _lot, segment), _ids) in wanted.items():
        if (member_id, name) in existing:
            continue
        fields = {k: v for k, v in defaults[member_id].items() if k in PERIMETER_FIELDS}
        if fields.get("invoice_delivery") == InvoiceDelivery.EMAIL and not fields.get("delivery_email"):
            fields["invoice_delivery"] = InvoiceDelivery.PAPER  # no address to send it to: paper
        if fields.get("invoice_delivery") != InvoiceDelivery.EMAIL:
            fields.pop("delivery_email", None)
        new.append(BillingPerimeter(member_id=member_id, name=name, segment=segment, **fields))
    for perimeter in BillingPerimeter.objects.bulk_create(new):
        existing[(perimeter.member_id, perimeter.name)] = perimeter
    attached: dict[int, int] = {}
    for (member_id, name), (_key, site_ids) in wanted.items():
        for site_id in site_ids:
            attached[site_id] = existing[(member_id, name)].pk
    BillingPerimeterSite.objects.bulk_create(
        [BillingPerimeterSite(perimeter_id=perimeter, site_id=site) for site, perimeter in attached.items()],
        batch_size=5000,
    )
    audit_record(
        action="billing_perimeter.defaults_attached",
        actor_email=actor_email,
        details={"perimeters_created": [p.pk for p in new], "sites": len(attached)},
    )
    return attached
