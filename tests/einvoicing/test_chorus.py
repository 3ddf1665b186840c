"""ChorusPro deposits against the local fake server: token, deposit, statuses, refusals explained in
French, recycling with the same number, no deposit sent twice, the outbox without credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from billing_groups.models import BillingPerimeter
from einvoicing.choices import DepositStatus
from einvoicing.chorus import ChorusClient
from einvoicing.models import Deposit
from einvoicing.services import deposit_poll, deposit_request, deposit_send, deposits_request_due
from einvoicing.tasks import deposit_send_task
from tests.invoicing.factories import make_invoice, perimeter_for
from tests.support.fake_chorus import FakeChorus


def _chorus_invoice(world: Any, **routing: str) -> Any:
    perimeter = perimeter_for(
        world.member_a,
        "Écoles",
        invoice_delivery="chorus",
        chorus_siret="21140118100017",
        **routing,
    )
    return make_invoice(member=world.member_a, sites=[world.site_a], perimeter=perimeter)


def _deposit(invoice: Any, by: str = "alice@a.test") -> Deposit:
    deposit = deposit_request(invoice=invoice, by=by, send=False)
    return deposit_send(deposit_id=deposit.pk)


def test_a_deposit_goes_through_every_status_up_to_paid(world: Any, chorus: FakeChorus) -> None:
    invoice = _chorus_invoice(world, chorus_service_code="SERV-ECOLES", chorus_commitment_number="EJ-7")

    deposit = _deposit(invoice)

    assert deposit.status == DepositStatus.DEPOSITED
    assert deposit.flux_number == chorus.deposits[0].number
    sent = chorus.deposits[0]
    assert sent.invoice_number == invoice.number
    assert b"<ram:BuyerReference>SERV-ECOLES</ram:BuyerReference>" in sent.xml
    seen = []
    for chorus_status in ("MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"):
        chorus.advance(invoice.number, chorus_status)
        seen.append(deposit_poll(deposit_id=deposit.pk).status)
    assert seen == [
        DepositStatus.MADE_AVAILABLE,
        DepositStatus.SERVICE_DONE,
        DepositStatus.MANDATED,
        DepositStatus.PAID,
    ]
    assert list(deposit.events.values_list("status", flat=True)) == [
        "pending",
        "deposited",
        "made_available",
        "service_done",
        "mandated",
        "paid",
    ]
    assert deposit_poll(deposit_id=deposit.pk).status == DepositStatus.PAID  # paid: no longer asked
    assert chorus.calls.count("/api/oauth/token") == 1  # the token is kept between calls


def test_an_expired_token_is_renewed_on_expiry_and_on_401(world: Any, chorus: FakeChorus) -> None:
    chorus.token_lifetime = 0  # expires at once: every call asks a new one
    client = ChorusClient()
    client.invoice_status("X")
    client.invoice_status("X")
    assert chorus.tokens_issued == 2

    chorus.token_lifetime = 3600
    client.invoice_status("X")
    chorus.expire_tokens()  # the gateway forgets it before its time: 401, then a new token
    assert client.invoice_status("X") is None
    assert chorus.tokens_issued == 4


def test_a_flux_refused_for_a_missing_service_code_says_so_in_french_and_is_redeposited_after_the_fix(
    world: Any, chorus: FakeChorus
) -> None:
    invoice = _chorus_invoice(world)
    chorus.reject_next_flux("20003", "Le code service est obligatoire pour ce destinataire")
    deposit = _deposit(invoice)

    deposit = deposit_poll(deposit_id=deposit.pk)

    assert deposit.status == DepositStatus.FLUX_REFUSED
    assert deposit.reason == (
        "Le destinataire exige un code service et la facture n'en porte pas (« code service », BT-10)."
    )
    assert "périmètre de facturation « Écoles »" in deposit.fix
    assert "XPath" not in deposit.reason
    assert "/" not in deposit.reason

    BillingPerimeter.objects.filter(pk=invoice.perimeter_id).update(chorus_service_code="SERV-ECOLES")
    invoice.refresh_from_db()
    again = _deposit(invoice)

    assert again.attempt == 2
    assert again.status == DepositStatus.DEPOSITED
    assert [flux.invoice_number for flux in chorus.deposits] == [invoice.number, invoice.number]  # same number
    assert b"SERV-ECOLES" in chorus.deposits[1].xml


def test_an_invoice_to_recycle_is_redeposited_with_the_same_number(world: Any, chorus: FakeChorus) -> None:
    invoice = _chorus_invoice(world, chorus_service_code="SERV-ECOLES")
    chorus.recycle_next("ENGAGEMENT_OBLIGATOIRE", "Numéro d'engagement absent")
    deposit = _deposit(invoice)

    deposit = deposit_poll(deposit_id=deposit.pk)

    assert deposit.status == DepositStatus.TO_RECYCLE
    assert deposit.chorus_status == "A_RECYCLER"
    assert "numéro d'engagement" in deposit.reason
    assert "BT-13" in deposit.reason
    BillingPerimeter.objects.filter(pk=invoice.perimeter_id).update(chorus_commitment_number="EJ-2026-9")
    again = _deposit(invoice)
    chorus.advance(invoice.number, "MISE_A_DISPOSITION")

    assert deposit_poll(deposit_id=again.pk).status == DepositStatus.MADE_AVAILABLE
    assert b"<ram:IssuerAssignedID>EJ-2026-9</ram:IssuerAssignedID>" in chorus.deposits[1].xml
    assert {flux.invoice_number for flux in chorus.deposits} == {invoice.number}


def test_a_rejected_invoice_cannot_be_redeposited(world: Any, chorus: FakeChorus) -> None:
    invoice = _chorus_invoice(world, chorus_service_code="S")
    deposit = _deposit(invoice)
    chorus.advance(invoice.number, "REJETEE", code="X1", comment="Montant erroné")

    deposit = deposit_poll(deposit_id=deposit.pk)

    assert deposit.status == DepositStatus.REJECTED
    assert "Montant erroné" in deposit.reason
    assert "avoir" in deposit.fix
    with pytest.raises(ValidationError):
        deposit_request(invoice=invoice, by="alice@a.test")


def test_a_deposit_is_never_sent_twice(world: Any, chorus: FakeChorus) -> None:
    invoice = _chorus_invoice(world, chorus_service_code="S")
    deposit = deposit_request(invoice=invoice, by="alice@a.test", send=False)

    with pytest.raises(ValidationError) as refused:
        deposit_request(invoice=invoice, by="alice@a.test", send=False)  # a second request while one is live
    assert "ne sera pas envoyée deux fois" in refused.value.messages[0]
    deposit_send(deposit_id=deposit.pk)
    deposit_send(deposit_id=deposit.pk)  # a second delivery of the task
    deposit_send_task.apply(args=(deposit.pk, "alpha"))

    assert len(chorus.deposits) == 1
    assert Deposit.objects.filter(invoice=invoice).count() == 1


def test_a_deposit_refused_when_chorus_is_unreachable_goes_back_to_pending(world: Any, chorus: FakeChorus) -> None:
    invoice = _chorus_invoice(world, chorus_service_code="S")
    deposit = deposit_request(invoice=invoice, by="alice@a.test", send=False)
    chorus.stop()

    with pytest.raises(ConnectionError):
        deposit_send(deposit_id=deposit.pk)

    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.PENDING  # the task policy retries it later


def test_without_credentials_each_flux_is_written_to_the_syndicates_outbox(world: Any, no_chorus: Path) -> None:
    invoice = _chorus_invoice(world, chorus_service_code="S")
    make_invoice(member=world.member_a, sites=[world.site_a])  # e-mail delivery: not for ChorusPro

    ids = deposits_request_due(by="calendrier")
    assert len(ids) == 1
    deposit = deposit_send(deposit_id=ids[0])

    assert deposit.invoice_id == invoice.pk
    assert deposit.status == DepositStatus.OUTBOX
    assert deposit.get_status_display() == "Écrite dans le dossier d'envoi (ChorusPro non configuré)"
    written = no_chorus / deposit.outbox_path
    assert written.parent == no_chorus / "chorus-outbox" / "alpha"
    assert written.read_bytes().startswith(b"%PDF")
    assert deposits_request_due(by="calendrier") == []  # never twice
    assert deposit_poll(deposit_id=deposit.pk).status == DepositStatus.OUTBOX


def test_the_beat_deposits_the_new_chorus_invoices_and_follows_them(
    world: Any, chorus: FakeChorus, django_capture_on_commit_callbacks: Any
) -> None:
    from einvoicing.tasks import chorus_poll_all
    from tenants.db import connection

    invoice = _chorus_invoice(world, chorus_service_code="SERV-ECOLES")

    with django_capture_on_commit_callbacks(execute=True):  # the deposit's send task runs on commit (eager)
        chorus_poll_all()
    connection.set_tenant(world.alpha)
    deposit = Deposit.objects.get(invoice=invoice)
    assert deposit.status == DepositStatus.DEPOSITED
    assert deposit.requested_by == "calendrier"

    chorus.advance(invoice.number, "SERVICE_FAIT")
    with django_capture_on_commit_callbacks(execute=True):
        assert chorus_poll_all() == {"alpha": 1, "beta": 0}
    connection.set_tenant(world.alpha)
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.SERVICE_DONE
    assert len(chorus.deposits) == 1


def test_refused_credentials_leave_the_deposit_refused_with_a_reason_for_the_supplier(
    world: Any, chorus: FakeChorus, settings: Any
) -> None:
    settings.CHORUS_CLIENT_SECRET = "wrong"
    invoice = _chorus_invoice(world, chorus_service_code="S")

    deposit = _deposit(invoice)

    assert deposit.status == DepositStatus.FLUX_REFUSED
    assert deposit.reason == "ChorusPro a refusé les identifiants de la plateforme : la facture n'a pas été transmise."
    assert chorus.deposits == []


def test_the_members_routing_of_the_invoice_year_is_what_chorus_receives(world: Any, chorus: FakeChorus) -> None:
    from billing_groups.routing import perimeter_routing_set

    invoice = _chorus_invoice(world, chorus_service_code="SERV-ANCIEN")
    perimeter_routing_set(
        perimeter=invoice.perimeter,
        year=invoice.accounting_date.year,
        service_code="SERV-2026",
        commitment_number="EJ-2026-42",
        actor=world.alice,
    )
    _deposit(invoice)
    assert b"<ram:BuyerReference>SERV-2026</ram:BuyerReference>" in chorus.deposits[0].xml
    assert b"<ram:IssuerAssignedID>EJ-2026-42</ram:IssuerAssignedID>" in chorus.deposits[0].xml
