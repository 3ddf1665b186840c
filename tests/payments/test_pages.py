"""Payments as the member and the supplier's staff see them: the state on the invoice list and page
(overdue highlighted), the statement of account and its export, ``/api/v1/payments/``, the
back-office's audited import page and the staff push."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from payments.models import Payment
from payments.services import payments_push
from tenants.db import connection
from tests.conftest import PUBLIC_HOST, TenantClient, logged_in
from tests.invoicing.factories import make_invoice

PUBLIC = "config.urls_public"
BY = "compta@fournisseur.test"


def _overdue_and_paid(world: Any) -> tuple[Any, Any]:
    today = timezone.localdate()
    overdue = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=today - dt.timedelta(days=60))
    paid = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=today - dt.timedelta(days=40))
    payments_push(
        payments=[{"invoice": paid.number, "date": today.isoformat(), "amount": str(paid.total_incl_vat)}], by=BY
    )
    return overdue, paid


def test_the_invoice_list_shows_each_payment_state_with_overdue_highlighted(world: Any) -> None:
    _overdue_and_paid(world)
    body = logged_in(world.bob).get(reverse("invoicing:home")).content.decode()
    assert '<th scope="col">Paiement</th>' in body
    assert 'class="badge payment-state payment-overdue" data-overdue="true"><strong>En retard</strong>' in body
    assert 'class="badge payment-state payment-paid">Payée</span>' in body


def test_the_invoice_page_shows_due_date_paid_remaining_and_the_payments(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    payments_push(
        payments=[{"invoice": invoice.number, "date": "2026-03-10", "amount": "40.00", "reference": "VIR-7"}], by=BY
    )
    body = logged_in(world.alice).get(reverse("invoicing:invoice_detail", kwargs={"pk": invoice.pk})).content.decode()
    remaining = f"{invoice.total_incl_vat - 40:,.2f}".replace(",", "\u202f").replace(".", ",")
    assert "En retard" in body  # due 31/03/2026, today is later
    assert "31/03/2026" in body
    assert "VIR-7" in body
    assert "10/03/2026" in body
    assert remaining in body or remaining.replace("\u202f", "\xa0") in body


def test_the_statement_page_gives_the_running_balance_and_the_export_reads_back(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    payments_push(payments=[{"invoice": invoice.number, "date": "2026-03-10", "amount": "40.00"}], by=BY)
    alice = logged_in(world.alice)

    page = alice.get(reverse("payments:statement"), {"first": "2026-01-01", "last": "2026-06-30"})

    assert page.status_code == 200
    body = page.content.decode()
    assert invoice.number in body
    assert "Exporter le relevé (Excel)" in body
    export = alice.get(page.context["export_url"])
    assert export.status_code == 200
    content = b"".join(export.streaming_content)  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Membre", "Date", "Type")
    assert [r[2] for r in rows[1:]] == ["Solde initial", "Facture", "Paiement", "Solde final"]
    assert Decimal(str(rows[-1][8])) == invoice.total_incl_vat - Decimal("40.00")


def test_the_coordinator_chooses_a_member_and_a_foreign_member_is_not_found(world: Any) -> None:
    make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2026, 3, 1))
    carol = logged_in(world.carol)
    assert "Choisissez un membre" in carol.get(reverse("payments:statement")).content.decode()
    assert (
        "Commune de Bravo" in carol.get(reverse("payments:statement"), {"member": world.member_b.pk}).content.decode()
    )
    alice = logged_in(world.alice)
    assert alice.get(reverse("payments:statement"), {"member": world.member_b.pk}).status_code == 404
    assert alice.get(reverse("payments:statement"), {"first": "2026-05-01", "last": "2026-01-01"}).status_code == 400


def test_the_api_lists_the_members_payments_with_the_invoice_state(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    other = make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2026, 3, 1))
    payments_push(
        payments=[
            {"invoice": invoice.number, "date": "2026-03-10", "amount": "40.00"},
            {"invoice": other.number, "date": "2026-03-10", "amount": "1.00"},
        ],
        by=BY,
    )
    alice = logged_in(world.alice)

    data = alice.get("/api/v1/payments/", {"invoice": str(invoice.pk), "first": "2026-03", "last": "2026-03"}).json()

    assert [(p["invoice_number"], p["amount"]) for p in data["results"]] == [(invoice.number, "40.00")]
    assert data["results"][0]["invoice_payment_state"] == "overdue"
    assert data["results"][0]["invoice_remaining"] == str(invoice.total_incl_vat - 40)
    foreign = Payment.objects.get(invoice=other)
    assert alice.get(f"/api/v1/payments/{foreign.pk}/").status_code == 404
    assert alice.get("/api/v1/payments/", {"first": "2026-04"}).json()["count"] == 0


def test_the_back_office_import_shows_the_errors_then_records_a_good_file_audited(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(world.mallory)
    url = reverse("backoffice:payment_imports", kwargs={"code": "alpha"}, urlconf=PUBLIC)

    def send(content: str) -> str:
        upload = SimpleUploadedFile("paiements.csv", content.encode(), content_type="text/csv")
        return client.post(url, {"file": upload}).content.decode()

    bad = send(f"Numéro de facture;Date;Montant\n{invoice.number};05/04/2026;10,00\nFA-X;05/04/2026;1\n")
    assert "Import refusé : 1 erreur" in bad
    assert "Facture inconnue : « FA-X »." in bad
    good = send(f"Numéro de facture;Date;Montant\n{invoice.number};05/04/2026;10,00\n")
    assert "1 lignes lues : 1 paiements enregistrés, 0 déjà enregistrés auparavant." in good
    assert AuditEvent.objects.filter(action="backoffice.payments_imported", actor=world.mallory).count() == 2
    connection.set_tenant(world.alpha)
    assert Payment.objects.get().amount == Decimal("10.00")
    assert AuditEvent.objects.filter(action="payments.imported", actor_email="mallory@fournisseur.test").exists()


def test_the_staff_push_answers_201_then_400_with_every_error(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(world.mallory)
    url = reverse("payments_backoffice_api:push", urlconf=PUBLIC)
    line = {"invoice": invoice.number, "date": "2026-04-05", "amount": "10.00", "reference": "VIR-1"}

    created = client.post(url, {"syndicate": "alpha", "payments": [line]}, content_type="application/json")
    again = client.post(url, {"syndicate": "alpha", "payments": [line]}, content_type="application/json")
    over = client.post(
        url,
        {"syndicate": "alpha", "payments": [{**line, "reference": "VIR-2", "amount": str(invoice.total_incl_vat)}]},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert (created.json()["created"], again.json()["created"], again.json()["duplicates"]) == (1, 0, 1)
    assert over.status_code == 400
    assert over.json()["errors"][0]["line"] == 1
    assert "trop-perçu refusé" in over.json()["errors"][0]["message"]
    assert (
        client.post(url, {"syndicate": "nulle-part", "payments": [line]}, content_type="application/json").status_code
        == 404
    )
    connection.set_tenant(world.alpha)
    assert Payment.objects.count() == 1


def test_the_statement_api_gives_the_balances_and_refuses_a_period_backwards(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    payments_push(payments=[{"invoice": invoice.number, "date": "2026-03-10", "amount": "40.00"}], by=BY)
    alice = logged_in(world.alice)

    data = alice.get("/api/v1/account-statement/", {"first": "2026-01", "last": "2026-06"}).json()

    assert data["member"] == {"id": world.member_a.pk, "legal_name": "Ville d'Alpha"}
    assert [(e["kind"], e["debit"], e["credit"]) for e in data["entries"]] == [
        ("invoice", str(invoice.total_incl_vat), "0.00"),
        ("payment", "0.00", "40.00"),
    ]
    assert (data["opening"], data["closing"]) == ("0.00", str(invoice.total_incl_vat - 40))
    assert alice.get("/api/v1/account-statement/", {"first": "2026-06", "last": "2026-01"}).status_code == 400
    assert alice.get("/api/v1/account-statement/", {"member": str(world.member_b.pk)}).status_code == 404
    carol = logged_in(world.carol)
    assert carol.get("/api/v1/account-statement/").status_code == 400
    assert carol.get("/api/v1/account-statement/", {"member": str(world.member_a.pk)}).status_code == 200
