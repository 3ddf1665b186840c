"""An issued invoice as the PDF renderer's document (``invoicing.pdf``). Placeholder until the renderer lands."""

from __future__ import annotations

import re

from django.http import Http404

from invoicing.models import Invoice


def pdf_filename(invoice: Invoice) -> str:
    """``facture-FA2026-000123.pdf`` (``avoir-…`` for a credit note): only safe characters."""
    prefix = "avoir" if invoice.kind == "credit_note" else "facture"
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', invoice.number)}.pdf"


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    raise Http404("PDF not available yet")
