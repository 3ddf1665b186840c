"""Billing runs: every billing perimeter due at an issue date, billed through the engine.

The calendar (``RunCalendar``):

- ``estimated`` — issued on the 1st: electricity (C5; C4 and above on the same calendar,
  on their real month-end indexes where the meter sends them, else estimated) and gas
  T1/T2, on estimated indexes. A perimeter billed monthly is due every month (the
  consumption of the previous month); one billed bimonthly is due on the 1st of odd
  months (January, March…: the two previous months).
- ``gas_t3`` — issued on the 10th: gas T3 (and T4/TP) on real data only, monthly, the
  previous month; a site whose daily data miss a day is skipped with the reason.

Who is billed: every site of the calendar's fluids and segments that has not left the
park (not "not mine", "already terminated", "terminated" or "out of market"), from its
activation date to its termination date when they are known. A site attached to no
billing perimeter is first attached to its member's default perimeter for its lot and
segment (``billing_groups.services.default_perimeters_attach``, from the campaign's
defaults: the member then sees it).

Periods: a site's consumption period starts the day after its last billed (not cancelled)
consumption end — a missed month is caught up — or, never billed, at the start of the
rhythm's months; it ends on the day before the issue month. Fixed parts follow the lot's
price set in force on the last day of consumption: in arrears over the consumption
period, or in advance ("à échoir") up to the end of the rhythm's months from the issue
month on; they too start the day after the last fixed part billed. The price set of that
day also gives the payment delay (due date).

One invoice per perimeter and lot (a mono-site perimeter holds one site), written in one
transaction per invoice; a perimeter already invoiced by this run is skipped, so a run
resumed after a lost worker (or run twice) finishes the work without billing anything
twice. The progress counters on ``BillingRun`` are written every ``PROGRESS_EVERY_S``;
the run report lists each skipped site with its reason in French.

Speed: sites, attachments, perimeters with their members, the last billed state of every
site, its firm readings, the daily sums it needs, the price sets (``PriceBook``) and the
rates (``RateBook.from_rows(rate_rows_in_force())``) are read once, in bulk; the engine
computes in memory; each invoice is five INSERTs (``invoice_issue``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from billing_groups.models import BillingPerimeter, BillingPerimeterSite
from billing_groups.services import default_perimeters_attach
from config.tasks import advisory_lock
from consumption.partitions import add_months, month_start
from invoicing.choices import FixedBilling, IndexNature, InvoiceKind, RunCalendar, RunStatus
from invoicing.engine.compute import InvoiceError, compute_invoice
from invoicing.engine.rates import MissingRate, RateBook
from invoicing.engine.rounding import whole_kwh
from invoicing.engine.types import GasQuantity, InvoiceInput, Period, SiteInput
from invoicing.estimates import (
    DailySum,
    FirmReading,
    daily_sums,
    estimate_energy,
    firm_readings,
    kwh,
    post_shares,
    posts_of,
)
from invoicing.extensions import run_completed
from invoicing.grids.selectors import rate_rows_in_force
from invoicing.models import BillingRun, Invoice, InvoiceSite
from invoicing.prices import LotTerms, PriceBook
from invoicing.services.issue import InvoiceDraft, SiteBill, invoices_issue, site_ids_draw
from perimeter.choices import Fluid, SiteStatus
from perimeter.models import Lot, Site
from tenants.db import current_schema

logger = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)
PROGRESS_EVERY_S = 1.0
# Invoices written per transaction: a few round trips for many invoices (see _issue_all).
BATCH_INVOICES = 50
BATCH_SITES = 2_000
EXIT_STATUSES = (
    SiteStatus.NOT_MINE,
    SiteStatus.ALREADY_TERMINATED,
    SiteStatus.TERMINATED,
    SiteStatus.OUT_OF_MARKET,
)
GAS_ESTIMATED_SEGMENTS = ("T1", "T2")
GAS_REAL_SEGMENTS = ("T3", "T4", "TP")
ISSUE_DAY: dict[str, int] = {RunCalendar.ESTIMATED: 1, RunCalendar.GAS_T3: 10}
# The gas daily flow gives energy (volume × coefficient at ingestion); the invoice shows the
# volume as that energy over the network's typical coefficient (kWh per m³).
GAS_CONVERSION_KWH_PER_M3 = Decimal("11.20")
SITE_FIELDS = (
    "id",
    "member_id",
    "lot_id",
    "fluid",
    "segment",
    "tariff_formula",
    "tariff_option",
    "subscribed_power_kva",
    "car_kwh",
    "meter_communicating",
    "insee_code",
    "delivery_point",
    "site_name",
    "status",
    "activation_date",
    "termination_date",
)


def calendar_sites(calendar: str) -> Q:
    """The sites a calendar bills (fluid and segment)."""
    if calendar == RunCalendar.GAS_T3:
        return Q(fluid=Fluid.GAS, segment__in=GAS_REAL_SEGMENTS)
    return Q(fluid=Fluid.ELECTRICITY) | Q(fluid=Fluid.GAS, segment__in=GAS_ESTIMATED_SEGMENTS)


# --- Requesting a run ---------------------------------------------------------------------


@transaction.atomic
def billing_run_request(*, calendar: str, issue_date: dt.date, requested_by: str, enqueue: bool = True) -> BillingRun:
    """The run of ``calendar`` at ``issue_date``, queued on commit; the same (calendar, date) gives the same run.

    A run that failed is queued again (it resumes where it stopped); a queued, running or
    finished run is returned as it is. ``enqueue=False``: the caller executes it in place
    (the demo seed, the benchmark).
    """
    if calendar not in RunCalendar.values:
        raise ValidationError({"calendar": _("Calendrier de facturation inconnu : « %(v)s ».") % {"v": calendar}})
    if issue_date.day != ISSUE_DAY[calendar]:
        raise ValidationError(
            {"issue_date": _("Ce calendrier émet ses factures le %(day)d du mois.") % {"day": ISSUE_DAY[calendar]}}
        )
    run, created = BillingRun.objects.get_or_create(
        calendar=calendar, issue_date=issue_date, defaults={"requested_by": requested_by[:254]}
    )
    if not created:
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.FAILED:
            return run
        run.status, run.error = RunStatus.QUEUED, ""
        run.save(update_fields=["status", "error"])
    audit_record(
        action="billing_run.requested",
        actor_email=requested_by,
        target=run,
        details={"calendar": calendar, "issue_date": issue_date.isoformat(), "again": not created},
    )
    if enqueue:
        from invoicing.tasks import billing_run_task

        run_id, schema = run.pk, current_schema()
        transaction.on_commit(lambda: billing_run_task.delay(run_id, schema))
    return run


def billing_run_fail(*, run_id: int, message: str) -> None:
    """The run's visible failed state (the task gave up); what was issued stays, a new request resumes."""
    BillingRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


