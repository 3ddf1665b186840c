"""Issue invoices and credit notes: the only writer of ``Invoice`` and its rows.

An invoice is written once, in one transaction, with bulk inserts: the invoice row, one
``InvoiceSite`` per site (its recap: the engine's totals for that site), the engine's lines
of every site, and the invoice's VAT per rate. Then nothing changes it (a database trigger
refuses any UPDATE or DELETE, migration 0002).

Totals (EN 16931): the invoice's energy, network, taxes and total excluding VAT are the sums
of its sites' (themselves sums of rounded lines); the VAT of each rate is computed once on
the sum of the bases of that rate over all the sites, rounded to the cent (BR-CO-17), and
the VAT total is the sum of those amounts (BR-CO-14) — it may differ by a cent from the sum
of the sites' own VAT, which the recap shows for information. Total including VAT = total
excluding VAT + VAT total (the invoice's check constraint).

A correction is a credit note that cancels the invoice in full (every row negated, same
periods, ``cancels`` set: an invoice is cancelled at most once, by the one-to-one
constraint and a check under the invoice's row lock), followed by a new invoice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from billing_groups.models import BillingPerimeter
from invoicing.choices import IndexNature, InvoiceKind
from invoicing.engine.rounding import vat_amount
from invoicing.engine.types import InvoiceResult, Period
from invoicing.models import BillingRun, Invoice, InvoiceLine, InvoiceSite, InvoiceVat
from invoicing.services.numbering import invoice_numbers_take
from perimeter.models import Lot, Site

QUANTITY = Decimal("0.001")
UNIT_PRICE = Decimal("0.000001")
ZERO = Decimal("0")


@dataclass(frozen=True)
class SiteBill:
    """One site's part of an invoice: what was billed (periods, indexes) and the engine's result."""

    site: Site
    consumption_period: Period
    fixed_period: Period
    result: InvoiceResult
    consumption_kwh: Decimal
    # {post: {"start": "…", "end": "…"}} in kWh (gas: {"BASE": …} with "volume_m3" and "coefficient").
    indexes: dict[str, dict[str, str]] = field(default_factory=dict)
    index_nature: str = IndexNature.ESTIMATED


@dataclass
class _VatSum:
    base: Decimal = ZERO
    amount: Decimal = ZERO


def buyer_snapshot(perimeter: BillingPerimeter) -> dict[str, str]:
    """The buyer as it is at issue: the member's identity and the perimeter's (else the member's) ChorusPro routing."""
    member = perimeter.member
    return {
        "legal_name": member.legal_name,
        "siret": member.siret,
        "siren": member.siren,
        "customer_number": member.customer_number,
        "address_line": member.address_line,
        "postcode": member.postcode,
        "city": member.city,
        "perimeter": perimeter.name,
        "budget_reference": perimeter.budget_reference,
        "delivery_email": perimeter.delivery_email,
        "chorus_siret": perimeter.chorus_siret or member.chorus_siret,
        "chorus_service_code": perimeter.chorus_service_code or member.chorus_service_code,
        "chorus_commitment_number": perimeter.chorus_commitment_number or member.chorus_commitment_number,
    }


def invoice_label(perimeter: BillingPerimeter, lot: Lot, bills: Sequence[SiteBill]) -> str:
    first = min(bill.consumption_period.first for bill in bills)
    last = max(bill.consumption_period.last for bill in bills)
    energy = _("Électricité") if lot.fluid == "elec" else _("Gaz naturel")
    mono = len(bills) == 1 and perimeter.billing_type == "mono_site"
    subject = bills[0].site.site_name if mono else perimeter.name
    label = _("%(energy)s — %(subject)s — du %(first)s au %(last)s") % {
        "energy": energy,
        "subject": subject,
        "first": first.strftime("%d/%m/%Y"),
        "last": last.strftime("%d/%m/%Y"),
    }
    return label[:200]


def _site_row(invoice: Invoice, position: int, bill: SiteBill) -> InvoiceSite:
    totals = bill.result.totals
    return InvoiceSite(
        invoice=invoice,
        site=bill.site,
        position=position,
        delivery_point=bill.site.delivery_point,
        site_name=bill.site.site_name[:200],
        consumption_start=bill.consumption_period.first,
        consumption_end=bill.consumption_period.last,
        fixed_start=bill.fixed_period.first,
        fixed_end=bill.fixed_period.last,
        consumption_kwh=bill.consumption_kwh.quantize(QUANTITY),
        indexes=bill.indexes,
        index_nature=bill.index_nature,
        energy=totals.energy,
        network=totals.network,
        taxes=totals.taxes,
        total_excl_vat=totals.excl_vat,
        vat_total=totals.vat_total,
        total_incl_vat=totals.incl_vat,
    )


@transaction.atomic
def invoice_issue(
    *,
    perimeter: BillingPerimeter,
    lot: Lot,
    issue_date: dt.date,
    bills: Sequence[SiteBill],
    payment_delay_days: int,
    run: BillingRun | None = None,
    label: str = "",
) -> Invoice:
    """Write one invoice of a perimeter (its member loaded) from the engine's results of its sites.

    Queries: the number (one statement, the series' row lock held until commit), the invoice,
    its sites, its lines and its VAT rates: five INSERTs whatever the number of sites.
    """
    if not bills:
        raise ValidationError(_("Une facture porte au moins un site."))
    vat: dict[Decimal, _VatSum] = defaultdict(_VatSum)
    for bill in bills:
        for rate in bill.result.totals.vat:
            vat[rate.percent].base += rate.base
    for percent, rate_sum in vat.items():
        rate_sum.amount = vat_amount(rate_sum.base, percent)
    totals = [bill.result.totals for bill in bills]
    excl_vat = sum((t.excl_vat for t in totals), ZERO)
    vat_total = sum((v.amount for v in vat.values()), ZERO)
    number = invoice_numbers_take(year=issue_date.year)[0]
    invoice = Invoice.objects.create(
        number=number,
        kind=InvoiceKind.INVOICE,
        run=run,
        perimeter=perimeter,
        member_id=perimeter.member_id,
        lot=lot,
        label=label or invoice_label(perimeter, lot, bills),
        issue_date=issue_date,
        accounting_date=issue_date,
        due_date=issue_date + dt.timedelta(days=payment_delay_days),
        period_start=min(bill.consumption_period.first for bill in bills),
        period_end=max(bill.consumption_period.last for bill in bills),
        consumption_kwh=sum((bill.consumption_kwh for bill in bills), ZERO).quantize(QUANTITY),
        energy=sum((t.energy for t in totals), ZERO),
        network=sum((t.network for t in totals), ZERO),
        taxes=sum((t.taxes for t in totals), ZERO),
        total_excl_vat=excl_vat,
        vat_total=vat_total,
        total_incl_vat=excl_vat + vat_total,
        reception_mode=perimeter.invoice_delivery,
        payment_mode=perimeter.payment_mode,
        buyer=buyer_snapshot(perimeter),
    )
    sites = InvoiceSite.objects.bulk_create(
        [_site_row(invoice, position, bill) for position, bill in enumerate(bills, start=1)]
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                invoice_site=site,
                position=position,
                code=line.code,
                family=line.family,
                label=line.label[:200],
                start=line.start,
                end=line.end,
                quantity=line.quantity.quantize(QUANTITY),
                unit=line.unit,
                unit_price=line.unit_price.quantize(UNIT_PRICE),
                amount=line.amount,
                vat_percent=line.vat_percent,
            )
            for site, bill in zip(sites, bills, strict=True)
            for position, line in enumerate(bill.result.lines, start=1)
        ],
        batch_size=5000,
    )
    InvoiceVat.objects.bulk_create(
        [
            InvoiceVat(invoice=invoice, percent=percent, base=rate.base, amount=rate.amount)
            for percent, rate in sorted(vat.items())
        ]
    )
    return invoice


