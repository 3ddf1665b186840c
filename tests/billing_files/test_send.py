"""The Direct View mailed after each billing run to its subscribers (a member's users: their member;
the coordinator: the whole syndicate), attached when small, a link when large, once per run."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.core import mail
from django.urls import reverse

from billing_files.models import BillingFileDispatch, BillingFileSubscription
from billing_files.services import subscription_set
from invoicing.extensions import run_completed
from invoicing.models import BillingRun, Invoice
from tests.invoicing.factories import make_invoice as factory_invoice


def make_invoice(*, run: BillingRun | None = None, **fields: Any) -> Invoice:
    """The invoicing factory's invoice (INSERTs only), issued by ``run`` when given."""
    return factory_invoice(run=run, **fields)


def _attached_rows(message: Any) -> list[tuple[Any, ...]]:
    _name, content, _mime = message.attachments[0]
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_subscribers_get_their_scope_of_the_runs_direct_view_once(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = BillingRun.objects.create(calendar="estimated", issue_date=dt.date(2026, 3, 1), status="done")
    mine = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1), run=run)
    theirs = make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2026, 3, 1), run=run)
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))  # not the run's
    subscription_set(user=world.alice, subscribed=True)
    subscription_set(user=world.carol, subscribed=True)

    with django_capture_on_commit_callbacks(execute=True):
        run_completed(run_id=run.pk)

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"alice@a.test", "carol@alpha.test"}  # charlie did not subscribe
    alice_rows = _attached_rows(by_recipient["alice@a.test"])
    assert {row[0] for row in alice_rows[1:]} == {mine.number}
    carol_rows = _attached_rows(by_recipient["carol@alpha.test"])
    assert {row[0] for row in carol_rows[1:]} == {mine.number, theirs.number}

    # The run completed again (a resumed run, a redelivered task): nothing is sent twice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_completed(run_id=run.pk)
    assert mail.outbox == []
    assert BillingFileDispatch.objects.filter(run=run).count() == 2


def test_a_large_direct_view_is_mailed_as_a_link(
    world: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EXPORT_ATTACHMENT_MAX_BYTES = 10
    run = BillingRun.objects.create(calendar="estimated", issue_date=dt.date(2026, 3, 1), status="done")
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1), run=run)
    subscription_set(user=world.bob, subscribed=True)

    with django_capture_on_commit_callbacks(execute=True):
        run_completed(run_id=run.pk)

    (message,) = mail.outbox
    assert message.to == ["bob@a.test"]
    assert message.attachments == []
    assert "/exports/lien/" in message.body


def test_a_subscriber_without_invoices_in_the_run_or_without_the_right_gets_nothing(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = BillingRun.objects.create(calendar="estimated", issue_date=dt.date(2026, 3, 1), status="done")
    make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=dt.date(2026, 3, 1), run=run)
    subscription_set(user=world.alice, subscribed=True)  # member A: nothing in this run

    with django_capture_on_commit_callbacks(execute=True):
        run_completed(run_id=run.pk)
    assert mail.outbox == []


def test_the_files_page_subscribes_and_unsubscribes(world: Any, bob_client: Any, carol_client: Any) -> None:
    url = reverse("billing_files:home")
    page = bob_client.get(url)
    assert "Recevoir par e-mail le Direct View de mon membre" in page.content.decode()
    response = bob_client.post(url, {"subscribed": "on"}, follow=True)
    assert "Vous recevrez le Direct View" in response.content.decode()
    assert BillingFileSubscription.objects.filter(user=world.bob).exists()
    bob_client.post(url, {})
    assert not BillingFileSubscription.objects.filter(user=world.bob).exists()

    assert "de tout le syndicat" in carol_client.get(url).content.decode()
    carol_client.post(url, {"subscribed": "on"})
    assert BillingFileSubscription.objects.filter(user=world.carol).exists()


def test_the_files_through_the_exports_api(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from decimal import Decimal

    from tests.conftest import logged_in

    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    client = logged_in(world.bob)
    url = reverse("api:export-list")
    for report, params in (
        ("direct_view", {"first": "2026-01", "last": "2026-03"}),
        ("annual_sheet", {"year": 2026}),
        ("billing_summary", {"first": "2026-01", "last": "2026-03", "site": world.site_a.pk}),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"report": report, "params": params}, content_type="application/json")
        assert response.status_code == 201, (report, response.content)
        status = client.get(reverse("api:export-detail", kwargs={"pk": response.json()["id"]})).json()
        book = openpyxl.load_workbook(io.BytesIO(client.get(status["download_url"]).getvalue()))
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        column = rows[0].index("Montant TTC (€)" if report == "direct_view" else "Total TTC (€)")
        total = sum((Decimal(str(row[column])) for row in rows[1:]), Decimal("0")).quantize(Decimal("0.01"))
        assert total == invoice.total_incl_vat, report

    too_long = client.post(
        url,
        {"report": "billing_summary", "params": {"first": "2026-01", "last": "2026-07"}},
        content_type="application/json",
    )
    assert too_long.status_code == 400
    assert "limitée à 6 mois" in too_long.content.decode()
    foreign = client.post(
        url, {"report": "direct_view", "params": {"site": world.site_b.pk}}, content_type="application/json"
    )
    assert foreign.status_code == 404


def test_a_billing_run_calls_the_files_send_when_it_is_done(world: Any) -> None:
    from invoicing import extensions
    from invoicing.services.runs import billing_run_execute, billing_run_request

    seen: list[int] = []
    extensions.register_run_completed(seen.append)
    try:
        quiet = billing_run_request(
            calendar="estimated", issue_date=dt.date(2026, 2, 1), requested_by="t", enqueue=False
        )
        billing_run_execute(quiet.pk, followers=False)  # the demo's history: nothing follows
        run = billing_run_request(calendar="estimated", issue_date=dt.date(2026, 3, 1), requested_by="t", enqueue=False)
        billing_run_execute(run.pk)
    finally:
        extensions._run_callbacks.remove(seen.append)
    assert seen == [run.pk]