# --- The state of each site ---------------------------------------------------------------


@dataclass(frozen=True)
class Billed:
    """A site's last billed part (of an invoice no credit note cancels)."""

    consumption_start: dt.date
    consumption_end: dt.date
    fixed_end: dt.date
    indexes: dict[str, dict[str, str]]
    index_nature: str
    consumption_kwh: Decimal


def last_billed(site_ids: Sequence[int], *, before: dt.date | None = None) -> dict[int, Billed]:
    """Each site's last billed part, in one query (``before``: ending before that day)."""
    if not site_ids:
        return {}
    # One index scan per site, newest end first (index invoice_site_site_end): the history
    # grows with every run, a DISTINCT ON over all of it would too.
    sql = f"""
        SELECT t.site_id, s.consumption_start, s.consumption_end, s.fixed_end,
               s.indexes, s.index_nature, s.consumption_kwh
        FROM unnest(%s::bigint[]) AS t(site_id)
        CROSS JOIN LATERAL (
            SELECT s.* FROM {InvoiceSite._meta.db_table} s JOIN {Invoice._meta.db_table} i ON i.id = s.invoice_id
            WHERE s.site_id = t.site_id AND i.kind = %s AND s.consumption_end < %s
              AND NOT EXISTS (SELECT 1 FROM {Invoice._meta.db_table} c WHERE c.cancels_id = i.id)
            ORDER BY s.consumption_end DESC, s.id DESC
            LIMIT 1
        ) s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(site_ids), InvoiceKind.INVOICE.value, before or dt.date.max])
        return {
            row[0]: Billed(row[1], row[2], row[3], _json(row[4]), row[5], Decimal(row[6])) for row in cursor.fetchall()
        }


def _json(value: Any) -> dict[str, dict[str, str]]:
    if isinstance(value, str):
        return dict(json.loads(value))
    return dict(value or {})


# --- Planning a site: periods, anchors, the daily ranges it needs --------------------------


@dataclass
class SitePlan:
    site: Site
    consumption: Period
    fixed: Period
    terms: LotTerms
    # Electricity: start indexes at consumption.first - 1, and the end's anchor.
    start: dict[str, Decimal] = field(default_factory=dict)
    start_range: tuple[int, dt.date, dt.date] | None = None  # estimate from a firm reading to the start
    end_anchor: FirmReading | None = None  # a firm reading inside the period: the end goes on from it
    readings: list[FirmReading] = field(default_factory=list)
    # Gas: the previous estimated period, recomputed from the data received since.
    previous: Billed | None = None

    def ranges(self) -> list[tuple[int, dt.date, dt.date]]:
        site_id, first, last = self.site.pk, self.consumption.first, self.consumption.last
        wanted = [(site_id, self.end_anchor.read_on if self.end_anchor else first - ONE_DAY, last)]
        if self.start_range:
            wanted.append(self.start_range)
        if self.previous is not None:
            wanted.append((site_id, self.previous.consumption_start - ONE_DAY, self.previous.consumption_end))
        return wanted


def _skip(site: Site, reason: str) -> dict[str, Any]:
    return {"site": site.pk, "delivery_point": site.delivery_point, "site_name": site.site_name, "reason": reason}


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def plan_site(
    site: Site,
    *,
    calendar: str,
    issue_date: dt.date,
    months: int,
    prices: PriceBook,
    billed: Billed | None,
    readings: list[FirmReading],
    forced: tuple[Period, Period] | None = None,
) -> SitePlan | str:
    """The periods and index anchors of one site's next invoice, or the French reason it is not billed."""
    if forced is not None:
        consumption, fixed = forced
    elif site.status in EXIT_STATUSES:
        return _("site non actif (%(status)s)") % {"status": SiteStatus(site.status).label}
    else:
        target_first = add_months(month_start(issue_date), -months)
        target_last = month_start(issue_date) - ONE_DAY
        first = billed.consumption_end + ONE_DAY if billed else target_first
        if site.activation_date and site.activation_date > first:
            first = site.activation_date
        last = target_last
        if site.termination_date and site.termination_date < last:
            last = site.termination_date
        if first > last:
            if billed and billed.consumption_end >= target_last:
                return _("déjà facturé jusqu'au %(day)s") % {"day": _fmt(billed.consumption_end)}
            if site.activation_date and site.activation_date > target_last:
                return _("site mis en service le %(day)s") % {"day": _fmt(site.activation_date)}
            return _("site résilié le %(day)s") % {"day": _fmt(site.termination_date or last)}
        consumption = Period(first, last)
        fixed = consumption  # replaced below once the price set is known
    terms = prices.terms(site.lot_id, consumption.last)
    if terms is None:
        return _("aucun prix du contrat pour le lot au %(day)s") % {"day": _fmt(consumption.last)}
    if forced is None:
        fixed_first = billed.fixed_end + ONE_DAY if billed else consumption.first
        if terms.fixed_billing == FixedBilling.ADVANCE:
            fixed_last = add_months(month_start(issue_date), months) - ONE_DAY
        else:
            fixed_last = consumption.last
        if site.termination_date and site.termination_date < fixed_last:
            fixed_last = site.termination_date
        if fixed_first > fixed_last:
            return _("parts fixes déjà facturées jusqu'au %(day)s") % {"day": _fmt(fixed_first - ONE_DAY)}
        fixed = Period(fixed_first, fixed_last)
    plan = SitePlan(site=site, consumption=consumption, fixed=fixed, terms=terms, readings=readings)
    if site.fluid == Fluid.GAS:
        if billed and billed.index_nature == IndexNature.ESTIMATED and forced is None:
            plan.previous = billed
        base = billed.indexes.get("BASE", {}).get("end") if billed else None
        plan.start = {"BASE": Decimal(base) if base else Decimal("0.000")}
        return plan
    return _plan_indexes(plan, billed)


