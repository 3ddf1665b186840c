"""Member scoping, the derived state and the recap of an invoice (invoicing.selectors)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from invoicing.choices import InvoiceState
from invoicing.models import Invoice, InvoiceLine
from invoicing.selectors import get_invoice_for, invoice_recap, invoices_for, site_parts_for
from tests.factories import SiteFactory
from tests.invoicing.factories import make_credit_note, make_invoice


def test_each_persona_reads_its_own_members_invoices_and_the_coordinator_all(world: Any) -> None:
    mine = make_invoice(member=world.member_a, sites=[world.site_a])
    theirs = make_invoice(member=world.member_b, sites=[world.site_b])

    assert list(invoices_for(world.alice)) == [mine]
    assert list(invoices_for(world.bob)) == [mine]
    assert list(invoices_for(world.charlie)) == [theirs]
    assert set(invoices_for(world.carol)) == {mine, theirs}
    with pytest.raises(Http404):
        get_invoice_for(world.alice, theirs.pk)
    with pytest.raises(Http404):
        get_invoice_for(world.alice, "abc")
    assert get_invoice_for(world.carol, theirs.pk) == theirs


def test_the_supplier_staff_reads_no_invoice_in_the_member_space(world: Any) -> None:
    make_invoice(member=world.member_a, sites=[world.site_a])

    assert not invoices_for(world.mallory).exists()


def test_an_invoice_a_credit_note_cancels_is_cancelled_and_both_point_at_each_other(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 2, 1))
    other = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 3, 1))
    credit = make_credit_note(invoice, accounting_date=dt.date(2026, 2, 20))

    by_number: dict[str, Any] = {i.number: i for i in invoices_for(world.alice)}

    assert by_number[invoice.number].state == InvoiceState.CANCELLED
    assert by_number[invoice.number].cancelled_by_number == credit.number
    assert by_number[credit.number].state == InvoiceState.ISSUED
    assert by_number[credit.number].cancels_number == invoice.number
    assert by_number[other.number].state == InvoiceState.ISSUED
    assert by_number[other.number].cancelled_by_pk is None
    # The credit note cancels the invoice in full.
    assert credit.total_incl_vat == -invoice.total_incl_vat
    assert credit.consumption_kwh == -invoice.consumption_kwh


def test_an_issued_invoice_is_never_updated(world: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a])

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(label="changed")


def test_the_factory_writes_totals_consistent_with_lines_and_vat(world: Any) -> None:
    sites = [world.site_a, SiteFactory(member=world.member_a)]
    invoice = make_invoice(member=world.member_a, sites=sites, accounting_date=dt.date(2025, 6, 1))

    lines = list(InvoiceLine.objects.filter(invoice=invoice))
    assert invoice.total_excl_vat == sum(line.amount for line in lines)
    vat = list(invoice.vat_lines.all())
    assert [v.percent for v in vat] == [Decimal("5.50"), Decimal("20.00")]  # before 1 Aug 2025: two rates
    assert invoice.vat_total == sum(v.amount for v in vat)
    assert invoice.total_incl_vat == invoice.total_excl_vat + invoice.vat_total
    assert sum(part.total_excl_vat for part in invoice.sites.all()) == invoice.total_excl_vat


def test_the_recap_gives_each_site_its_subscription_and_vat_per_rate_in_five_queries(
    world: Any, assert_num_queries: Any
) -> None:
    sites = [world.site_a, *(SiteFactory(member=world.member_a) for _ in range(3))]
    invoice = make_invoice(member=world.member_a, sites=sites, accounting_date=dt.date(2025, 6, 1))

    with assert_num_queries(4):  # sites, sums per site and rate, lines of the page, VAT lines
        recap = invoice_recap(invoice, page_number=2, sites_per_page=3)

    assert [s.part.site_id for s in recap.sites] == [s.pk for s in sites]
    assert [s.part.site_id for s in recap.detail_sites] == [sites[3].pk]
    site = recap.sites[0]
    lines = list(InvoiceLine.objects.filter(invoice_site=site.part))
    fixed = {"NETWORK_MANAGEMENT", "NETWORK_METERING", "NETWORK_FIXED"}
    assert site.subscription == sum(line.amount for line in lines if line.code in fixed)
    assert site.base_by_rate == {
        Decimal("5.50"): sum(line.amount for line in lines if line.vat_percent == Decimal("5.5")),
        Decimal("20.00"): sum(line.amount for line in lines if line.vat_percent == Decimal("20")),
    }
    vats = site.vat_by_rate(recap.rates)
    assert sum(v for v in vats if v is not None) == site.part.vat_total


def test_a_sites_parts_come_newest_first_with_the_state_of_their_invoice(world: Any) -> None:
    old = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 1, 1))
    new = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2026, 2, 1))
    credit = make_credit_note(old, accounting_date=dt.date(2026, 3, 1))
    make_invoice(member=world.member_b, sites=[world.site_b])

    parts: list[Any] = list(site_parts_for(world.alice, world.site_a))

    assert [p.invoice_id for p in parts] == [credit.pk, new.pk, old.pk]
    assert [p.state for p in parts] == ["issued", "issued", "cancelled"]
    assert parts[0].cancels_number == old.number
    assert not list(site_parts_for(world.charlie, world.site_a))