def _actor(by: User | str | None) -> tuple[User | None, str]:
    if isinstance(by, User):
        return by, by.email
    return None, by or ""


@transaction.atomic
def credit_note_issue(
    *, invoice: Invoice, reason: str, by: User | str | None, issue_date: dt.date | None = None
) -> Invoice:
    """Cancel an invoice in full: a credit note with every amount negated, referencing it. Never twice."""
    reason = " ".join(str(reason).split())
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'avoir.")})
    # The row lock (a SELECT … FOR UPDATE is not an UPDATE: the trigger lets it pass)
    # serialises two cancellations of the same invoice; the one-to-one constraint backs it.
    original = Invoice.objects.select_for_update().select_related("perimeter").get(pk=invoice.pk)
    if original.kind != InvoiceKind.INVOICE:
        raise ValidationError(_("Un avoir ne s'annule pas : émettez une nouvelle facture."))
    if Invoice.objects.filter(cancels=original).exists():
        raise ValidationError(_("La facture %(number)s est déjà annulée par un avoir.") % {"number": original.number})
    day = issue_date or timezone.localdate()
    number = invoice_numbers_take(year=day.year)[0]
    credit = Invoice.objects.create(
        number=number,
        kind=InvoiceKind.CREDIT_NOTE,
        run=None,
        perimeter_id=original.perimeter_id,
        member_id=original.member_id,
        lot_id=original.lot_id,
        cancels=original,
        label=(_("Avoir de la facture %(number)s : %(reason)s") % {"number": original.number, "reason": reason})[:200],
        issue_date=day,
        accounting_date=day,
        due_date=day,
        period_start=original.period_start,
        period_end=original.period_end,
        consumption_kwh=-original.consumption_kwh,
        energy=-original.energy,
        network=-original.network,
        taxes=-original.taxes,
        total_excl_vat=-original.total_excl_vat,
        vat_total=-original.vat_total,
        total_incl_vat=-original.total_incl_vat,
        reception_mode=original.reception_mode,
        payment_mode=original.payment_mode,
        buyer=original.buyer,
    )
    old_sites = list(InvoiceSite.objects.filter(invoice=original).order_by("position"))
    new_sites = InvoiceSite.objects.bulk_create(
        [
            InvoiceSite(
                invoice=credit,
                site_id=s.site_id,
                position=s.position,
                delivery_point=s.delivery_point,
                site_name=s.site_name,
                consumption_start=s.consumption_start,
                consumption_end=s.consumption_end,
                fixed_start=s.fixed_start,
                fixed_end=s.fixed_end,
                consumption_kwh=-s.consumption_kwh,
                indexes=s.indexes,
                index_nature=s.index_nature,
                energy=-s.energy,
                network=-s.network,
                taxes=-s.taxes,
                total_excl_vat=-s.total_excl_vat,
                vat_total=-s.vat_total,
                total_incl_vat=-s.total_incl_vat,
            )
            for s in old_sites
        ]
    )
    site_of = {old.pk: new for old, new in zip(old_sites, new_sites, strict=True)}
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=credit,
                invoice_site=site_of[line.invoice_site_id],
                position=line.position,
                code=line.code,
                family=line.family,
                label=line.label,
                start=line.start,
                end=line.end,
                quantity=-line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                amount=-line.amount,
                vat_percent=line.vat_percent,
            )
            for line in InvoiceLine.objects.filter(invoice=original).order_by("invoice_site_id", "position")
        ],
        batch_size=5000,
    )
    InvoiceVat.objects.bulk_create(
        [
            InvoiceVat(invoice=credit, percent=v.percent, base=-v.base, amount=-v.amount)
            for v in InvoiceVat.objects.filter(invoice=original)
        ]
    )
    actor, email = _actor(by)
    audit_record(
        action="invoice.cancelled",
        actor=actor,
        actor_email=email,
        target=credit,
        details={"cancels": original.number, "credit_note": credit.number, "reason": reason},
    )
    return credit