def _plan_indexes(plan: SitePlan, billed: Billed | None) -> SitePlan | str:
    posts = posts_of(plan.site.tariff_option)
    before = plan.consumption.first - ONE_DAY
    usable = [r for r in plan.readings if all(p in r.kwh for p in posts) and r.read_on <= plan.consumption.last]
    if billed and all(p in billed.indexes for p in posts) and billed.consumption_end == before:
        plan.start = {p: Decimal(billed.indexes[p]["end"]) for p in posts}
    else:
        anchor = next((r for r in usable if r.read_on <= before), None)
        if anchor is not None:
            plan.start = dict(anchor.kwh)
            if anchor.read_on < before:
                plan.start_range = (plan.site.pk, anchor.read_on, before)
        else:
            inside = [r for r in usable if r.read_on > before]
            if not inside:
                return _("aucun index réel connu")
            oldest = min(inside, key=lambda r: r.read_on)
            if oldest.read_on >= plan.consumption.last:
                return _("aucun index réel avant le %(day)s") % {"day": _fmt(plan.consumption.last)}
            # Never billed and first read inside the period: the first invoice starts at that reading.
            plan.consumption = Period(oldest.read_on + ONE_DAY, plan.consumption.last)
            plan.start = dict(oldest.kwh)
            before = oldest.read_on
    newest = next((r for r in usable if r.read_on > before), None)
    plan.end_anchor = newest
    return plan


