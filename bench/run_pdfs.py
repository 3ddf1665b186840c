"""Benchmark: the archived PDFs of a whole monthly billing run of sdec (≈ 667 invoices, ≈ 12,900 sites).

Run: ``DATABASE_URL=… python -m bench.run_pdfs [--every N]``. Creates the throwaway
database ``<name>_runpdfs`` with ``bench.billing_run``'s set-up (the full-scale park of
``sdec``, seven months of meter data, the demo's prices, the default perimeters), then
bills the estimated calendar of the 1st of the month (committed: the invoices to render).

Then one worker process, as in production (a child ``python -m bench.run_pdfs --worker``
on the same database, MEDIA_ROOT in a temporary folder), stores the PDFs:

- ``--every 1`` (default): ``run_pdfs_render`` of the whole run, the task's service;
- ``--every N``: a representative sample — the run's invoices sorted by their number of
  sites, every N-th taken (so the site-count distribution is kept), each stored by
  ``invoice_pdf_store``, the step ``run_pdfs_render`` loops over; the whole run is
  extrapolated as the sample's time × N (and checked against the sites sampled × N).

Printed: total time vs the 10-minute target, the worker's peak RSS (its own, and the
largest Typst child's), the slowest invoice, the size on disk. Prints only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, BenchRun, bench_database, django_setup

HISTORY_SCALE = 0.2  # as bench.billing_run: seven months of meter history
TARGET_SECONDS = 600


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def _high_water_mb() -> float:
    """This process's own peak RSS (VmHWM: unlike ``ru_maxrss``, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return _rss_mb(resource.RUSAGE_SELF)


