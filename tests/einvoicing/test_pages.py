"""E-invoicing as the member and the supplier's staff see it: the state on the invoice page, the
Factur-X downloads, the member's re-deposit after a fix, the back-office's list (rejections first)
and its audited re-deposit."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from facturx import get_facturx_xml_from_pdf

from accounts.models import AuditEvent
from billing_groups.models import BillingPerimeter
from einvoicing.choices import DepositStatus
from einvoicing.models import Deposit
from einvoicing.services import deposit_poll, deposit_request, deposit_send
from tenants.db import connection
from tests.conftest import TenantClient, logged_in
from tests.invoicing.factories import make_invoice, perimeter_for
from tests.support.fake_chorus import FakeChorus

PUBLIC = "config.urls_public"


def _chorus_invoice(world: Any, member: Any = None, site: Any = None, **routing: str) -> Any:
    member = member or world.member_a
    perimeter = perimeter_for(member, "Écoles", invoice_delivery="chorus", chorus_siret="21140118100017", **routing)
    return make_invoice(member=member, sites=[site or world.site_a], perimeter=perimeter)


def _recycled(world: Any, chorus: FakeChorus, invoice: Any) -> Deposit:
    chorus.reject_next_flux("20003", "Code service obligatoire")
    deposit = deposit_send(deposit_id=deposit_request(invoice=invoice, by="calendrier", send=False).pk)
    return deposit_poll(deposit_id=deposit.pk)


def test_the_member_sees_the_refusal_in_french_fixes_the_routing_and_redeposits(
    world: Any, chorus: FakeChorus, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = _chorus_invoice(world)
    _recycled(world, chorus, invoice)
    alice = logged_in(world.alice)
    page = reverse("invoicing:invoice_detail", kwargs={"pk": invoice.pk})

    body = alice.get(page).content.decode()

    assert "Dépôt refusé par ChorusPro" in body
    assert "Le destinataire exige un code service et la facture n&#x27;en porte pas" in body
    assert "Redéposer la facture sur ChorusPro (même numéro)" in body
    assert reverse("einvoicing:invoice_facturx", kwargs={"pk": invoice.pk}) in body

    BillingPerimeter.objects.filter(pk=invoice.perimeter_id).update(chorus_service_code="SERV-ECOLES")
    with django_capture_on_commit_callbacks(execute=True):  # the send task runs (eager) on commit
        response = alice.post(reverse("einvoicing:invoice_redeposit", kwargs={"pk": invoice.pk}))
    assert response.status_code == 302
    latest = Deposit.objects.filter(invoice=invoice).order_by("-attempt").first()
    assert latest is not None
    assert (latest.attempt, latest.status, latest.service_code) == (2, DepositStatus.DEPOSITED, "SERV-ECOLES")
    assert len(chorus.deposits) == 2
    assert AuditEvent.objects.filter(action="chorus.redeposit_requested", actor=world.alice).count() == 1

    body = alice.get(page).content.decode()
    assert "Déposée" in body
    assert "(dépôt n° 2)" in body
    assert "Redéposer" not in body  # a live deposit: nothing to send again


def test_the_coordinator_reads_the_state_but_cannot_redeposit(world: Any, chorus: FakeChorus) -> None:
    invoice = _chorus_invoice(world)
    _recycled(world, chorus, invoice)
    carol = logged_in(world.carol)

    body = carol.get(reverse("invoicing:invoice_detail", kwargs={"pk": invoice.pk})).content.decode()

    assert "Dépôt refusé par ChorusPro" in body
    assert "Redéposer" not in body
    assert carol.post(reverse("einvoicing:invoice_redeposit", kwargs={"pk": invoice.pk})).status_code == 403


def test_the_api_gives_the_facturx_and_the_chorus_state(world: Any, chorus: FakeChorus) -> None:
    invoice = _chorus_invoice(world, chorus_service_code="SERV-ECOLES")
    deposit = deposit_send(deposit_id=deposit_request(invoice=invoice, by="calendrier", send=False).pk)
    chorus.advance(invoice.number, "MISE_A_DISPOSITION")
    deposit_poll(deposit_id=deposit.pk)
    bob = logged_in(world.bob)

    pdf = bob.get(f"/api/v1/invoices/{invoice.pk}/facturx/")
    state = bob.get(f"/api/v1/invoices/{invoice.pk}/chorus/").json()

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    _, xml = get_facturx_xml_from_pdf(io.BytesIO(pdf.content), check_xsd=True)
    assert b"<ram:BuyerReference>SERV-ECOLES</ram:BuyerReference>" in xml  # the routing sent
    assert state["number"] == invoice.number
    assert [d["status"] for d in state["deposits"]] == ["made_available"]
    assert state["deposits"][0]["status_label"] == "Mise à disposition"
    assert [e["status"] for e in state["deposits"][0]["events"]] == ["pending", "deposited", "made_available"]
    foreign = make_invoice(member=world.member_b, sites=[world.site_b])
    assert bob.get(f"/api/v1/invoices/{foreign.pk}/chorus/").status_code == 404


def test_the_backoffice_lists_rejections_first_and_redeposits_with_an_audit(
    world: Any, chorus: FakeChorus, public_client: TenantClient
) -> None:
    paid = _chorus_invoice(world, chorus_service_code="S")
    deposit_send(deposit_id=deposit_request(invoice=paid, by="calendrier", send=False).pk)
    refused = make_invoice(member=world.member_a, sites=[world.site_a], perimeter=paid.perimeter)
    BillingPerimeter.objects.filter(pk=paid.perimeter_id).update(chorus_service_code="")
    deposit = _recycled(world, chorus, refused)
    BillingPerimeter.objects.filter(pk=paid.perimeter_id).update(chorus_service_code="SERV-ECOLES")
    connection.set_schema_to_public()
    public_client.force_login(world.mallory)

    response = public_client.get(reverse("backoffice:chorus_deposits", urlconf=PUBLIC))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["deposit"].invoice.number for row in rows[:2]] == [refused.number, paid.number]
    assert response.context["to_fix"] == 1
    body = response.content.decode()
    assert "Le destinataire exige un code service" in body
    url = reverse("backoffice:chorus_redeposit", kwargs={"code": "alpha", "pk": deposit.pk}, urlconf=PUBLIC)
    assert url in body

    response = public_client.post(url)

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="backoffice.chorus_redeposit", actor=world.mallory).count() == 1
    connection.set_tenant(world.alpha)
    latest = Deposit.objects.filter(invoice=refused).order_by("-attempt").first()
    assert latest is not None
    assert (latest.attempt, latest.requested_by) == (2, "mallory@fournisseur.test")
    assert AuditEvent.objects.filter(action="chorus.redeposit_requested", actor_email="mallory@fournisseur.test")