# --- Computing a site ----------------------------------------------------------------------


def _site_input(site: Site) -> SiteInput:
    kva = site.subscribed_power_kva
    powers: dict[str, Decimal] = {}
    if site.segment == "C4" and kva is not None:
        powers = dict.fromkeys(("HPH", "HCH", "HPE", "HCE"), Decimal(kva))
    return SiteInput(
        fluid=site.fluid,
        segment=site.segment,
        tariff_formula=site.tariff_formula,
        tariff_option=site.tariff_option,
        subscribed_power_kva=Decimal(kva) if kva is not None else None,
        subscribed_powers_kva=powers,
        insee_code=site.insee_code,
        meter_communicating=site.meter_communicating,
    )


def bill_site(
    plan: SitePlan,
    *,
    calendar: str,
    issue_date: dt.date,
    sums: dict[tuple[int, dt.date, dt.date], DailySum],
    rates: RateBook,
) -> SiteBill | str:
    """The engine's invoice of one planned site (pure: the data come in), or the reason it is not billed."""
    site, period = plan.site, plan.consumption
    before = period.first - ONE_DAY
    car = float(site.car_kwh) if site.car_kwh else None
    gas: GasQuantity | None = None
    energy: dict[str, Decimal] = {}
    if site.fluid == Fluid.GAS:
        estimate = estimate_energy(
            car_kwh=car,
            fluid=site.fluid,
            after=before,
            last=period.last,
            daily=sums.get((site.pk, before, period.last)),
        )
        if estimate is None:
            return _("aucune donnée de comptage ni consommation de référence")
        period_kwh, measured = estimate
        if calendar == RunCalendar.GAS_T3 and not measured:
            got = sums.get((site.pk, before, period.last))
            return _("données de comptage incomplètes (%(n)d jours sur %(d)d)") % {
                "n": got.days if got else 0,
                "d": period.days,
            }
        regularisation = 0.0
        if plan.previous is not None:
            prev = plan.previous
            real = sums.get((site.pk, prev.consumption_start - ONE_DAY, prev.consumption_end))
            days = (prev.consumption_end - prev.consumption_start).days + 1
            billed = float(prev.indexes.get("BASE", {}).get("period_kwh", prev.consumption_kwh))
            if real is not None and real.days >= days:
                regularisation = real.kwh - billed
            else:
                measured = False  # the previous estimate is still waiting for its data
        total = whole_kwh(Decimal(repr(period_kwh + regularisation)))  # the engine bills gas in whole kWh
        gas_start = plan.start["BASE"]
        coefficient = GAS_CONVERSION_KWH_PER_M3
        volume = (total / coefficient).quantize(Decimal("0.001"))
        gas = GasQuantity(volume_m3=volume, conversion_coefficient=coefficient)
        indexes = {
            "BASE": {
                "start": str(gas_start),
                "end": str(gas_start + total),
                "period_kwh": str(kwh(period_kwh)),
                "regularisation_kwh": str(kwh(regularisation)),
                "volume_m3": str(volume),
                "conversion_coefficient": str(coefficient),
            }
        }
        nature = IndexNature.REAL if measured else IndexNature.ESTIMATED
        consumption = total
    else:
        posts = posts_of(site.tariff_option)
        start = dict(plan.start)
        if plan.start_range is not None:
            gap = estimate_energy(
                car_kwh=car,
                fluid=site.fluid,
                after=plan.start_range[1],
                last=plan.start_range[2],
                daily=sums.get(plan.start_range),
            )
            if gap is None:
                return _("aucune donnée de comptage ni consommation de référence")
            shares = post_shares(site.tariff_option, plan.readings, plan.start_range[1], plan.start_range[2])
            start = {p: start[p] + kwh(gap[0] * shares[p]) for p in posts}
        anchor = plan.end_anchor
        if anchor is not None and anchor.read_on == period.last:
            end = {p: anchor.kwh[p] for p in posts}
            nature = IndexNature.REAL
        else:
            after = anchor.read_on if anchor else before
            base = anchor.kwh if anchor else start
            estimate = estimate_energy(
                car_kwh=car,
                fluid=site.fluid,
                after=after,
                last=period.last,
                daily=sums.get((site.pk, after, period.last)),
            )
            if estimate is None:
                return _("aucune donnée de comptage ni consommation de référence")
            shares = post_shares(site.tariff_option, plan.readings, after, period.last)
            end = {p: base[p] + kwh(estimate[0] * shares[p]) for p in posts}
            nature = IndexNature.ESTIMATED
        energy = {p: end[p] - start[p] for p in posts}
        indexes = {p: {"start": str(start[p]), "end": str(end[p])} for p in posts}
        consumption = sum(energy.values(), Decimal(0))
    data = InvoiceInput(
        site=_site_input(site),
        issue_date=issue_date,
        consumption_period=period,
        prices=plan.terms.prices,
        fixed_period=plan.fixed,
        energy_kwh=energy,
        gas=gas,
        rates=None,
    )
    try:
        result = compute_invoice(data, rates)
    except MissingRate as error:
        return _("tarif réglementé manquant : %(code)s au %(day)s") % {"code": error.code, "day": _fmt(error.day)}
    except InvoiceError as error:  # a price or a characteristic of the site is missing
        return _("donnée manquante pour le calcul : %(error)s") % {"error": str(error)}
    return SiteBill(
        site=site,
        consumption_period=period,
        fixed_period=plan.fixed,
        result=result,
        consumption_kwh=consumption,
        indexes=indexes,
        index_nature=nature,
    )


