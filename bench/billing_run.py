"""Benchmark of a monthly billing run of the whole demo syndicate (≈ 13,000 sites) against the obvious ORM loop.

Run: ``DATABASE_URL=… python -m bench.billing_run``. Creates the throwaway database
``<name>_billing``, seeds the full-scale park of ``sdec`` (12,967 sites), its meter data
over the last ``HISTORY_SCALE`` × 3 years (readings and daily energy, the demo's own
generator), the demo's contract prices, and attaches the sites to their default
perimeters (a first run's work, not measured). Then, alternated, three rounds, every
write rolled back after each call:

- **ours**: ``billing_run_execute`` of the estimated calendar on the 1st of the current
  month (bulk reads, in-memory engine, five INSERTs per invoice);
- **the obvious ORM loop** over the sites of ``LOOP_SITES`` perimeters: per site, its
  attachment, its last invoice part, its newest readings, its daily energy and its price
  set read by the ORM, the rates asked again, the engine, then ``save()`` of the invoice,
  each site part, each line and each VAT rate.

The ratio is per billed site (the loop bills a sample: all 13,000 sites through it would
take a quarter of an hour per round on this machine). Prints only.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from bench.common import BenchRun, alternate, bench_database

HISTORY_SCALE = 0.2  # seven months of meter history: enough for a run on the 1st
LOOP_PERIMETERS = 60


class Rollback(Exception):
    pass


def _rolled_back(call: Any) -> Any:
    from django.db import transaction

    def run() -> Any:
        result: Any = None
        try:
            with transaction.atomic():
                result = call()
                raise Rollback
        except Rollback:
            pass
        return result

    return run


def obvious_loop(perimeter_ids: list[int], issue_date: dt.date) -> int:
    """Bill the sites of these perimeters the obvious way: queries per site, one save() per row."""
    from django.db.models import Sum

    from billing_groups.models import BillingPerimeter, BillingPerimeterSite
    from consumption.models import DailyEnergy, Reading
    from invoicing.engine.compute import compute_invoice
    from invoicing.engine.rates import RateBook
    from invoicing.engine.types import CeePrice, ContractPrices, GasQuantity, InvoiceInput, Period, SiteInput
    from invoicing.grids.selectors import rate_rows_in_force
    from invoicing.models import ContractPriceSet, Invoice, InvoiceLine, InvoiceSite, InvoiceVat
    from invoicing.services.numbering import invoice_numbers_take
    from perimeter.choices import POSTS_BY_OPTION

    first = (issue_date - dt.timedelta(days=1)).replace(day=1)
    last = issue_date - dt.timedelta(days=1)
    billed = 0
    for perimeter_id in perimeter_ids:
        perimeter = BillingPerimeter.objects.get(pk=perimeter_id)
        parts = []
        for attachment in BillingPerimeterSite.objects.filter(perimeter=perimeter):
            site = attachment.site
            previous = InvoiceSite.objects.filter(site=site).order_by("-consumption_end").first()
            posts = list(POSTS_BY_OPTION.get(site.tariff_option, ["BASE"]))  # type: ignore[call-overload]
            start: dict[str, Decimal] = {}
            end: dict[str, Decimal] = {}
            gas = None
            if site.fluid == "gas":
                daily = DailyEnergy.objects.filter(site=site, day__gte=first, day__lte=last).aggregate(
                    total=Sum("kwh")
                )["total"]
                start["BASE"] = Decimal(0)
                end["BASE"] = Decimal(str(round(daily or 0)))
                gas = GasQuantity(end["BASE"] / Decimal("11.20"), Decimal("11.20"))
                posts = []
            for post in posts:
                before = Reading.objects.filter(site=site, post=post, read_on__lt=first, nature="real").order_by(
                    "-read_on"
                )
                at_start = before.first()
                start[post] = Decimal(at_start.index_wh if at_start else 0) / 1000
                at_end = Reading.objects.filter(site=site, post=post, read_on=last, nature="real").first()
                if at_end is not None:
                    end[post] = Decimal(at_end.index_wh) / 1000
                else:
                    daily = DailyEnergy.objects.filter(site=site, day__gte=first, day__lte=last).aggregate(
                        total=Sum("kwh")
                    )["total"]
                    end[post] = start[post] + Decimal(str(round((daily or 0) / len(posts), 3)))
            price_set = (
                ContractPriceSet.objects.filter(lot=site.lot, valid_from__lte=last).order_by("-valid_from").first()
            )
            assert price_set is not None
            energy = {p.post: p.unit_price for p in price_set.prices.filter(component="energy")}
            capacity = {p.post: p.unit_price for p in price_set.prices.filter(component="capacity")}
            cee = tuple(
                CeePrice(p.component, p.coefficient or Decimal(0), p.unit_price)
                for p in price_set.prices.filter(component__startswith="CEE_")
            )
            rates = RateBook.from_rows(rate_rows_in_force())
            result = compute_invoice(
                InvoiceInput(
                    site=SiteInput(
                        site.fluid,
                        site.segment,
                        site.tariff_formula,
                        site.tariff_option,
                        site.subscribed_power_kva,
                        insee_code=site.insee_code,
                    ),
                    issue_date=issue_date,
                    consumption_period=Period(first, last),
                    prices=ContractPrices(energy, capacity, cee),
                    fixed_period=Period(first, last),
                    energy_kwh={p: end[p] - start[p] for p in posts},
                    gas=gas,
                ),
                rates,
            )
            parts.append((site, previous, start, end, result))
        if not parts:
            continue
        invoice = Invoice(
            number=invoice_numbers_take(year=issue_date.year)[0],
            perimeter=perimeter,
            member_id=perimeter.member_id,
            lot=parts[0][0].lot,
            label=perimeter.name,
            issue_date=issue_date,
            accounting_date=issue_date,
            due_date=issue_date + dt.timedelta(days=30),
            period_start=first,
            period_end=last,
            consumption_kwh=Decimal(0),
            energy=Decimal(0),
            network=Decimal(0),
            taxes=Decimal(0),
            total_excl_vat=Decimal(0),
            vat_total=Decimal(0),
            total_incl_vat=Decimal(0),
            reception_mode=perimeter.invoice_delivery,
            payment_mode=perimeter.payment_mode,
        )
        totals = [r.totals for *_, r in parts]
        invoice.total_excl_vat = sum((t.excl_vat for t in totals), Decimal(0))
        invoice.vat_total = sum((t.vat_total for t in totals), Decimal(0))
        invoice.total_incl_vat = invoice.total_excl_vat + invoice.vat_total
        invoice.save()
        vat: dict[Decimal, list[Decimal]] = {}
        for position, (site, _previous, start, end, result) in enumerate(parts, start=1):
            part = InvoiceSite(
                invoice=invoice,
                site=site,
                position=position,
                delivery_point=site.delivery_point,
                site_name=site.site_name,
                consumption_start=first,
                consumption_end=last,
                fixed_start=first,
                fixed_end=last,
                consumption_kwh=sum((end[p] - start[p] for p in start), Decimal(0)).quantize(Decimal("0.001")),
                indexes={p: {"start": str(start[p]), "end": str(end[p])} for p in start},
                index_nature="estimated",
                energy=result.totals.energy,
                network=result.totals.network,
                taxes=result.totals.taxes,
                total_excl_vat=result.totals.excl_vat,
                vat_total=result.totals.vat_total,
                total_incl_vat=result.totals.incl_vat,
            )
            part.save()
            for n, line in enumerate(result.lines, start=1):
                InvoiceLine(
                    invoice=invoice,
                    invoice_site=part,
                    position=n,
                    code=line.code,
                    family=line.family,
                    label=line.label,
                    start=line.start,
                    end=line.end,
                    quantity=line.quantity.quantize(Decimal("0.001")),
                    unit=line.unit,
                    unit_price=line.unit_price.quantize(Decimal("0.000001")),
                    amount=line.amount,
                    vat_percent=line.vat_percent,
                ).save()
            for rate in result.totals.vat:
                vat.setdefault(rate.percent, [Decimal(0), Decimal(0)])
                vat[rate.percent][0] += rate.base
                vat[rate.percent][1] += rate.amount
            billed += 1
        for percent, (base, amount) in vat.items():
            InvoiceVat(invoice=invoice, percent=percent, base=base, amount=amount).save()
    return billed


def main() -> None:
    run = BenchRun("Monthly billing run, whole sdec (≈ 13,000 sites)")
    with bench_database("billing"):
        from django.utils import timezone
        from django_tenants.utils import tenant_context

        from billing_groups.models import BillingPerimeterSite
        from consumption.demo import generate_demo_consumption
        from invoicing.demo import demo_prices
        from invoicing.models import Invoice, InvoiceLine
        from invoicing.services import runs
        from perimeter.demo import SDEC, account_manager_ensure, seed_syndicate
        from perimeter.models import Site
        from tenants.services import public_tenant_ensure, syndicate_create

        clock = time.perf_counter()
        public_tenant_ensure()
        account_manager_ensure()
        syndicate = syndicate_create(code="sdec", name=SDEC.name)
        seed_syndicate(syndicate, SDEC, "full")
        stats = generate_demo_consumption(syndicate, HISTORY_SCALE)
        issue_date = timezone.localdate().replace(day=1)
        with tenant_context(syndicate):
            demo_prices()
            runs.calendar_sites_attach("estimated")  # default perimeters: the first run's one-off work
            setup_seconds = time.perf_counter() - clock
            sites = Site.objects.count()
            # The estimated calendar's perimeters (gas T3 is billed on the 10th).
            perimeter_ids = sorted(
                set(
                    BillingPerimeterSite.objects.exclude(perimeter__segment__in=["T3", "T4", "TP"]).values_list(
                        "perimeter_id", flat=True
                    )
                )
            )
            sample = sorted(random.Random(7).sample(perimeter_ids, LOOP_PERIMETERS))
            sample_sites = BillingPerimeterSite.objects.filter(perimeter_id__in=sample).count()
            run.note(f"set-up {setup_seconds:.0f} s: {sites} sites, {len(perimeter_ids)} perimeters")

            def ours() -> tuple[int, int, int]:
                billing = runs.billing_run_request(
                    calendar="estimated", issue_date=issue_date, requested_by="bench", enqueue=False
                )
                done = runs.billing_run_execute(billing.pk)
                return done.sites_billed, Invoice.objects.count(), InvoiceLine.objects.count()

            def loop() -> int:
                return obvious_loop(sample, issue_date)

            laps = alternate({"ours": _rolled_back(ours), "loop": _rolled_back(loop)}, repeats=3)

    billed, invoices, lines = laps.results["ours"]
    per_site_ours = laps.median("ours") / billed
    per_site_loop = laps.median("loop") / laps.results["loop"]
    run.report(
        [
            f"- throwaway database: the demo park of sdec ({sites:,} sites, {len(perimeter_ids):,} default "
            f"perimeters), {stats.reading_rows:,} readings and {stats.daily_rows:,} daily values "
            f"({stats.first_day} → {stats.last_day}), the demo's contract prices; set-up {setup_seconds:.0f} s",
            f"- **ours, `billing_run_execute` (estimated calendar, {issue_date}): {laps.median('ours'):.1f} s** "
            f"({laps.runs('ours')}) for {billed:,} sites billed on {invoices:,} invoices, {lines:,} lines "
            f"= {per_site_ours * 1000:.2f} ms/site; target < 60 s",
            f"- the obvious ORM loop over {LOOP_PERIMETERS} perimeters ({sample_sites} sites): "
            f"{laps.median('loop'):.1f} s ({laps.runs('loop')}) = {per_site_loop * 1000:.1f} ms/site",
            f"- **ratio per site, ours / loop: ×{per_site_ours / per_site_loop:.3f}** "
            f"(the loop over all {billed:,} sites ≈ {per_site_loop * billed:.0f} s); alternated, 3 rounds, "
            "every write rolled back",
        ]
    )


if __name__ == "__main__":
    main()
