"""The archived PDF of each issued invoice: stored after a run, served from the disk, never rendered twice."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from config.tasks import PolicyTask
from invoicing.extensions import run_completed
from invoicing.models import BillingRun, Invoice, InvoicePdf
from invoicing.services import pdfs
from invoicing.services.pdfs import invoice_pdf_store, run_pdfs_render
from invoicing.tasks import render_run_pdfs
from tests.invoicing.factories import make_invoice

MARCH_1 = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The numbers of the invoices typeset (the real renderer, counted)."""
    seen: list[str] = []
    real = pdfs.invoice_pdf_bytes

    def counted(invoice: Invoice) -> bytes:
        seen.append(invoice.number)
        return real(invoice)

    monkeypatch.setattr(pdfs, "invoice_pdf_bytes", counted)
    return seen


def _run_with_invoices(world: Any) -> tuple[BillingRun, list[Invoice]]:
    run = BillingRun.objects.create(calendar="estimated", issue_date=MARCH_1, status="done")
    invoices = [
        make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=MARCH_1, run=run),
        make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=MARCH_1, run=run),
    ]
    return run, invoices


def test_a_completed_runs_invoices_get_their_stored_pdfs(
    world: Any, media: Path, renders: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    run, invoices = _run_with_invoices(world)
    other = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=MARCH_1)  # not the run's

    with django_capture_on_commit_callbacks(execute=True):
        run_completed(run_id=run.pk)

    assert sorted(renders) == sorted(i.number for i in invoices)
    for invoice in invoices:
        stored = InvoicePdf.objects.get(invoice=invoice)
        assert stored.path == f"invoices/alpha/{invoice.issue_date.year}/{invoice.number}.pdf"
        content = (media / stored.path).read_bytes()
        assert content.startswith(b"%PDF-")
        assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert not InvoicePdf.objects.filter(invoice=other).exists()
    # The run completed again (a redelivered task): done, nothing typeset again.
    assert render_run_pdfs.apply(args=[run.pk, "alpha"]).get() == "already done"
    assert len(renders) == 2


def test_the_download_serves_the_same_bytes_twice_without_rendering_again(
    world: Any, media: Path, renders: list[str], alice_client: Any
) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=MARCH_1)
    url = reverse("invoicing:invoice_pdf", kwargs={"pk": invoice.pk})

    first = alice_client.get(url)
    second = alice_client.get(f"/api/v1/invoices/{invoice.pk}/pdf/")

    assert first.status_code == second.status_code == 200
    assert first["Content-Disposition"] == f'attachment; filename="facture-{invoice.number}.pdf"'
    assert first.content == second.content == (media / invoice.stored_pdf.path).read_bytes()
    assert renders == [invoice.number]


def test_an_already_stored_pdf_is_not_rendered_again(world: Any, renders: list[str]) -> None:
    run, invoices = _run_with_invoices(world)
    invoice_pdf_store(invoice=invoices[0])

    counts = run_pdfs_render(run_id=run.pk)

    assert (counts.rendered, counts.already, counts.failed) == (1, 1, 0)
    assert renders == [invoices[0].number, invoices[1].number]
    assert invoice_pdf_store(invoice=invoices[0]).rendered is False
    assert len(renders) == 2


def test_a_failure_on_one_invoice_leaves_the_others_stored(
    world: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    run, (broken, fine) = _run_with_invoices(world)
    real = pdfs.invoice_pdf_bytes

    def render(invoice: Invoice) -> bytes:
        if invoice.pk == broken.pk:
            raise RuntimeError("Typst a refusé le document")
        return real(invoice)

    monkeypatch.setattr(pdfs, "invoice_pdf_bytes", render)

    counts = run_pdfs_render(run_id=run.pk)

    assert (counts.rendered, counts.failed) == (1, 1)
    assert list(InvoicePdf.objects.values_list("invoice_id", flat=True)) == [fine.pk]
    assert broken.number in caplog.text
    # The task is not done: its next delivery renders the missing one only.
    assert render_run_pdfs.key_state(run.pk, "alpha").done is False


def test_a_concurrent_render_reads_the_pdf_stored_meanwhile(
    world: Any, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=MARCH_1)
    real = pdfs.invoice_pdf_bytes

    def slow_render(rendering: Invoice) -> bytes:
        content = real(rendering)
        # Another worker stores the same invoice while this one typesets it.
        InvoicePdf.objects.create(
            invoice=rendering, path="invoices/alpha/theirs.pdf", sha256="0" * 64, size=1, rendered_at=timezone.now()
        )
        return content

    monkeypatch.setattr(pdfs, "invoice_pdf_bytes", slow_render)

    stored = invoice_pdf_store(invoice=invoice)

    assert stored.rendered is False
    assert stored.row.path == "invoices/alpha/theirs.pdf"
    assert not (media / pdfs.pdf_relative_path(invoice)).exists()  # the loser writes no file


def test_a_stored_pdf_is_never_replaced(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=MARCH_1)
    stored = invoice_pdf_store(invoice=invoice).row

    with pytest.raises(IntegrityError), transaction.atomic():
        InvoicePdf.objects.filter(pk=stored.pk).update(sha256="f" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoicePdf.objects.filter(pk=stored.pk).delete()


def test_the_run_pdfs_task_is_registered_on_the_policy() -> None:
    task = app.tasks["invoicing.render_run_pdfs"]
    assert task is render_run_pdfs
    assert isinstance(task, PolicyTask)
    assert task.queue == "heavy"
    assert task.idempotency_key(12, "alpha") == "invoicing.render_run_pdfs:12:alpha"