# --- Executing a run ------------------------------------------------------------------------


@dataclass
class _Progress:
    run_id: int
    total: int = 0
    done: int = 0
    invoices: int = 0
    sites: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    written_at: float = 0.0

    def write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.written_at < PROGRESS_EVERY_S:
            return
        self.written_at = now
        BillingRun.objects.filter(pk=self.run_id).update(
            perimeters_total=self.total,
            perimeters_done=self.done,
            invoices_issued=self.invoices,
            sites_billed=self.sites,
            sites_skipped=len(self.skipped),
        )


def _due_months(run: BillingRun, perimeter: BillingPerimeter) -> int:
    """How many months a perimeter's invoice covers at this run, 0 when it is not due."""
    if run.calendar == RunCalendar.GAS_T3:
        return 1
    if perimeter.billing_rhythm == "bimonthly":
        return 2 if run.issue_date.month % 2 == 1 else 0
    return 1


def calendar_sites_attach(calendar: str) -> tuple[list[Site], dict[int, int], list[dict[str, Any]]]:
    """The calendar's sites, each with its perimeter (unattached ones put on their default perimeter first).

    Returns the sites to bill, {site id: perimeter id}, and the report rows of the sites not billed.
    """
    sites = list(Site.objects.filter(calendar_sites(calendar)).only(*SITE_FIELDS).order_by("id"))
    attached = dict(
        BillingPerimeterSite.objects.filter(site__in=[s.pk for s in sites]).values_list("site_id", "perimeter_id")
    )
    skipped: list[dict[str, Any]] = []
    groups: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for site in sites:
        if site.pk not in attached and site.status not in EXIT_STATUSES:
            groups[(site.member_id, site.lot_id, site.segment)].append(site.pk)
    if groups:
        lot_names = {lot.pk: f"Lot {lot.number}" for lot in Lot.objects.all()}
        attached.update(default_perimeters_attach(groups=dict(groups), lot_names=lot_names, actor_email="facturation"))
    for site in sites:
        if site.pk not in attached:
            skipped.append(_skip(site, _("site non actif (%(s)s)") % {"s": SiteStatus(site.status).label}))
    return [s for s in sites if s.pk in attached], attached, skipped


