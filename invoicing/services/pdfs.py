"""The archived PDF of each issued invoice: rendered once, stored under MEDIA_ROOT, served from there.

An issued invoice never changes, so neither does its PDF: ``invoice_pdf_store`` renders it
once, writes ``MEDIA_ROOT/invoices/<schema>/<year>/<number>.pdf`` and records an
``InvoicePdf`` row (sha256, size) that a trigger keeps from any update or delete.

Race-safe: the row is inserted before the file is written, in one transaction. Two
renders of the same invoice at once (a download during the background task) both
typeset it, but the second insert waits on the one-to-one constraint and, once the
first commits, fails: the second just reads the stored row. Only the render holding
the row writes the file (to a temporary name, then renamed over whatever a rolled-back
attempt or a restored database left there).

``run_pdfs_render`` stores every invoice of a billing run not stored yet, one at a time
(the Typst child process per invoice gives its memory back): a failure on one invoice
is logged and the others go on. ``run_pdfs_queue`` queues it when a run completes
(``invoicing.extensions.register_run_completed`` in ``InvoicingConfig.ready``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.storage import media_path
from config.tasks import DATABASE_ERRORS
from invoicing.models import Invoice, InvoicePdf
from invoicing.pdf_build import invoice_pdf_bytes
from tenants.db import current_schema

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredPdf:
    """The invoice's archived PDF: its row, and whether this call rendered it."""

    row: InvoicePdf
    rendered: bool


@dataclass(frozen=True)
class RunPdfCounts:
    """What one pass over a run's invoices did."""

    rendered: int = 0
    already: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"rendered": self.rendered, "already": self.already, "failed": self.failed}


def pdf_relative_path(invoice: Invoice) -> str:
    """``invoices/<schema>/<year>/<number>.pdf`` relative to MEDIA_ROOT (only safe characters in the number)."""
    number = re.sub(r"[^A-Za-z0-9_-]", "-", invoice.number)
    return f"invoices/{current_schema()}/{invoice.issue_date.year}/{number}.pdf"


def _write(relative: str, content: bytes) -> None:
    """Write the file whole or not at all: a temporary name beside it, flushed, then renamed."""
    path = media_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def invoice_pdf_store(*, invoice: Invoice) -> StoredPdf:
    """The invoice's stored PDF, rendered and written now if it has none (see the module docstring)."""
    existing = InvoicePdf.objects.filter(invoice=invoice).first()
    if existing is not None:
        return StoredPdf(existing, rendered=False)
    content = invoice_pdf_bytes(invoice)  # seconds for a large invoice: no transaction held meanwhile
    relative = pdf_relative_path(invoice)
    try:
        with transaction.atomic():
            row = InvoicePdf.objects.create(
                invoice=invoice,
                path=relative,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
                rendered_at=timezone.now(),
            )
            _write(relative, content)  # an error here rolls the row back
    except IntegrityError:  # rendered and stored meanwhile by another process: theirs is the archive
        return StoredPdf(InvoicePdf.objects.get(invoice=invoice), rendered=False)
    return StoredPdf(row, rendered=True)


def invoice_pdf_content(*, invoice: Invoice) -> bytes:
    """The invoice's PDF bytes: the stored file (rendered and stored first if absent).

    A stored file gone from the disk (a lost volume) is rendered again: the same invoice
    gives the same bytes, so the file is written back when they match its row; otherwise
    the fresh render is served and the mismatch logged (the archive row is never changed).
    """
    stored = invoice_pdf_store(invoice=invoice).row
    try:
        return media_path(stored.path).read_bytes()
    except FileNotFoundError:
        content = invoice_pdf_bytes(invoice)
        if hashlib.sha256(content).hexdigest() == stored.sha256:
            _write(stored.path, content)
            logger.warning("archived PDF %s was missing: written again", stored.path)
        else:
            logger.error("archived PDF %s is missing and a new render differs from it", stored.path)
        return content


def run_pdfs_render(*, run_id: int) -> RunPdfCounts:
    """Store the PDF of every invoice of the run that has none, one at a time (bounded memory)."""
    invoices = Invoice.objects.filter(run_id=run_id)
    missing = list(invoices.filter(stored_pdf__isnull=True).order_by("pk").values_list("pk", flat=True))
    already = invoices.count() - len(missing)
    rendered = failed = 0
    for pk in missing:
        invoice = Invoice.objects.select_related("perimeter", "member").get(pk=pk)
        try:
            if invoice_pdf_store(invoice=invoice).rendered:
                rendered += 1
            else:
                already += 1
        except DATABASE_ERRORS:
            raise  # the database went away: the task retries the run (the stored ones are skipped)
        except Exception:
            failed += 1
            logger.exception("PDF of invoice %s (run %s) not stored", invoice.number, run_id)
    counts = RunPdfCounts(rendered=rendered, already=already, failed=failed)
    logger.info("PDFs of run %s: %s", run_id, counts.as_dict())
    return counts


def run_pdfs_queue(run_id: int) -> None:
    """Queue the run's PDFs once the current transaction commits (the run's invoices with it)."""
    from invoicing.tasks import render_run_pdfs

    schema = current_schema()
    transaction.on_commit(lambda: render_run_pdfs.delay(run_id, schema))