def worker(run_id: int, schema: str, every: int) -> dict[str, Any]:
    """The worker's side: store the run's PDFs (or a sample), timed, with its memory."""
    django_setup()
    from django.db.models import Count
    from django_tenants.utils import schema_context

    from invoicing.models import Invoice
    from invoicing.services.pdfs import invoice_pdf_store, run_pdfs_render

    rss_start = _high_water_mb()
    with schema_context(schema):
        invoices = list(
            Invoice.objects.filter(run_id=run_id)
            .annotate(site_count=Count("sites"))
            .order_by("site_count", "pk")
            .values_list("pk", "site_count")
        )
        clock = time.perf_counter()
        slowest = (0.0, 0)
        if every == 1:
            counts = run_pdfs_render(run_id=run_id).as_dict()
            sample = invoices
        else:
            sample = invoices[every // 2 :: every]
            counts = {"rendered": 0, "already": 0, "failed": 0}
            for pk, sites in sample:
                started = time.perf_counter()
                invoice = Invoice.objects.select_related("perimeter", "member").get(pk=pk)
                try:
                    counts["rendered" if invoice_pdf_store(invoice=invoice).rendered else "already"] += 1
                except Exception as error:  # as run_pdfs_render: logged, the others go on
                    counts["failed"] += 1
                    print(f"invoice {pk}: {type(error).__name__}: {error}", file=sys.stderr)
                slowest = max(slowest, (time.perf_counter() - started, sites))
        seconds = time.perf_counter() - clock
        from invoicing.models import InvoicePdf

        stored = InvoicePdf.objects.filter(invoice__run_id=run_id)
        stored_count, size = stored.count(), sum(stored.values_list("size", flat=True))
    return {
        "seconds": seconds,
        "counts": counts,
        "invoices": len(invoices),
        "sites": sum(s for _, s in invoices),
        "sample_invoices": len(sample),
        "sample_sites": sum(s for _, s in sample),
        "largest": max(s for _, s in invoices),
        "slowest_s": slowest[0],
        "slowest_sites": slowest[1],
        "stored": stored_count,
        "bytes": size,
        "rss_start_mb": rss_start,
        "rss_peak_mb": _high_water_mb(),
        "child_peak_mb": _rss_mb(resource.RUSAGE_CHILDREN),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--worker", nargs=2, metavar=("RUN_ID", "SCHEMA"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(int(args.worker[0]), args.worker[1], args.every)), flush=True)
        return

    media = tempfile.mkdtemp(prefix="bench-runpdfs-")
    os.environ["MEDIA_ROOT"] = media
    run = BenchRun("PDFs of a monthly billing run, whole sdec (≈ 667 invoices, ≈ 12,900 sites)")
    try:
        with bench_database("runpdfs") as url:
            from django.utils import timezone
            from django_tenants.utils import tenant_context

            from consumption.demo import generate_demo_consumption
            from invoicing import extensions
            from invoicing.demo import demo_prices
            from invoicing.services import runs
            from perimeter.demo import SDEC, account_manager_ensure, seed_syndicate
            from tenants.services import public_tenant_ensure, syndicate_create

            clock = time.perf_counter()
            public_tenant_ensure()
            account_manager_ensure()
            syndicate = syndicate_create(code="sdec", name=SDEC.name)
            seed_syndicate(syndicate, SDEC, "full")
            generate_demo_consumption(syndicate, HISTORY_SCALE)
            issue_date = timezone.localdate().replace(day=1)
            with tenant_context(syndicate):
                demo_prices()
                runs.calendar_sites_attach("estimated")
                extensions._run_callbacks.clear()  # no broker here: the worker below is the task
                billing = runs.billing_run_request(
                    calendar="estimated", issue_date=issue_date, requested_by="bench", enqueue=False
                )
                runs.billing_run_execute(billing.pk)
            setup_seconds = time.perf_counter() - clock
            run.note(f"set-up and billing run {setup_seconds:.0f} s; the worker starts (every {args.every})")
            from django.db import connections

            connections.close_all()
            command = [sys.executable, "-m", "bench.run_pdfs", "--every", str(args.every)]
            done = subprocess.run(
                [*command, "--worker", str(billing.pk), syndicate.schema_name],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": media},
                stdout=subprocess.PIPE,  # the worker's errors go to the terminal
                check=True,
                text=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(media, ignore_errors=True)

    every = args.every
    seconds = result["seconds"]
    whole = seconds * every
    by_sites = seconds * result["sites"] / max(result["sample_sites"], 1)
    counts = result["counts"]
    lines = [
        f"- throwaway database: bench.billing_run's set-up (sdec, full park, meter data at scale {HISTORY_SCALE}), "
        f"then the estimated run of {issue_date} committed: {result['invoices']:,} invoices, {result['sites']:,} "
        f"sites (largest invoice {result['largest']} sites); set-up and run {setup_seconds:.0f} s, not measured",
    ]
    if every == 1:
        lines.append(
            f"- **`run_pdfs_render` of the whole run, one worker process: {seconds:.0f} s** "
            f"({seconds / 60:.1f} min; {counts}) — target < {TARGET_SECONDS // 60} min: "
            f"{'met' if seconds < TARGET_SECONDS else 'NOT met'}"
        )
    else:
        lines.append(
            f"- sample: every {every}th invoice by site count = {result['sample_invoices']} invoices, "
            f"{result['sample_sites']:,} sites (whole run / {every} = {result['sites'] / every:,.0f}), each stored by "
            f"`invoice_pdf_store` in one worker process: {seconds:.0f} s ({counts}); slowest "
            f"{result['slowest_s']:.1f} s ({result['slowest_sites']} sites)"
        )
        lines.append(
            f"- **whole run extrapolated: {whole:.0f} s ({whole / 60:.1f} min) as sample × {every}; "
            f"{by_sites:.0f} s by sites** — target < {TARGET_SECONDS // 60} min: "
            f"{'met' if max(whole, by_sites) < TARGET_SECONDS else 'NOT met'} (extrapolated, not measured whole)"
        )
    lines.append(
        f"- worker peak RSS (VmHWM): {result['rss_peak_mb']:.0f} MB (after Django's set-up "
        f"{result['rss_start_mb']:.0f} MB); largest Typst child {result['child_peak_mb']:.0f} MB; "
        f"{result['stored']} PDFs stored, {result['bytes'] / 2**20:.0f} MB on disk"
    )
    run.report(lines)


if __name__ == "__main__":
    main()