def _issue_all(
    run: BillingRun,
    groups: dict[tuple[int, int], list[Site]],
    done_keys: set[tuple[int, int]],
    perimeters: dict[int, BillingPerimeter],
    lots: dict[int, Lot],
    plans: dict[int, SitePlan],
    sums: dict[tuple[int, dt.date, dt.date], DailySum],
    rates: RateBook,
    progress: _Progress,
    site_ids: Iterator[int],
) -> tuple[float, float]:
    """Compute each perimeter's invoice and issue them by batches; returns the seconds computing and writing.

    A batch (``BATCH_INVOICES`` invoices, or ``BATCH_SITES`` sites) is one transaction of six
    statements (``invoices_issue``): a perimeter is invoiced with its whole batch or not at
    all, so a run stopped anywhere resumes without a duplicate.
    """
    computing = writing = 0.0
    drafts: list[InvoiceDraft] = []
    pending = pending_sites = 0

    def flush() -> None:
        nonlocal drafts, pending, pending_sites, writing
        lap = time.perf_counter()
        if drafts:
            invoices_issue(
                drafts=drafts,
                issue_date=run.issue_date,
                run=run,
                site_ids=[next(site_ids) for _ in range(pending_sites)],
            )
        progress.invoices += len(drafts)
        progress.sites += pending_sites
        progress.done += pending
        progress.write()
        drafts, pending, pending_sites = [], 0, 0
        writing += time.perf_counter() - lap

    for key in sorted(groups):
        if key in done_keys:
            continue
        lap = time.perf_counter()
        bills: list[SiteBill] = []
        for site in groups[key]:
            planned = plans.get(site.pk)
            if planned is None:
                continue
            bill = bill_site(planned, calendar=run.calendar, issue_date=run.issue_date, sums=sums, rates=rates)
            if isinstance(bill, str):
                progress.skipped.append(_skip(site, bill))
            else:
                bills.append(bill)
        if bills:
            terms = plans[bills[0].site.pk].terms
            drafts.append(InvoiceDraft(perimeters[key[0]], lots[key[1]], bills, terms.payment_delay_days))
            pending_sites += len(bills)
        pending += 1
        computing += time.perf_counter() - lap
        if len(drafts) >= BATCH_INVOICES or pending_sites >= BATCH_SITES:
            flush()
    flush()
    return computing, writing


