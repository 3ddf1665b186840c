"""Billing runs: every perimeter due billed once, resumable, skipped sites reported, the calendar's rhythms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing_groups.models import BillingPerimeter, BillingPerimeterSite
from invoicing.choices import RunCalendar, RunStatus
from invoicing.models import BillingRun, Invoice, InvoiceSite
from invoicing.services import runs
from invoicing.services.runs import billing_run_execute, billing_run_request
from perimeter.choices import SiteStatus
from tests.factories import MemberFactory
from tests.invoicing.runworld import (
    elec_lot,
    elec_site,
    gas_daily,
    gas_lot,
    gas_site,
    month_end_readings,
    perimeter,
)

pytestmark = pytest.mark.usefixtures("alpha")
FEB_1 = dt.date(2026, 2, 1)
MONTH_ENDS = [dt.date(2025, 11, 30), dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 28)]


def _run(calendar: str = RunCalendar.ESTIMATED, day: dt.date = FEB_1) -> BillingRun:
    run = billing_run_request(calendar=calendar, issue_date=day, requested_by="gestion@fournisseur.example")
    return billing_run_execute(run.pk)


def test_a_run_bills_each_perimeter_due_once_with_a_recap_per_site() -> None:
    elec_lot()
    member = MemberFactory()
    schools = [elec_site(member, site_name=f"École {n}") for n in range(3)]
    for n, site in enumerate(schools):
        month_end_readings(site, 10_000 * (n + 1), 900, MONTH_ENDS)
    perimeter(member, "Écoles", schools)
    run = _run()
    assert run.status == RunStatus.DONE
    invoice = Invoice.objects.get(run=run)
    assert [s.site_id for s in invoice.sites.order_by("position")] == [s.pk for s in schools]
    part = invoice.sites.get(site=schools[0])
    # January on the real month-end indexes; fixed parts in advance: January and February.
    assert (part.consumption_start, part.consumption_end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert (part.fixed_start, part.fixed_end) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert part.index_nature == "real"
    assert part.indexes == {"BASE": {"start": "10900.000", "end": "11800.000"}}
    assert invoice.consumption_kwh == Decimal("2700")
    assert invoice.lines.filter(code="ENERGY_BASE").count() == 3
    assert invoice.total_incl_vat == invoice.total_excl_vat + invoice.vat_total > 0
    assert invoice.due_date == FEB_1 + dt.timedelta(days=30)
    assert (run.invoices_issued, run.sites_billed, run.perimeters_total, run.perimeters_done) == (1, 3, 1, 1)

    # The same run again, and a new request of the same date: nothing is billed twice.
    assert billing_run_request(calendar="estimated", issue_date=FEB_1, requested_by="x").pk == run.pk
    billing_run_execute(run.pk)
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status"])
    billing_run_execute(run.pk)
    assert Invoice.objects.count() == 1

    # The next month goes on from the billed end index.
    march = _run(day=dt.date(2026, 3, 1))
    following = InvoiceSite.objects.get(invoice__run=march, site=schools[0])
    assert following.indexes["BASE"]["start"] == "11800.000"
    assert following.fixed_start == dt.date(2026, 3, 1)  # February's fixed part was billed in advance


def test_a_run_resumed_after_a_failure_completes_without_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    elec_lot()
    members = [MemberFactory() for _ in range(3)]
    for n, member in enumerate(members):
        site = elec_site(member)
        month_end_readings(site, 5_000, 400 + n, MONTH_ENDS)
        perimeter(member, f"Mairie {n}", [site])
    real_issue = runs.invoice_issue
    calls = {"n": 0}

    def failing_issue(**kwargs: object) -> Invoice:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("worker lost")
        return real_issue(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runs, "invoice_issue", failing_issue)
    run = billing_run_request(calendar="estimated", issue_date=FEB_1, requested_by="calendrier")
    with pytest.raises(ConnectionError):
        billing_run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert Invoice.objects.filter(run=run).count() == 1  # the first perimeter's invoice is committed
    monkeypatch.setattr(runs, "invoice_issue", real_issue)
    run = billing_run_execute(run.pk)
    assert run.status == RunStatus.DONE
    assert sorted(Invoice.objects.filter(run=run).values_list("member_id", flat=True)) == sorted(m.pk for m in members)
    assert run.invoices_issued == 3
    numbers = sorted(int(n.rsplit("-", 1)[1]) for n in Invoice.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3]  # the failed issue's number was given back


def test_skipped_sites_are_reported_with_their_reason() -> None:
    elec_lot()
    member = MemberFactory()
    billed = elec_site(member, site_name="Mairie")
    month_end_readings(billed, 1_000, 300, MONTH_ENDS)
    no_index = elec_site(member, site_name="Salle des fêtes", car_kwh=None)
    terminated = elec_site(member, site_name="Ancienne école", status=SiteStatus.TERMINATED)
    unpriced = gas_site(member, site_name="Chaufferie")  # the gas lot has no contract prices
    gas_daily(unpriced, dt.date(2026, 1, 1), dt.date(2026, 1, 31), 150.0)
    perimeter(member, "Bâtiments", [billed, no_index])
    run = _run()
    reasons = {row["delivery_point"]: row["reason"] for row in run.skipped}
    assert reasons[no_index.delivery_point] == "aucun index réel connu"
    assert reasons[terminated.delivery_point] == "site non actif (Résilié)"
    assert reasons[unpriced.delivery_point] == "aucun prix du contrat pour le lot au 31/01/2026"
    assert billed.delivery_point not in reasons
    assert run.sites_skipped == 3
    assert run.sites_billed == 1


def test_unattached_sites_are_billed_on_a_default_perimeter_the_member_sees() -> None:
    elec_lot()
    member = MemberFactory()
    sites = [elec_site(member) for _ in range(2)]
    for site in sites:
        month_end_readings(site, 2_000, 500, MONTH_ENDS)
    run = _run()
    default = BillingPerimeter.objects.get(member=member)
    assert default.name == "Lot 1 — C5 (périmètre par défaut)"
    assert default.billing_type == "multi_site"  # the model's defaults without a campaign
    assert set(BillingPerimeterSite.objects.filter(perimeter=default).values_list("site_id", flat=True)) == {
        s.pk for s in sites
    }
    assert Invoice.objects.get(run=run).perimeter == default
    _run(day=dt.date(2026, 3, 1))
    assert BillingPerimeter.objects.filter(member=member).count() == 1  # reused, not created again


def test_bimonthly_perimeters_are_billed_every_other_month_over_two_months() -> None:
    elec_lot(fixed_billing="arrears")
    member = MemberFactory()
    monthly_site, bimonthly_site = elec_site(member), elec_site(member)
    for site in (monthly_site, bimonthly_site):
        month_end_readings(site, 3_000, 600, MONTH_ENDS)
    perimeter(member, "Mensuel", [monthly_site])
    perimeter(member, "Bimestriel", [bimonthly_site], billing_rhythm="bimonthly")
    february = _run()  # February is even: the bimonthly perimeter is not due
    assert list(InvoiceSite.objects.filter(invoice__run=february).values_list("site_id", flat=True)) == [
        monthly_site.pk
    ]
    march = _run(day=dt.date(2026, 3, 1))
    part = InvoiceSite.objects.get(invoice__run=march, site=bimonthly_site)
    assert (part.consumption_start, part.consumption_end) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert (part.fixed_start, part.fixed_end) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))  # in arrears
    assert part.consumption_kwh == Decimal("1200")
    monthly = InvoiceSite.objects.get(invoice__run=march, site=monthly_site)
    assert (monthly.consumption_start, monthly.consumption_end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def test_gas_t3_is_billed_on_the_tenth_on_real_data_only() -> None:
    gas_lot()
    member = MemberFactory()
    complete, incomplete, t2 = gas_site(member, "T3"), gas_site(member, "T3"), gas_site(member, "T2")
    gas_daily(complete, dt.date(2026, 1, 1), dt.date(2026, 1, 31), 400.0)
    gas_daily(incomplete, dt.date(2026, 1, 1), dt.date(2026, 1, 20), 400.0)
    gas_daily(t2, dt.date(2026, 1, 1), dt.date(2026, 1, 31), 100.0)
    with pytest.raises(ValidationError):
        billing_run_request(calendar=RunCalendar.GAS_T3, issue_date=dt.date(2026, 2, 1), requested_by="x")
    run = _run(RunCalendar.GAS_T3, dt.date(2026, 2, 10))
    part = InvoiceSite.objects.get(invoice__run=run)
    assert part.site_id == complete.pk
    assert part.consumption_kwh == Decimal("12400")
    assert part.index_nature == "real"
    assert Invoice.objects.get(run=run).lines.get(code="ENERGY_BASE").quantity == Decimal("12400")
    reasons = {row["site"]: row["reason"] for row in run.skipped}
    assert reasons == {incomplete.pk: "données de comptage incomplètes (20 jours sur 31)"}
    # The T2 site is on the estimated calendar of the 1st, not on this one.
    february = _run()
    assert InvoiceSite.objects.get(invoice__run=february).site_id == t2.pk
