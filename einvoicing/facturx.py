"""Factur-X: the CII XML of an issued invoice or credit note (profile EN 16931) and the PDF/A-3 carrying it.

The XML is written from the same ``InvoiceDocument`` the PDF is typeset from
(``invoicing.pdf_build.invoice_document``), so its amounts are the PDF's: one line per
invoice line (BT-126…BT-135, the line's period), the VAT breakdown per rate of the invoice's
``InvoiceVat`` rows (BG-23) and the invoice's totals (BG-22). The ChorusPro routing comes
from the buyer as it was at issue (``Invoice.buyer``: the billing perimeter's, else the
member's): buyer SIRET (BT-47, scheme 0009), service code (BT-10) and commitment number
(BT-13). A credit note (type 381) names the invoice it cancels (BG-3) and carries positive
amounts, as EN 16931 wants (the type code gives the sign).

``facturx_pdf`` embeds the XML into the invoice's PDF/A-3b with the ``factur-x`` library,
which checks it against the official XSD first (``check_xsd=True``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from facturx import generate_from_binary
from lxml import etree

from billing_groups.choices import PaymentMode
from invoicing.choices import InvoiceKind
from invoicing.engine.types import Line
from invoicing.models import Invoice
from invoicing.pdf.document import CREDIT_NOTE, InvoiceDocument
from invoicing.pdf.render import render_invoice_pdf
from invoicing.pdf_build import invoice_document

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
EN16931 = "urn:cen.eu:en16931:2017"
CHORUS_FRAMEWORK = "A1"  # BT-23: an invoice of goods or services deposited by the supplier
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
SIRET_SCHEME = "0009"
PAYMENT_MEANS = {  # UNTDID 4461
    PaymentMode.TRANSFER.value: "30",  # credit transfer
    PaymentMode.ADMINISTRATIVE_MANDATE.value: "30",  # the public accountant pays by transfer
    PaymentMode.DIRECT_DEBIT.value: "49",  # direct debit
}
UNIT_CODES = {  # UN/ECE recommendation 20
    "kWh": "KWH",
    "day": "DAY",
    "kVA.day": "DAY",  # kVA × days: the day is the billed unit, the price carries the power
    "EUR": "C62",
    "MWh/d.day": "DAY",
}
CURRENCY = "EUR"
FILENAME = "factur-x.xml"


@dataclass(frozen=True)
class Routing:
    """Where ChorusPro delivers the invoice: the buyer's SIRET, service code (BT-10), commitment (BT-13)."""

    siret: str
    service_code: str = ""
    commitment_number: str = ""


@dataclass(frozen=True)
class PaymentMeans:
    """BG-16: how the invoice is paid (``payment_mode`` of the perimeter at issue) and into which account."""

    mode: str  # PaymentMode value
    iban: str
    bic: str = ""
    creditor_id: str = ""  # SEPA creditor identifier (BT-90), for a direct debit


def routing_of(invoice: Invoice) -> Routing:
    """The invoice's ChorusPro routing as it was at issue (``Invoice.buyer``, the perimeter's or the member's)."""
    buyer = invoice.buyer or {}
    return Routing(
        siret=buyer.get("chorus_siret") or buyer.get("siret") or invoice.member.siret,
        service_code=buyer.get("chorus_service_code", ""),
        commitment_number=buyer.get("chorus_commitment_number", ""),
    )


def payment_means_of(invoice: Invoice) -> PaymentMeans:
    return PaymentMeans(
        mode=invoice.payment_mode,
        iban=settings.SUPPLIER_IBAN,
        bic=settings.SUPPLIER_BIC,
        creditor_id=settings.SUPPLIER_SEPA_CREDITOR_ID,
    )


# --- Formatting ------------------------------------------------------------------------------


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _decimal(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if text not in {"-0", ""} else "0"


def _day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrib)
    if text is not None:
        element.text = text
    return element


def _date_time(parent: etree._Element, tag: str, value: dt.date, *, qualified: bool = False) -> None:
    holder = _sub(parent, tag)
    _sub(holder, "qdt:DateTimeString" if qualified else "udt:DateTimeString", _day(value), format="102")


def _split_address(lines: tuple[str, ...]) -> tuple[list[str], str, str]:
    """Street lines, postcode and city of a French address whose last line is ``14000 Caen``."""
    if lines:
        match = re.match(r"^\s*(\d{5})\s+(.+)$", lines[-1])
        if match:
            return list(lines[:-1]), match.group(1), match.group(2).strip()
    return list(lines), "", ""


