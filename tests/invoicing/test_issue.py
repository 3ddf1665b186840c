"""Issuing: an invoice's rows from the engine's results, immutable once written; credit notes cancel in full, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from billing_groups.models import BillingPerimeter
from invoicing.choices import InvoiceKind
from invoicing.engine.types import InvoiceResult, Line, Period, Totals, VatTotal
from invoicing.models import Invoice, InvoiceLine, InvoiceSite, InvoiceVat
from invoicing.services.issue import SiteBill, credit_note_issue, invoice_issue
from perimeter.models import Site
from tests.factories import MemberFactory, SiteFactory

pytestmark = pytest.mark.usefixtures("alpha")
D = Decimal
JAN = Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def _result(energy: str, network: str, vat_base_55: str) -> InvoiceResult:
    """A small engine result: energy at 20 %, network split between 5.5 % and 20 %."""
    e, n, reduced = D(energy), D(network), D(vat_base_55)
    lines = (
        Line("ENERGY_BASE", "energy", "Énergie", JAN.first, JAN.last, D("100"), "kWh", e / 100, e, D("20")),
        Line(
            "NETWORK_FIXED",
            "network",
            "Part fixe",
            JAN.first,
            JAN.last,
            D("31"),
            "jour",
            reduced / 31,
            reduced,
            D("5.5"),
        ),
        Line(
            "NETWORK_VARIABLE_BASE",
            "network",
            "Soutirage",
            JAN.first,
            JAN.last,
            D("100"),
            "kWh",
            (n - reduced) / 100,
            n - reduced,
            D("20"),
        ),
    )
    base20 = e + n - reduced
    vat = (
        VatTotal(D("5.5"), reduced, (reduced * D("0.055")).quantize(D("0.01"))),
        VatTotal(D("20"), base20, (base20 * D("0.2")).quantize(D("0.01"))),
    )
    vat_total = sum((v.amount for v in vat), D(0))
    return InvoiceResult(lines, Totals(e, n, D(0), e + n, vat, vat_total, e + n + vat_total))


def _bill(site: Site, result: InvoiceResult) -> SiteBill:
    return SiteBill(
        site=site,
        consumption_period=JAN,
        fixed_period=JAN,
        result=result,
        consumption_kwh=D("100"),
        indexes={"BASE": {"start": "1000.000", "end": "1100.000"}},
        index_nature="estimated",
    )


def _invoice(sites: int = 2) -> Invoice:
    member = MemberFactory()
    perimeter = BillingPerimeter.objects.create(member=member, name="Écoles", segment="C5")
    bills = [_bill(SiteFactory(member=member), _result("10.00", "5.03", "1.01")) for _ in range(sites)]
    return invoice_issue(
        perimeter=perimeter, lot=bills[0].site.lot, issue_date=dt.date(2026, 2, 1), bills=bills, payment_delay_days=30
    )


def test_an_invoice_carries_its_sites_lines_and_vat_per_rate_on_the_summed_bases() -> None:
    invoice = _invoice(sites=2)
    assert invoice.number.startswith("ALPHA-2026-")
    assert invoice.due_date == dt.date(2026, 3, 3)
    assert invoice.sites.count() == 2
    assert invoice.lines.count() == 6
    vat = {v.percent: (v.base, v.amount) for v in invoice.vat_lines.all()}
    # 5.5 %: each site's 1.01 € gives 0.06 € of VAT (0.05555); on the summed base 2.02 € it is 0.11 €, not 0.12 €.
    assert vat[D("5.50")] == (D("2.02"), D("0.11"))
    assert vat[D("20.00")] == (D("28.04"), D("5.61"))
    assert invoice.vat_total == D("5.72")
    assert invoice.total_excl_vat == D("30.06")
    assert invoice.total_incl_vat == invoice.total_excl_vat + invoice.vat_total
    assert invoice.buyer["legal_name"] == invoice.member.legal_name
    assert invoice.label.startswith("Électricité — Écoles — du 01/01/2026 au 31/01/2026")


def test_an_issued_invoice_and_its_lines_refuse_update_and_delete() -> None:
    invoice = _invoice(sites=1)
    for statement in (
        f"UPDATE invoicing_invoice SET total_incl_vat = 0, total_excl_vat = 0, vat_total = 0 WHERE id = {invoice.pk}",
        f"DELETE FROM invoicing_invoicevat WHERE invoice_id = {invoice.pk}",
        f"UPDATE invoicing_invoiceline SET amount = 0 WHERE invoice_id = {invoice.pk}",
        f"DELETE FROM invoicing_invoiceline WHERE invoice_id = {invoice.pk}",
        f"UPDATE invoicing_invoicesite SET energy = 0 WHERE invoice_id = {invoice.pk}",
    ):
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(label="changed")
    assert Invoice.objects.get(pk=invoice.pk).total_incl_vat == invoice.total_incl_vat


def test_a_credit_note_cancels_in_full_and_sums_to_zero_with_its_invoice() -> None:
    invoice = _invoice(sites=2)
    credit = credit_note_issue(invoice=invoice, reason="Index erroné", by="gestion@fournisseur.example")
    assert credit.kind == InvoiceKind.CREDIT_NOTE
    assert credit.cancels_id == invoice.pk
    assert Invoice.objects.get(pk=invoice.pk).cancelled_by == credit
    assert int(credit.number.rsplit("-", 1)[1]) == int(invoice.number.rsplit("-", 1)[1]) + 1  # same series
    both = [invoice.pk, credit.pk]
    for field in ("energy", "network", "taxes", "total_excl_vat", "vat_total", "total_incl_vat", "consumption_kwh"):
        assert sum(getattr(i, field) for i in Invoice.objects.filter(pk__in=both)) == 0
    assert sum(line.amount for line in InvoiceLine.objects.filter(invoice__in=both)) == 0
    assert sum(site.total_incl_vat for site in InvoiceSite.objects.filter(invoice__in=both)) == 0
    assert sum(v.amount for v in InvoiceVat.objects.filter(invoice__in=both)) == 0
    assert credit.lines.count() == invoice.lines.count()


def test_an_invoice_is_cancelled_once_and_a_credit_note_never() -> None:
    invoice = _invoice(sites=1)
    credit = credit_note_issue(invoice=invoice, reason="Erreur", by=None)
    with pytest.raises(ValidationError, match="déjà annulée"):
        credit_note_issue(invoice=invoice, reason="Encore", by=None)
    with pytest.raises(ValidationError, match="avoir ne s'annule pas"):
        credit_note_issue(invoice=credit, reason="Erreur", by=None)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, reason="   ", by=None)
    assert Invoice.objects.filter(cancels=invoice).count() == 1