@contextmanager
def _commits_without_waiting() -> Iterator[None]:
    """The run's commits do not wait for the disk (``synchronous_commit = off`` for its session, then reset).

    A run commits one transaction per invoice: waiting for each flush would take much of
    its time. A crash of the database server may lose the last fraction of a second of
    commits — the invoices *and* their numbers together (the counter is in the same
    transaction), never a gap — and the resumed run issues them again.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def billing_run_execute(run_id: int, *, followers: bool = True) -> BillingRun:
    """Bill every perimeter due in the run (see the module docstring); resumable, idempotent.

    One execution of a run at a time: a session advisory lock on the run (released with the
    session if the process dies); an execution that finds it held returns the run as it is.
    ``followers=False`` leaves out what follows a completed run (the archived PDFs, the Direct
    View mails): the demo's 13 months of history, whose PDFs are rendered when downloaded.
    """
    with advisory_lock(f"invoicing.billing_run:{current_schema()}:{run_id}") as acquired:
        run = BillingRun.objects.get(pk=run_id)
        if not acquired or run.status == RunStatus.DONE:
            return run
        return _execute(run, followers=followers)


def _execute(run: BillingRun, *, followers: bool = True) -> BillingRun:
    BillingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=run.started_at or timezone.now(), error=""
    )
    clock = time.perf_counter()
    sites, attached, skipped = calendar_sites_attach(run.calendar)
    perimeters = BillingPerimeter.objects.select_related("member").in_bulk(set(attached.values()))
    done_keys = set(Invoice.objects.filter(run=run).values_list("perimeter_id", "lot_id"))
    lots = Lot.objects.in_bulk()
    prices = PriceBook.load()
    rates = RateBook.from_rows(rate_rows_in_force())
    due_sites = [s for s in sites if _due_months(run, perimeters[attached[s.pk]])]
    # Sites of an invoice this run already issued are not read again (a resumed run).
    todo = [s for s in due_sites if (attached[s.pk], s.lot_id) not in done_keys]
    todo_ids = [s.pk for s in todo]
    billed = last_billed(todo_ids)
    readings = firm_readings(
        [s.pk for s in todo if s.fluid == Fluid.ELECTRICITY],
        until=month_start(run.issue_date) - ONE_DAY,
        also_before=add_months(month_start(run.issue_date), -2) - ONE_DAY,
    )
    plans: dict[int, SitePlan] = {}
    for site in todo:
        months = _due_months(run, perimeters[attached[site.pk]])
        plan = plan_site(
            site,
            calendar=run.calendar,
            issue_date=run.issue_date,
            months=months,
            prices=prices,
            billed=billed.get(site.pk),
            readings=readings.get(site.pk, []),
        )
        if isinstance(plan, str):
            skipped.append(_skip(site, plan))
        else:
            plans[site.pk] = plan
    sums = daily_sums(r for plan in plans.values() for r in plan.ranges())
    loaded = time.perf_counter() - clock
    groups: dict[tuple[int, int], list[Site]] = defaultdict(list)
    for site in due_sites:
        groups[(attached[site.pk], site.lot_id)].append(site)
    progress = _Progress(run.pk, total=len(groups))
    progress.done = sum(1 for key in groups if key in done_keys)
    if done_keys:  # a resumed run: what it issued before
        progress.invoices = Invoice.objects.filter(run=run).count()
        progress.sites = InvoiceSite.objects.filter(invoice__run=run).count()
    progress.skipped = skipped
    site_ids = iter(site_ids_draw(len(plans)))  # the sites' row ids, drawn at once for the whole run
    with _commits_without_waiting():
        computing, writing = _issue_all(
            run, groups, done_keys, perimeters, lots, plans, sums, rates, progress, site_ids
        )
    issued = Invoice.objects.filter(run=run)
    progress.invoices = issued.count()
    progress.sites = InvoiceSite.objects.filter(invoice__run=run).count()
    progress.write(force=True)
    BillingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), skipped=skipped, error=""
    )
    audit_record(
        action="billing_run.done",
        actor_email="facturation",
        target=run,
        details={
            "invoices": progress.invoices,
            "sites_billed": progress.sites,
            "sites_skipped": len(skipped),
            "load_s": round(loaded, 2),
            "compute_s": round(computing, 2),
            "write_s": round(writing, 2),
            "total_s": round(time.perf_counter() - clock, 2),
        },
    )
    if followers:
        run_completed(run_id=run.pk)  # archived PDFs, the Direct View to subscribers (queued on commit)
    run.refresh_from_db()
    return run


# --- Corrections ------------------------------------------------------------------------------


def rebill_sites(invoice: Invoice) -> list[SiteBill]:
    """Each site of ``invoice`` billed again over the same periods from the meter data known now."""
    parts = list(InvoiceSite.objects.filter(invoice=invoice).order_by("position"))
    sites = Site.objects.only(*SITE_FIELDS).in_bulk([p.site_id for p in parts])
    prices = PriceBook.load()
    rates = RateBook.from_rows(rate_rows_in_force())
    readings = firm_readings(
        [p.site_id for p in parts],
        until=max(p.consumption_end for p in parts),
        also_before=min(p.consumption_start for p in parts) - ONE_DAY,
    )
    bills: list[SiteBill] = []
    plans: list[SitePlan] = []
    for part in parts:
        site = sites[part.site_id]
        calendar = RunCalendar.GAS_T3 if site.segment in GAS_REAL_SEGMENTS else RunCalendar.ESTIMATED
        billed = Billed(
            part.consumption_start,
            part.consumption_start - ONE_DAY,
            part.fixed_start - ONE_DAY,
            {p: {"end": v["start"]} for p, v in part.indexes.items()},
            IndexNature.REAL,
            Decimal(0),
        )
        plan = plan_site(
            site,
            calendar=calendar,
            issue_date=invoice.issue_date,
            months=1,
            prices=prices,
            billed=billed,
            readings=readings.get(site.pk, []),
            forced=(
                Period(part.consumption_start, part.consumption_end),
                Period(part.fixed_start, part.fixed_end),
            ),
        )
        if isinstance(plan, str):
            raise ValidationError(_("Site %(pdl)s : %(reason)s") % {"pdl": site.delivery_point, "reason": plan})
        plans.append(plan)
    sums = daily_sums(r for plan in plans for r in plan.ranges())
    for plan in plans:
        calendar = RunCalendar.GAS_T3 if plan.site.segment in GAS_REAL_SEGMENTS else RunCalendar.ESTIMATED
        bill = bill_site(plan, calendar=calendar, issue_date=invoice.issue_date, sums=sums, rates=rates)
        if isinstance(bill, str):
            raise ValidationError(_("Site %(pdl)s : %(reason)s") % {"pdl": plan.site.delivery_point, "reason": bill})
        bills.append(bill)
    return bills


def runs_due(day: dt.date) -> list[str]:
    """The calendars whose runs start on ``day`` (the beat task asks every day it runs)."""
    return [calendar for calendar, issue_day in ISSUE_DAY.items() if day.day == issue_day]