def _address(parent: etree._Element, lines: tuple[str, ...]) -> None:
    street, postcode, city = _split_address(lines)
    address = _sub(parent, "ram:PostalTradeAddress")
    if postcode:
        _sub(address, "ram:PostcodeCode", postcode)
    for tag, line in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), street, strict=False):
        _sub(address, tag, line)
    if city:
        _sub(address, "ram:CityName", city)
    _sub(address, "ram:CountryID", "FR")


def _vat_category(percent: Decimal) -> str:
    return "S" if percent > 0 else "E"


# --- The XML -------------------------------------------------------------------------------


def cii_xml(doc: InvoiceDocument, *, routing: Routing, payment: PaymentMeans) -> bytes:
    """The CII XML (Factur-X EN 16931) of ``doc``: bytes, UTF-8, with the XML declaration."""
    credit = doc.kind == CREDIT_NOTE
    sign = Decimal(-1) if credit else Decimal(1)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(_sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", CHORUS_FRAMEWORK)
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)

    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", doc.number)
    _sub(document, "ram:TypeCode", TYPE_CREDIT_NOTE if credit else TYPE_INVOICE)
    _date_time(document, "ram:IssueDateTime", doc.issue_date)
    for mention in doc.legal_mentions:
        _sub(_sub(document, "ram:IncludedNote"), "ram:Content", mention)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    line_id = 0
    for site in doc.sites:
        for line in site.lines:
            line_id += 1
            _line(transaction, line_id, site.delivery_point, site.site_name, line, sign)

    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    if routing.service_code:
        _sub(agreement, "ram:BuyerReference", routing.service_code)  # BT-10
    seller = _sub(agreement, "ram:SellerTradeParty")
    _sub(seller, "ram:Name", doc.supplier.name)
    _sub(_sub(seller, "ram:SpecifiedLegalOrganization"), "ram:ID", doc.supplier.siret, schemeID=SIRET_SCHEME)
    _address(seller, doc.supplier.address)
    _sub(_sub(seller, "ram:SpecifiedTaxRegistration"), "ram:ID", doc.supplier.vat_number, schemeID="VA")
    buyer = _sub(agreement, "ram:BuyerTradeParty")
    _sub(buyer, "ram:Name", doc.buyer.legal_name)
    _sub(_sub(buyer, "ram:SpecifiedLegalOrganization"), "ram:ID", routing.siret, schemeID=SIRET_SCHEME)  # BT-47
    _address(buyer, doc.buyer.address)
    if routing.commitment_number:
        _sub(_sub(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", routing.commitment_number)

    delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    first = min(site.consumption_period.first for site in doc.sites)
    last = max(site.consumption_period.last for site in doc.sites)
    _date_time(_sub(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", last)

    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    direct_debit = payment.mode == PaymentMode.DIRECT_DEBIT
    if direct_debit and payment.creditor_id:
        _sub(settlement, "ram:CreditorReferenceID", payment.creditor_id)  # BT-90
    _sub(settlement, "ram:PaymentReference", doc.number)  # BT-83
    _sub(settlement, "ram:InvoiceCurrencyCode", CURRENCY)
    means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    _sub(means, "ram:TypeCode", PAYMENT_MEANS.get(payment.mode, "30"))
    if not direct_debit:
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        _sub(account, "ram:IBANID", payment.iban)  # BT-84
        if payment.bic:
            _sub(_sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", payment.bic)
    for vat in doc.totals.vat:
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", _amount(vat.amount * sign))
        _sub(tax, "ram:TypeCode", "VAT")
        if vat.percent == 0:
            _sub(tax, "ram:ExemptionReason", "Exonération de TVA")
        _sub(tax, "ram:BasisAmount", _amount(vat.base * sign))
        _sub(tax, "ram:CategoryCode", _vat_category(vat.percent))
        _sub(tax, "ram:RateApplicablePercent", _decimal(vat.percent))
    period = _sub(settlement, "ram:BillingSpecifiedPeriod")  # BG-14
    _date_time(period, "ram:StartDateTime", first)
    _date_time(period, "ram:EndDateTime", last)
    terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
    _sub(terms, "ram:Description", f"{doc.payment_mode}, à {doc.payment_delay_days} jours")
    _date_time(terms, "ram:DueDateDateTime", doc.due_date)  # BT-9
    if direct_debit:
        _sub(terms, "ram:DirectDebitMandateID", doc.buyer.customer_number or doc.number)  # BT-89
    totals = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(totals, "ram:LineTotalAmount", _amount(doc.totals.excl_vat * sign))
    _sub(totals, "ram:TaxBasisTotalAmount", _amount(doc.totals.excl_vat * sign))
    _sub(totals, "ram:TaxTotalAmount", _amount(doc.totals.vat_total * sign), currencyID=CURRENCY)
    _sub(totals, "ram:GrandTotalAmount", _amount(doc.totals.incl_vat * sign))
    _sub(totals, "ram:DuePayableAmount", _amount(doc.totals.incl_vat * sign))
    if credit and doc.preceding_number:
        preceding = _sub(settlement, "ram:InvoiceReferencedDocument")  # BG-3
        _sub(preceding, "ram:IssuerAssignedID", doc.preceding_number)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _line(
    transaction: etree._Element, line_id: int, delivery_point: str, site_name: str, line: Line, sign: Decimal
) -> None:
    """BG-25: one invoice line, its site named in a note, its period (BT-134/135), its net amount."""
    amount = line.amount * sign
    quantity = line.quantity * sign
    price = line.unit_price
    if price < 0:  # BR-27: the item's net price is never negative; the quantity carries the sign
        price, quantity = -price, -quantity
    item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
    header = _sub(item, "ram:AssociatedDocumentLineDocument")
    _sub(header, "ram:LineID", str(line_id))
    _sub(_sub(header, "ram:IncludedNote"), "ram:Content", f"{delivery_point} {site_name}".strip())
    product = _sub(item, "ram:SpecifiedTradeProduct")
    _sub(product, "ram:SellerAssignedID", line.code)
    _sub(product, "ram:Name", line.label)
    _sub(
        _sub(_sub(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice"),
        "ram:ChargeAmount",
        _decimal(price),
    )
    _sub(
        _sub(item, "ram:SpecifiedLineTradeDelivery"),
        "ram:BilledQuantity",
        _decimal(quantity),
        unitCode=UNIT_CODES.get(line.unit, "C62"),
    )
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", _vat_category(line.vat_percent))
    _sub(tax, "ram:RateApplicablePercent", _decimal(line.vat_percent))
    period = _sub(settlement, "ram:BillingSpecifiedPeriod")
    _date_time(period, "ram:StartDateTime", line.start)  # BT-134
    _date_time(period, "ram:EndDateTime", line.end)  # BT-135
    _sub(_sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount", _amount(amount))
    reference = _sub(settlement, "ram:AdditionalReferencedDocument")  # BT-128: the delivery point
    _sub(reference, "ram:IssuerAssignedID", delivery_point)
    _sub(reference, "ram:TypeCode", "130")
    _sub(reference, "ram:ReferenceTypeCode", "AVC")


# --- From the database ---------------------------------------------------------------------


def invoice_xml(invoice: Invoice, doc: InvoiceDocument | None = None, routing: Routing | None = None) -> bytes:
    """The Factur-X XML of an issued invoice or credit note (``routing``: a deposit's, else the one at issue)."""
    return cii_xml(
        doc or invoice_document(invoice), routing=routing or routing_of(invoice), payment=payment_means_of(invoice)
    )


def embed(pdf: bytes, xml: bytes) -> bytes:
    """The PDF/A-3 with the XML attached as ``factur-x.xml`` (relationship Data), XSD-checked by the library."""
    return bytes(
        generate_from_binary(
            pdf, xml, flavor="factur-x", level="en16931", check_xsd=True, check_schematron=False, afrelationship="data"
        )
    )


def facturx_pdf(invoice: Invoice, routing: Routing | None = None) -> bytes:
    """The invoice's Factur-X: its PDF (the same as the plain download) carrying its CII XML."""
    doc = invoice_document(invoice)
    return embed(render_invoice_pdf(doc), invoice_xml(invoice, doc, routing))


def facturx_filename(invoice: Invoice) -> str:
    prefix = "avoir" if invoice.kind == InvoiceKind.CREDIT_NOTE else "facture"
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', invoice.number)}-facturx.pdf"