@transaction.atomic
def invoice_correct(
    *,
    invoice: Invoice,
    reason: str,
    by: User | str | None,
    bills: Sequence[SiteBill] | None = None,
    issue_date: dt.date | None = None,
) -> tuple[Invoice, Invoice]:
    """A correction: the credit note cancelling ``invoice``, then the new invoice (same perimeter and periods).

    ``bills`` are the corrected sites; without them each site is billed again over the same
    periods from the meter data known now (a real index received since replaces the estimate).
    Returns (credit note, new invoice); both or neither are written.
    """
    credit = credit_note_issue(invoice=invoice, reason=reason, by=by, issue_date=issue_date)
    original = Invoice.objects.select_related("perimeter__member", "lot").get(pk=invoice.pk)
    if bills is None:
        from invoicing.services.runs import rebill_sites

        bills = rebill_sites(original)
    new = invoice_issue(
        perimeter=original.perimeter,
        lot=original.lot,
        issue_date=credit.issue_date,
        bills=bills,
        payment_delay_days=(original.due_date - original.issue_date).days,
        run=None,
    )
    actor, email = _actor(by)
    audit_record(
        action="invoice.corrected",
        actor=actor,
        actor_email=email,
        target=new,
        details={"cancels": original.number, "credit_note": credit.number, "invoice": new.number, "reason": reason},
    )
    return credit, new
