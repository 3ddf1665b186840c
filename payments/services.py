"""Writes of payments: the accounting file or API push (all or nothing, idempotent), ChorusPro's
"mise en paiement", and the overdue reminders (once per stage, logged).

A line is checked before anything is written: the invoice exists and is an invoice still
expected to be paid (not a credit note, not cancelled), the date is a real day not in the
future, the amount is positive with at most two decimals, and the payments do not exceed the
invoice's total incl. VAT (an overpayment is refused, naming the amount still due). A line
already recorded — same invoice, date, amount and reference — is counted as such and not
recorded again, whether it comes from an earlier file or twice in the same one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.mail import absolute_url, mail_queue
from invoicing.choices import InvoiceKind
from invoicing.models import Invoice
from payments.choices import REMINDER_STAGES, ImportStatus, PaymentSource, PaymentState
from payments.models import Payment, PaymentImport, ReminderLog
from payments.reading import (
    COL_AMOUNT,
    COL_DATE,
    COL_INVOICE,
    COL_REFERENCE,
    RawRow,
    error,
    parse_amount,
    parse_date,
    read_payments_file,
)
from payments.selectors import overdue_invoices, payment_state_of, reminder_recipients

CENT = Decimal("0.01")
MAX_REFERENCE = 100


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",") + " €"


def _check(rows: list[RawRow], *, today: dt.date) -> tuple[list[Payment], int, list[dict[str, Any]]]:
    """The payments to write, the lines already recorded, and every error (nothing is written here)."""
    errors: list[dict[str, Any]] = []
    numbers = {str(row.invoice).strip() for row in rows if row.invoice not in (None, "")}
    invoices = {
        invoice.number: invoice for invoice in Invoice.objects.filter(number__in=numbers).select_related("cancelled_by")
    }
    ids = [invoice.pk for invoice in invoices.values()]
    paid: dict[int, Decimal] = defaultdict(Decimal)
    existing: set[tuple[int, dt.date, Decimal, str]] = set()
    for invoice_id, paid_on, paid_amount, paid_reference in Payment.objects.filter(invoice_id__in=ids).values_list(
        "invoice_id", "date", "amount", "reference"
    ):
        paid[invoice_id] += paid_amount
        existing.add((invoice_id, paid_on, paid_amount, paid_reference))
    new: list[Payment] = []
    duplicates = 0
    for row in rows:
        line_errors: list[dict[str, Any]] = []
        number = str(row.invoice or "").strip()
        invoice = invoices.get(number)
        if not number:
            line_errors.append(error(row.line, COL_INVOICE, _("Numéro de facture manquant.")))
        elif invoice is None:
            line_errors.append(error(row.line, COL_INVOICE, _("Facture inconnue : « %(n)s ».") % {"n": number}))
        elif invoice.kind != InvoiceKind.INVOICE:
            line_errors.append(
                error(row.line, COL_INVOICE, _("%(n)s est un avoir : aucun paiement n'est attendu.") % {"n": number})
            )
        elif hasattr(invoice, "cancelled_by"):
            line_errors.append(
                error(
                    row.line,
                    COL_INVOICE,
                    _("La facture %(n)s est annulée par l'avoir %(c)s : aucun paiement n'est attendu.")
                    % {"n": number, "c": invoice.cancelled_by.number},
                )
            )
        day = parse_date(row.date)
        if day is None:
            line_errors.append(
                error(row.line, COL_DATE, _("Date illisible : « %(v)s » (attendu JJ/MM/AAAA).") % {"v": row.date or ""})
            )
        elif day > today:
            line_errors.append(error(row.line, COL_DATE, _("Date dans le futur : %(d)s.") % {"d": f"{day:%d/%m/%Y}"}))
        amount = parse_amount(row.amount)
        if amount is None:
            line_errors.append(
                error(row.line, COL_AMOUNT, _("Montant illisible : « %(v)s ».") % {"v": row.amount or ""})
            )
        elif amount <= 0:
            line_errors.append(error(row.line, COL_AMOUNT, _("Le montant doit être positif.")))
        elif amount != amount.quantize(CENT):
            line_errors.append(error(row.line, COL_AMOUNT, _("Deux décimales au plus (centimes).")))
        elif amount >= Decimal("1e12"):
            line_errors.append(error(row.line, COL_AMOUNT, _("Montant trop élevé.")))
        reference = " ".join(str(row.reference or "").split())
        if len(reference) > MAX_REFERENCE:
            line_errors.append(
                error(row.line, COL_REFERENCE, _("Référence de %(n)d caractères au plus.") % {"n": MAX_REFERENCE})
            )
        if line_errors:
            errors.extend(line_errors)
            continue
        assert invoice is not None
        assert day is not None
        assert amount is not None
        amount = amount.quantize(CENT)
        key = (invoice.pk, day, amount, reference)
        if key in existing:
            duplicates += 1
            continue
        remaining = invoice.total_incl_vat - paid[invoice.pk]
        if amount > remaining:
            errors.append(
                error(
                    row.line,
                    COL_AMOUNT,
                    _(
                        "Paiement de %(amount)s supérieur au reste à payer de la facture %(n)s (%(remaining)s) : "
                        "trop-perçu refusé."
                    )
                    % {"amount": _money(amount), "n": invoice.number, "remaining": _money(max(remaining, Decimal(0)))},
                )
            )
            continue
        existing.add(key)
        paid[invoice.pk] += amount
        new.append(Payment(invoice=invoice, date=day, amount=amount, reference=reference))
    return new, duplicates, errors


@transaction.atomic
def _payments_apply(
    *, rows: list[RawRow], read_errors: list[dict[str, Any]], source: str, by: str, file_name: str = ""
) -> PaymentImport:
    """Check every line, then record all of them or none. Under a lock, so two imports never overpay."""
    # One import at a time in the syndicate: the remaining amounts read stay true until the write.
    with transaction.get_connection().cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('payments.import'))")
    today = timezone.localdate()
    new, duplicates, errors = ([], 0, []) if read_errors else _check(rows, today=today)
    errors = read_errors + errors
    batch = PaymentImport.objects.create(
        source=source,
        file_name=file_name[:255],
        by=by,
        status=ImportStatus.REFUSED if errors else ImportStatus.DONE,
        rows=len(rows),
        created=0 if errors else len(new),
        duplicates=0 if errors else duplicates,
        errors=sorted(errors, key=lambda e: (e["line"], e["column"])),
    )
    if not errors:
        for payment in new:
            payment.source = source
            payment.batch = batch
        Payment.objects.bulk_create(new)
    audit_record(
        action="payments.imported" if not errors else "payments.import_refused",
        actor_email=by,
        target=batch,
        details={
            "source": source,
            "file_name": file_name,
            "rows": batch.rows,
            "created": batch.created,
            "duplicates": batch.duplicates,
            "errors": len(errors),
        },
    )
    return batch


def payments_import(*, file: IO[bytes], by: str, file_name: str = "") -> PaymentImport:
    """A payments file of the supplier's accounting (xlsx or csv): all its lines or none."""
    read = read_payments_file(file, file_name)
    return _payments_apply(
        rows=read.rows, read_errors=read.errors, source=PaymentSource.ACCOUNTING, by=by, file_name=file_name
    )


