"""Payments: the accounting file and the staff push (all or nothing, idempotent, partial payments,
overpayment refused), the derived payment state by date, the statement's balance, ChorusPro's
"mise en paiement", and the overdue reminders (once per stage)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from openpyxl import Workbook

from accounts.models import AuditEvent
from payments.choices import ImportStatus, PaymentSource, PaymentState
from payments.models import Payment, PaymentImport, ReminderLog
from payments.selectors import account_statement, payment_state_of
from payments.services import payment_record_from_chorus, payment_reminders_send, payments_import, payments_push
from perimeter.choices import ContactRole
from perimeter.models import Contact
from tests.invoicing.factories import make_credit_note, make_invoice

BY = "compta@fournisseur.test"


def _csv(*lines: str) -> io.BytesIO:
    return io.BytesIO(("Numéro de facture;Date;Montant;Référence\n" + "\n".join(lines) + "\n").encode())


def _fr(amount: Decimal) -> str:
    return str(amount).replace(".", ",")


def _invoice(world: Any, **kwargs: Any) -> Any:
    return make_invoice(member=world.member_a, sites=[world.site_a], **kwargs)


def test_a_file_is_recorded_whole_then_the_same_file_again_records_nothing(world: Any) -> None:
    one, two = _invoice(world, accounting_date=dt.date(2026, 4, 1)), _invoice(world)  # one due 1 May
    half = (one.total_incl_vat / 2).quantize(Decimal("0.01"))
    lines = (
        f"{one.number};05/04/2026;{_fr(half)};VIR-1",
        f"{two.number};2026-04-06;{_fr(two.total_incl_vat)};VIR-2",
    )

    first = payments_import(file=_csv(*lines), by=BY, file_name="paiements.csv")
    again = payments_import(file=_csv(*lines), by=BY, file_name="paiements.csv")

    assert (first.status, first.rows, first.created, first.duplicates) == (ImportStatus.DONE, 2, 2, 0)
    assert (again.status, again.created, again.duplicates) == (ImportStatus.DONE, 0, 2)
    assert Payment.objects.count() == 2
    assert payment_state_of(one, today=dt.date(2026, 4, 10)).state == PaymentState.PARTIAL
    assert payment_state_of(one, today=dt.date(2026, 4, 10)).remaining == one.total_incl_vat - half
    assert payment_state_of(two, today=dt.date(2026, 4, 10)).state == PaymentState.PAID
    assert AuditEvent.objects.filter(action="payments.imported", actor_email=BY).count() == 2


def test_the_same_line_twice_in_one_file_counts_once(world: Any) -> None:
    invoice = _invoice(world)
    line = f"{invoice.number};05/04/2026;10,00;"
    batch = payments_import(file=_csv(line, line), by=BY)
    assert (batch.created, batch.duplicates) == (1, 1)
    assert Payment.objects.get().amount == Decimal("10.00")


def test_one_bad_line_refuses_the_whole_file_with_each_error_by_line_and_column(world: Any) -> None:
    invoice = _invoice(world)
    batch = payments_import(
        file=_csv(
            f"{invoice.number};05/04/2026;10,00;OK",
            "FA-INCONNUE;05/04/2026;10,00;",
            f"{invoice.number};31/02/2026;abc;",
            f"{invoice.number};06/04/2026;-5;",
        ),
        by=BY,
        file_name="faux.csv",
    )
    assert batch.status == ImportStatus.REFUSED
    assert Payment.objects.count() == 0  # the good first line is not recorded either
    assert [(e["line"], e["column"]) for e in batch.errors] == [
        (3, "Numéro de facture"),
        (4, "Date"),
        (4, "Montant"),
        (5, "Montant"),
    ]
    messages = [e["message"] for e in batch.errors]
    assert "Facture inconnue : « FA-INCONNUE »." in messages
    assert "Montant illisible : « abc »." in messages
    assert "Le montant doit être positif." in messages
    assert AuditEvent.objects.filter(action="payments.import_refused").count() == 1


def test_a_file_without_the_amount_column_says_which_column_is_missing(world: Any) -> None:
    batch = payments_import(file=io.BytesIO(b"Facture;Date\nFA1;01/01/2026\n"), by=BY)
    assert batch.errors == [{"line": 1, "column": "Montant", "message": "Colonne manquante : « Montant »."}]


def test_an_excel_file_is_read_with_real_dates_and_numbers(world: Any) -> None:
    invoice = _invoice(world)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["N° de facture", "Date de paiement", "Montant TTC"])
    sheet.append([invoice.number, dt.datetime(2026, 4, 5), 12.5])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    batch = payments_import(file=out, by=BY, file_name="paiements.xlsx")
    assert batch.status == ImportStatus.DONE, batch.errors
    payment = Payment.objects.get()
    assert (payment.date, payment.amount, payment.source) == (dt.date(2026, 4, 5), Decimal("12.50"), "accounting")


def test_partial_payments_add_up_and_an_overpayment_is_refused_naming_the_remaining_amount(world: Any) -> None:
    invoice = _invoice(world)
    total = invoice.total_incl_vat
    payments_push(payments=[{"invoice": invoice.number, "date": "2026-04-01", "amount": "100.00"}], by=BY)
    payments_push(payments=[{"invoice": invoice.number, "date": "2026-04-02", "amount": "50.00"}], by=BY)
    remaining = total - Decimal("150.00")

    refused = payments_push(
        payments=[{"invoice": invoice.number, "date": "2026-04-03", "amount": str(remaining + Decimal("0.01"))}], by=BY
    )

    assert refused.status == ImportStatus.REFUSED
    assert len(refused.errors) == 1
    message = refused.errors[0]["message"]
    assert "trop-perçu refusé" in message
    assert _fr(remaining) in message.replace("\u202f", "")
    assert payment_state_of(invoice, today=dt.date(2026, 4, 3)).paid == Decimal("150.00")
    settled = payments_push(
        payments=[{"invoice": invoice.number, "date": "2026-04-03", "amount": str(remaining)}], by=BY
    )
    assert settled.status == ImportStatus.DONE
    assert payment_state_of(invoice, today=dt.date(2026, 4, 3)).state == PaymentState.PAID


def test_two_lines_of_one_push_that_together_overpay_are_refused(world: Any) -> None:
    invoice = _invoice(world)
    amount = str(invoice.total_incl_vat)
    batch = payments_push(
        payments=[
            {"invoice": invoice.number, "date": "2026-04-01", "amount": amount, "reference": "A"},
            {"invoice": invoice.number, "date": "2026-04-01", "amount": amount, "reference": "B"},
        ],
        by=BY,
    )
    assert batch.status == ImportStatus.REFUSED
    assert [e["line"] for e in batch.errors] == [2]
    assert not Payment.objects.exists()


def test_a_payment_on_a_cancelled_invoice_or_a_credit_note_is_refused(world: Any) -> None:
    invoice = _invoice(world)
    credit = make_credit_note(invoice)
    batch = payments_push(
        payments=[
            {"invoice": invoice.number, "date": "2026-04-01", "amount": "1.00"},
            {"invoice": credit.number, "date": "2026-04-01", "amount": "1.00"},
        ],
        by=BY,
    )
    assert [e["message"] for e in batch.errors] == [
        f"La facture {invoice.number} est annulée par l'avoir {credit.number} : aucun paiement n'est attendu.",
        f"{credit.number} est un avoir : aucun paiement n'est attendu.",
    ]


def test_the_payment_state_follows_the_due_date(world: Any) -> None:
    invoice = _invoice(world, accounting_date=dt.date(2026, 3, 1))  # due 31 March
    assert invoice.due_date == dt.date(2026, 3, 31)
    assert payment_state_of(invoice, today=dt.date(2026, 3, 31)).state == PaymentState.UNPAID
    assert payment_state_of(invoice, today=dt.date(2026, 4, 1)).state == PaymentState.OVERDUE
    payments_push(payments=[{"invoice": invoice.number, "date": "2026-03-20", "amount": "10.00"}], by=BY)
    assert payment_state_of(invoice, today=dt.date(2026, 3, 25)).state == PaymentState.PARTIAL
    late = payment_state_of(invoice, today=dt.date(2026, 4, 1))
    assert (late.state, late.partial) == (PaymentState.OVERDUE, True)
    credit = make_credit_note(invoice, accounting_date=dt.date(2026, 4, 2))
    assert payment_state_of(invoice, today=dt.date(2026, 5, 1)).state == PaymentState.SETTLED
    assert payment_state_of(credit, today=dt.date(2026, 5, 1)).state == PaymentState.CREDIT


def test_the_statement_lists_movements_in_date_order_with_the_running_balance(world: Any) -> None:
    march = _invoice(world, accounting_date=dt.date(2026, 3, 1))
    april = _invoice(world, accounting_date=dt.date(2026, 4, 1))
    make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2026, 4, 1))  # not A's
    payments_push(payments=[{"invoice": march.number, "date": "2026-03-20", "amount": "100.00"}], by=BY)
    credit = make_credit_note(april, accounting_date=dt.date(2026, 4, 15))

    statement = account_statement(world.member_a, first=dt.date(2026, 3, 10), last=dt.date(2026, 12, 31))

    assert statement.opening == march.total_incl_vat  # issued before the period
    assert [(e.kind, e.number) for e in statement.entries] == [
        ("payment", march.number),
        ("invoice", april.number),
        ("credit_note", credit.number),
    ]
    assert [e.balance for e in statement.entries] == [
        march.total_incl_vat - 100,
        march.total_incl_vat - 100 + april.total_incl_vat,
        march.total_incl_vat - 100,
    ]
    assert statement.closing == march.total_incl_vat - Decimal("100.00")
    assert statement.credit_total == Decimal("100.00") + april.total_incl_vat


def test_chorus_paid_records_the_remaining_amount_once(world: Any) -> None:
    invoice = _invoice(world)
    payments_push(payments=[{"invoice": invoice.number, "date": "2026-04-01", "amount": "10.00"}], by=BY)

    first = payment_record_from_chorus(invoice=invoice, chorus_invoice_id="42", date=dt.date(2026, 4, 20))
    again = payment_record_from_chorus(invoice=invoice, chorus_invoice_id="42", date=dt.date(2026, 4, 21))

    assert first is not None
    assert (first.amount, first.source) == (invoice.total_incl_vat - 10, PaymentSource.CHORUS)
    assert again is None
    assert payment_state_of(invoice).state == PaymentState.PAID


@pytest.fixture
def billing_contact(world: Any) -> Contact:
    return Contact.objects.create(
        member=world.member_a,
        role=ContactRole.BILLING,
        first_name="Paul",
        last_name="Compta",
        email="Compta@Alpha.test",
    )


def test_reminders_go_once_per_stage_to_the_billing_contact_and_the_administrator(
    world: Any, billing_contact: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = _invoice(world, accounting_date=dt.date(2026, 3, 1))  # due 31 March
    paid = _invoice(world, accounting_date=dt.date(2026, 3, 1))
    payments_push(payments=[{"invoice": paid.number, "date": "2026-03-30", "amount": str(paid.total_incl_vat)}], by=BY)

    def run(day: dt.date) -> list[ReminderLog]:
        with django_capture_on_commit_callbacks(execute=True):
            return payment_reminders_send(today=day)

    assert run(dt.date(2026, 3, 31)) == []  # not yet due
    assert [(r.invoice_id, r.stage) for r in run(dt.date(2026, 4, 1))] == [(invoice.pk, 1)]
    assert run(dt.date(2026, 4, 1)) == []  # same day again: nothing
    assert run(dt.date(2026, 4, 10)) == []  # still stage J+1
    assert [r.stage for r in run(dt.date(2026, 4, 15))] == [15]
    assert [r.stage for r in run(dt.date(2026, 6, 1))] == [30]
    assert run(dt.date(2026, 7, 1)) == []  # every stage sent

    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert sorted(message.to) == ["alice@a.test", "compta@alpha.test"]
    assert invoice.number in message.subject
    assert "31/03/2026" in message.subject
    assert "Reste à payer" in message.body
    assert ReminderLog.objects.filter(invoice=invoice).count() == 3
    assert not ReminderLog.objects.filter(invoice=paid).exists()


def test_a_reminder_stops_once_the_invoice_is_paid(world: Any, billing_contact: Contact) -> None:
    invoice = _invoice(world, accounting_date=dt.date(2026, 3, 1))
    assert len(payment_reminders_send(today=dt.date(2026, 4, 1))) == 1
    payments_push(
        payments=[{"invoice": invoice.number, "date": "2026-04-05", "amount": str(invoice.total_incl_vat)}], by=BY
    )
    assert payment_reminders_send(today=dt.date(2026, 4, 20)) == []


def test_the_import_row_counts_are_kept(world: Any) -> None:
    invoice = _invoice(world)
    payments_import(file=_csv(f"{invoice.number};05/04/2026;10,00;"), by=BY, file_name="a.csv")
    stored = PaymentImport.objects.get()
    assert (stored.file_name, stored.by, stored.rows, stored.created) == ("a.csv", BY, 1, 1)


def test_a_chorus_invoice_put_in_payment_is_paid(world: Any, chorus: Any) -> None:
    from einvoicing.services import deposit_poll, deposit_request, deposit_send
    from tests.invoicing.factories import perimeter_for

    perimeter = perimeter_for(
        world.member_a, "Écoles", invoice_delivery="chorus", chorus_siret="21140118100017", chorus_service_code="S1"
    )
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], perimeter=perimeter)
    deposit = deposit_send(deposit_id=deposit_request(invoice=invoice, by="alice@a.test", send=False).pk)
    chorus.advance(invoice.number, "MANDATEE")
    deposit_poll(deposit_id=deposit.pk)
    assert not Payment.objects.exists()
    chorus.advance(invoice.number, "MISE_EN_PAIEMENT")
    deposit_poll(deposit_id=deposit.pk)
    payment = Payment.objects.get()
    assert (payment.amount, payment.source) == (invoice.total_incl_vat, PaymentSource.CHORUS)
    assert payment_state_of(invoice).state == PaymentState.PAID


def test_the_daily_beat_reminds_in_every_active_syndicate(
    world: Any, billing_contact: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone

    from payments.tasks import payment_reminders_all
    from tenants.db import connection

    today = timezone.localdate()
    _invoice(world, accounting_date=today - dt.timedelta(days=35))  # due five days ago: stage J+1
    with django_capture_on_commit_callbacks(execute=True):
        sent = payment_reminders_all()
        again = payment_reminders_all()
    connection.set_tenant(world.alpha)
    assert sent == {"alpha": 1, "beta": 0}
    assert again == {"alpha": 0, "beta": 0}
    assert len(mail.outbox) == 1


def test_the_state_computed_from_loaded_payments_agrees_with_the_database(world: Any) -> None:
    from payments.selectors import payment_state_from

    invoices = [_invoice(world, accounting_date=dt.date(2026, 3, 1)) for _ in range(4)]
    payments_push(payments=[{"invoice": invoices[1].number, "date": "2026-03-05", "amount": "5.00"}], by=BY)
    payments_push(
        payments=[{"invoice": invoices[2].number, "date": "2026-03-05", "amount": str(invoices[2].total_incl_vat)}],
        by=BY,
    )
    credit = make_credit_note(invoices[3])
    for day in (dt.date(2026, 3, 10), dt.date(2026, 4, 10)):
        for invoice in [*invoices, credit]:
            loaded = payment_state_from(
                invoice, list(Payment.objects.filter(invoice=invoice)), cancelled=invoice == invoices[3], today=day
            )
            assert loaded == payment_state_of(invoice, today=day), (invoice.number, day)
