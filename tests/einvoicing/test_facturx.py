"""Factur-X: the CII XML is valid against the official XSD (invoice, credit note, 500-site invoice),
its amounts are the PDF's, its routing the perimeter's, and the PDF carries it."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from einvoicing.facturx import PaymentMeans, Routing, cii_xml, facturx_pdf, invoice_xml
from invoicing.pdf.document import CREDIT_NOTE, sample_document
from invoicing.pdf_build import invoice_document
from tests.invoicing.factories import make_credit_note, make_invoice, perimeter_for

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def _valid(xml: bytes) -> etree._Element:
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    return etree.fromstring(xml)


def _text(tree: etree._Element, path: str) -> str:
    return str(tree.xpath(f"string({path})", namespaces=NS))


def _sum(tree: etree._Element, path: str) -> Decimal:
    return sum((Decimal(x) for x in tree.xpath(path, namespaces=NS)), Decimal("0"))


def _chorus_perimeter(member: Any, **fields: Any) -> Any:
    return perimeter_for(
        member,
        "Écoles",
        invoice_delivery="chorus",
        chorus_siret="21140118100017",
        chorus_service_code="SERV-ECOLES",
        chorus_commitment_number="EJ-2026-0042",
        **fields,
    )


def test_an_invoice_is_valid_and_carries_its_routing_lines_and_totals(world: Any) -> None:
    perimeter = _chorus_perimeter(world.member_a)
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], perimeter=perimeter)
    routing = Routing("21140118100017", "SERV-ECOLES", "EJ-2026-0042")

    tree = _valid(invoice_xml(invoice, routing=routing))

    assert _text(tree, "//rsm:ExchangedDocument/ram:ID") == invoice.number
    assert _text(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert _text(tree, "//ram:BuyerReference") == "SERV-ECOLES"  # BT-10
    assert _text(tree, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "EJ-2026-0042"  # BT-13
    buyer_id = tree.xpath("//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)[0]
    assert (buyer_id.text, buyer_id.get("schemeID")) == ("21140118100017", "0009")
    assert _text(tree, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "30"
    assert _text(tree, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID").startswith("FR76")
    assert _text(tree, "//ram:DueDateDateTime/udt:DateTimeString") == f"{invoice.due_date:%Y%m%d}"
    lines = list(invoice.lines.order_by("invoice_site__position", "position"))
    items = tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    assert len(items) == len(lines)
    first = items[0]
    assert (
        _text(first, ".//ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString") == f"{lines[0].start:%Y%m%d}"
    )
    assert _text(first, ".//ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString") == f"{lines[0].end:%Y%m%d}"
    # Totals: the invoice's, and VAT per rate as its InvoiceVat rows.
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert Decimal(_text(tree, f"{summation}/ram:LineTotalAmount")) == invoice.total_excl_vat
    assert _sum(tree, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()") == (
        invoice.total_excl_vat
    )
    assert Decimal(_text(tree, f"{summation}/ram:TaxTotalAmount")) == invoice.vat_total
    assert Decimal(_text(tree, f"{summation}/ram:GrandTotalAmount")) == invoice.total_incl_vat
    header_vat = {
        Decimal(t.xpath("string(ram:RateApplicablePercent)", namespaces=NS)): (
            Decimal(t.xpath("string(ram:BasisAmount)", namespaces=NS)),
            Decimal(t.xpath("string(ram:CalculatedAmount)", namespaces=NS)),
        )
        for t in tree.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS)
    }
    assert header_vat == {v.percent: (v.base, v.amount) for v in invoice.vat_lines.all()}


def test_a_credit_note_is_valid_names_the_invoice_it_cancels_and_has_positive_amounts(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], perimeter=_chorus_perimeter(world.member_a))
    credit = make_credit_note(invoice)
    assert credit.total_incl_vat < 0

    tree = _valid(invoice_xml(credit))

    assert _text(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert _text(tree, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == invoice.number  # BG-3
    assert Decimal(_text(tree, "//ram:GrandTotalAmount")) == -credit.total_incl_vat == invoice.total_incl_vat


def test_a_500_site_grouped_invoice_is_valid_and_its_lines_sum_to_its_totals() -> None:
    doc = sample_document(500)
    xml = cii_xml(
        doc,
        routing=Routing("20006956500018", "SERV-01", "EJ-1"),
        payment=PaymentMeans("direct_debit", "FR7630006000011234567890189", creditor_id="FR12ZZZ123456"),
    )

    tree = _valid(xml)

    assert len(tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)) == sum(
        len(site.lines) for site in doc.sites
    )
    assert _sum(tree, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()") == (
        doc.totals.excl_vat
    )
    assert Decimal(_text(tree, "//ram:GrandTotalAmount")) == doc.totals.incl_vat
    assert _text(tree, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "49"
    assert _text(tree, "//ram:CreditorReferenceID") == "FR12ZZZ123456"


def test_the_sample_credit_note_is_valid_too() -> None:
    doc = sample_document(3, kind=CREDIT_NOTE)
    tree = _valid(cii_xml(doc, routing=Routing("20006956500018"), payment=PaymentMeans("transfer", "FR76300060")))
    assert Decimal(_text(tree, "//ram:DuePayableAmount")) == -doc.totals.incl_vat > 0


def test_the_facturx_pdf_carries_the_xml_and_prints_the_same_total(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], perimeter=_chorus_perimeter(world.member_a))

    content = facturx_pdf(invoice)

    filename, xml = get_facturx_xml_from_pdf(io.BytesIO(content), check_xsd=True)
    assert filename == "factur-x.xml"
    tree = etree.fromstring(xml)
    assert _text(tree, "//rsm:ExchangedDocument/ram:ID") == invoice.number
    assert invoice_document(invoice).totals.incl_vat == Decimal(_text(tree, "//ram:GrandTotalAmount"))
    root: Any = PdfReader(io.BytesIO(content)).trailer["/Root"]
    metadata = root["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in metadata  # PDF/A-3
    assert b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in metadata