def payments_push(*, payments: Iterable[Mapping[str, Any]], by: str) -> PaymentImport:
    """The staff API's push: a list of {invoice, date, amount, reference}; line n is the list's n-th item."""
    rows = [
        RawRow(index, item.get("invoice"), item.get("date"), item.get("amount"), item.get("reference") or "")
        for index, item in enumerate(payments, start=1)
    ]
    read_errors = [] if rows else [error(0, "", _("Aucun paiement dans la liste."))]
    return _payments_apply(rows=rows, read_errors=read_errors, source=PaymentSource.API, by=by)


@transaction.atomic
def payment_record_from_chorus(
    *, invoice: Invoice, chorus_invoice_id: str = "", date: dt.date | None = None
) -> Payment | None:
    """ChorusPro says the invoice is paid (``MISE_EN_PAIEMENT``): record what was still due, once.

    Nothing is recorded for an invoice already paid in full, cancelled, or a credit note; called
    again for the same invoice, it records nothing more (the remaining amount is then zero).
    """
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    state = payment_state_of(invoice)
    if state.state in (PaymentState.PAID, PaymentState.SETTLED, PaymentState.CREDIT) or state.remaining <= 0:
        return None
    payment, created = Payment.objects.get_or_create(
        invoice=invoice,
        date=date or timezone.localdate(),
        amount=state.remaining,
        reference=f"ChorusPro {chorus_invoice_id}".strip()[:MAX_REFERENCE],
        defaults={"source": PaymentSource.CHORUS},
    )
    if created:
        audit_record(
            action="payments.chorus_paid",
            actor_email="ChorusPro",
            target=invoice,
            details={"invoice": invoice.number, "amount": str(payment.amount), "chorus_id": chorus_invoice_id},
        )
    return payment if created else None


