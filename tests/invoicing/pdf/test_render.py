"""The invoice PDF read back as a member would read it: every page, the amounts, the legal mentions."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest

from invoicing.pdf.document import CREDIT_NOTE, sample_document
from invoicing.pdf.render import money, number, render_invoice_pdf

SITES = 45  # enough for the recap table to run over two pages


def _normal(text: str) -> str:
    """Spaces as a reader sees them (no-break and narrow spaces, line breaks), straight apostrophes."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " ").replace("’", "'"))


def _pages(pdf: bytes) -> list[str]:
    return [_normal(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def grouped() -> tuple[object, bytes, list[str]]:
    doc = sample_document(SITES)
    pdf = render_invoice_pdf(doc)
    return doc, pdf, _pages(pdf)


def test_every_page_carries_the_invoice_number_and_its_page_number(grouped):
    doc, _, pages = grouped
    for n, text in enumerate(pages, start=1):
        assert f"Facture n° {doc.number}" in text
        assert f"page {n} / {len(pages)}" in text


def test_summary_recap_then_one_detail_page_per_site_in_order(grouped):
    doc, _, pages = grouped
    details = [i for i, text in enumerate(pages) if "Détail du site — " in text]
    recap = pages[1 : details[0]]
    assert len(details) == SITES
    assert details == list(range(len(pages) - SITES, len(pages)))  # one page each, nothing after
    assert len(recap) >= 2
    assert all("Consom. HT" in text for text in recap)
    assert len(pages) == 1 + len(recap) + SITES
    assert "Récapitulatif par site" in recap[0]
    for site, index in zip(doc.sites, details, strict=True):
        assert f"Point de livraison : {site.delivery_point}" in pages[index]
        assert _normal(f"Total TTC {money(site.totals.incl_vat)}") in pages[index]
        assert "Historique de consommation" in pages[index]
    recap_text = " ".join(recap)
    assert all(site.delivery_point in recap_text for site in doc.sites)
    assert _normal(f"Total ({SITES} sites)") in recap_text


def test_summary_page_shows_amount_due_date_and_payment_terms(grouped):
    doc, _, pages = grouped
    summary = pages[0]
    assert _normal(f"Montant à payer {money(doc.totals.incl_vat)}") in summary
    assert f"à régler au plus tard le {doc.due_date:%d/%m/%Y}" in summary
    assert doc.buyer.legal_name in summary
    assert doc.buyer.customer_number in summary
    assert doc.supplier.siret in summary
    assert doc.supplier.vat_number in summary
    assert "pénalités de retard calculées au taux égal à trois fois le taux d'intérêt légal" in summary
    assert "indemnité forfaitaire pour frais de recouvrement de 40 €" in summary
    assert "Aucun escompte n'est accordé en cas de paiement anticipé" in summary


def test_detail_page_lists_every_line_of_the_site(grouped):
    doc, _, pages = grouped
    site = doc.sites[0]
    page = next(text for text in pages if f"Point de livraison : {site.delivery_point}" in text)
    for line in site.lines:
        assert _normal(f"{line.label} {line.start:%d/%m/%y} – {line.end:%d/%m/%y} {number(line.quantity)}") in page
        assert _normal(money(line.amount)) in page


def test_pdf_is_tagged_pdfa_3b_and_reproducible(grouped):
    doc, pdf, _ = grouped
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(?:>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(?:>|=\")B", xmp)
    assert "/StructTreeRoot" in root
    assert reader.metadata is not None
    assert reader.metadata.title == f"Facture {doc.number}"
    assert render_invoice_pdf(doc) == pdf


def test_mono_site_invoice_is_a_summary_and_one_detail_page():
    doc = sample_document(1)
    pages = _pages(render_invoice_pdf(doc))
    assert len(pages) == 2
    assert "Récapitulatif par site" not in " ".join(pages)
    assert f"Point de livraison : {doc.sites[0].delivery_point}" in pages[1]


def test_credit_note_names_the_invoice_it_cancels():
    doc = sample_document(2, kind=CREDIT_NOTE)
    pages = _pages(render_invoice_pdf(doc))
    assert doc.totals.incl_vat < 0
    assert f"Avoir n° {doc.number}" in pages[0]
    assert f"Cet avoir annule intégralement la facture n° {doc.preceding_number}." in pages[0]
    assert _normal(f"Montant en votre faveur {money(doc.totals.incl_vat)}") in pages[0]
    assert all(f"Avoir n° {doc.number}" in text for text in pages)


def test_sample_totals_are_the_sums_of_the_lines():
    doc = sample_document(30)
    lines = [line for site in doc.sites for line in site.lines]
    assert doc.totals.excl_vat == sum(line.amount for line in lines) == sum(s.totals.excl_vat for s in doc.sites)
    assert doc.totals.vat_total == sum(v.amount for v in doc.totals.vat)
    assert doc.totals.incl_vat == doc.totals.excl_vat + doc.totals.vat_total
    for site in doc.sites:
        parts = site.consumption_excl_vat + site.subscription_excl_vat + site.taxes_excl_vat
        assert parts == site.totals.excl_vat
        assert site.subscription_excl_vat > 0
        assert site.taxes_excl_vat > 0
    credit = sample_document(30, kind=CREDIT_NOTE)
    assert credit.totals.incl_vat == -doc.totals.incl_vat


def test_french_number_notation():
    assert money(Decimal("12345.6")) == "12\u202f345,60\u00a0€"
    assert money(Decimal("-1234567.891")) == "-1\u202f234\u202f567,89\u00a0€"
    assert number(Decimal("366.000")) == "366"
    assert number(Decimal("0.04932")) == "0,04932"


def _rss_mb() -> float:
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("needs Linux's /proc to read the process's memory")
    line = next(line for line in status.read_text().splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_rendering_many_invoices_does_not_grow_the_worker():
    # Typst keeps every compilation's work in a cache it never evicts (≈ 2 MB a page): typeset in
    # this process, three 60-site invoices would add ≈ 400 MB to it; in a child process, nothing.
    render_invoice_pdf(sample_document(60, seed=1))
    before = _rss_mb()
    for seed in (2, 3, 4):
        render_invoice_pdf(sample_document(60, seed=seed))
    assert _rss_mb() - before < 60