# --- Reminders ------------------------------------------------------------------------


def reminder_stage(due_date: dt.date, today: dt.date) -> int | None:
    """The latest stage reached (days after the due date), or None before the first."""
    late = (today - due_date).days
    reached = [stage for stage in REMINDER_STAGES if late >= stage]
    return reached[-1] if reached else None


@transaction.atomic
def payment_reminders_send(*, today: dt.date | None = None) -> list[ReminderLog]:
    """One reminder per overdue invoice and stage reached (J+1, J+15, J+30 after its due date).

    Logged in ``ReminderLog`` (unique per invoice and stage): a stage already reminded is never
    sent again; a stage skipped (the beat did not run that day) is not sent late, only the latest.
    The mails leave on the light queue once the transaction commits.
    """
    today = today or timezone.localdate()
    overdue = list(overdue_invoices(today=today))
    due: list[tuple[Invoice, int]] = []
    for invoice in overdue:
        stage = reminder_stage(invoice.due_date, today)
        if stage is not None:
            due.append((invoice, stage))
    if not due:
        return []
    done = set(
        ReminderLog.objects.filter(invoice_id__in=[invoice.pk for invoice, _ in due]).values_list("invoice_id", "stage")
    )
    recipients = reminder_recipients({invoice.member_id for invoice, _ in due})
    sent: list[ReminderLog] = []
    for invoice, stage in due:
        if (invoice.pk, stage) in done or any(s > stage for (i, s) in done if i == invoice.pk):
            continue
        to = recipients.get(invoice.member_id) or []
        if not to:
            continue
        log = ReminderLog.objects.create(
            invoice=invoice,
            stage=stage,
            recipients=to,
            remaining=invoice.remaining,  # type: ignore[attr-defined]
        )
        mail_queue(
            to=to,
            subject=_("Relance : facture %(number)s échue le %(due)s")
            % {"number": invoice.number, "due": f"{invoice.due_date:%d/%m/%Y}"},
            template="payments/reminder_email",
            context={
                "invoice": invoice,
                "member": invoice.member,
                "stage": stage,
                "late_days": (today - invoice.due_date).days,
                "paid": _money(invoice.paid_amount),  # type: ignore[attr-defined]
                "remaining": _money(invoice.remaining),  # type: ignore[attr-defined]
                "total": _money(invoice.total_incl_vat),
                "invoice_url": absolute_url("invoicing:invoice_detail", pk=invoice.pk),
            },
        )
        audit_record(
            action="payments.reminder_sent",
            actor_email="calendrier",
            target=invoice,
            details={"invoice": invoice.number, "stage": stage, "recipients": to},
        )
        sent.append(log)
    return sent
