"""Direct View benchmark (issue 10): the whole syndicate over 12 months built and mailed (< 2 minutes, memory
flat), and 1,000,000 Direct View rows written (≤ 60 s), with the same-run ratio to a plain stream of the lines.

In a throwaway database (``bench_database``): the demo syndicate's park (``seed_demo --only sdec
--no-consumption``: about 13,000 sites), then in SQL, in a few statements: one mono-site billing
perimeter per site, 12 months of issued invoices of every site (``bench.invoice_search``'s
statements), ``--lines`` invoice lines per site part (8: a C5 invoice's energy, capacity, network and
tax components), one VAT row per invoice, and a budget line per member given to every other site
(the budget reference's joins do real work).

Each measured build runs in its own forked process, so that its peak RSS (``VmHWM``) is its own; the
process's RSS when it starts is printed beside it (memory flat: the peak hardly moves above it, and does
not grow with the number of rows — compare the 1,000,000-row peak with the whole syndicate's).

1. **built and mailed**: an export job of the ``direct_view`` report for the coordinator (the whole
   syndicate, the last 12 months), run by ``reports.services.export_run`` as the task runs it: the
   streamed build, the file, the completion mail (a link: the file is large; locmem backend);
2. **1,000,000 rows**: ``write_xlsx`` of the first 1,000,000 rows of ``direct_view_rows`` against the
   same writer and the same 22 columns fed by a plain server-side cursor over the 1,000,000 first lines
   (no join, no VAT allocation), alternated, median of ``--repeats`` each; the ratio is the Direct View's own cost.

    DATABASE_URL=... .venv/bin/python -m bench.direct_view [--repeats 3] [--lines 8]
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from queue import Empty
from typing import Any

from bench.common import BenchRun, alternate, bench_database, timed

MONTHS = 12
ROWS = 1_000_000
SYNDICATE = "sdec"

COMPONENTS = (
    ("ENERGY_BASE", "energy", "Énergie Base", "kWh"),
    ("CAPACITY_BASE", "energy", "Mécanisme de capacité Base", "kWh"),
    ("NETWORK_MANAGEMENT", "network", "Composante de gestion", "jour"),
    ("NETWORK_METERING", "network", "Composante de comptage", "jour"),
    ("NETWORK_FIXED", "network", "Part fixe de soutirage", "kVA·jour"),
    ("NETWORK_VARIABLE_BASE", "network", "Part variable de soutirage Base", "kWh"),
    ("CTA", "taxes", "Contribution tarifaire d'acheminement", "€"),
    ("EXCISE", "taxes", "Accise sur l'électricité", "kWh"),
)

LINES_SQL = """
INSERT INTO invoicing_invoiceline
    (invoice_id, invoice_site_id, position, code, family, label, start, "end", quantity, unit, unit_price, amount,
     vat_percent)
SELECT p.invoice_id, p.id, c.k, c.code, c.family, c.label, p.consumption_start, p.consumption_end,
       p.consumption_kwh, c.unit, 0.05 + c.k * 0.001, round(p.total_excl_vat / %(lines)s, 2), 20
FROM invoicing_invoicesite p
CROSS JOIN (SELECT * FROM (VALUES {values}) AS v(k, code, family, label, unit) WHERE k <= %(lines)s) c
"""

VAT_SQL = """
INSERT INTO invoicing_invoicevat (invoice_id, percent, base, amount)
SELECT id, 20, total_excl_vat, vat_total FROM invoicing_invoice
"""

BUDGET_SQL = """
INSERT INTO billing_groups_budgetline (member_id, year, code, label)
SELECT m.id, y.year, '6061', 'Fournitures non stockables'
FROM perimeter_member m CROSS JOIN (SELECT DISTINCT unnest(ARRAY[%(y1)s, %(y2)s]::int[])) AS y(year);
INSERT INTO billing_groups_siterouting (site_id, year, budget_line_id, updated_at)
SELECT s.id, b.year, b.id, now() FROM perimeter_site s JOIN billing_groups_budgetline b ON b.member_id = s.member_id
WHERE s.id %% 2 = 0;
"""

# The same 22 columns and kinds of value as the Direct View, read from the lines' table alone.
PLAIN_SQL = """
SELECT l.invoice_id::text, l.unit, l.start, l."end", l.label, l.label, l.code, l.code, l.label, l.code, l.unit,
       l.code, l.label, l.start, l."end", l.quantity, l.unit, l.unit_price, l.amount, l.vat_percent,
       l.amount, l.amount
FROM invoicing_invoiceline l ORDER BY l.id LIMIT %s
"""


def _fill(run: BenchRun, lines: int) -> dict[str, Any]:
    from django.utils import timezone

    from bench.invoice_search import INVOICES_SQL, PARTS_SQL, PERIMETERS_SQL

    series = "CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS m(month)"
    # The months as dates (generate_series gives timestamps: "month + 30" must be a date); newer
    # versions of the invoice search's statement cast them already.
    invoices_sql = INVOICES_SQL.replace(
        series,
        "CROSS JOIN (SELECT g::date FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') g)"
        " AS m(month)",
    )
    from invoicing.filtersets import add_months
    from tenants.db import connection

    last = timezone.localdate().replace(day=1)
    first = add_months(last, -(MONTHS - 1))
    values = ", ".join(
        f"({k}, '{code}', '{family}', '{label.replace(chr(39), chr(39) * 2)}', '{unit}')"
        for k, (code, family, label, unit) in enumerate(COMPONENTS, start=1)
    )

    def fill() -> None:
        with connection.cursor() as cursor:
            cursor.execute(PERIMETERS_SQL)
            cursor.execute(invoices_sql, {"first": first, "last": last})
            cursor.execute(PARTS_SQL)
            cursor.execute(LINES_SQL.format(values=values), {"lines": lines})
            cursor.execute(VAT_SQL)
            cursor.execute(BUDGET_SQL, {"y1": first.year, "y2": last.year})
            cursor.execute(
                "ANALYZE invoicing_invoice; ANALYZE invoicing_invoicesite; ANALYZE invoicing_invoiceline;"
                " ANALYZE invoicing_invoicevat; ANALYZE billing_groups_siterouting; ANALYZE perimeter_site"
            )

    seconds, _ = timed(fill)
    run.note(f"invoices written in {seconds:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM invoicing_invoice), (SELECT count(*) FROM invoicing_invoiceline)")
        invoices, line_count = cursor.fetchone()
    return {"seconds": seconds, "first": first, "last": last, "invoices": invoices, "lines": line_count}


def _rss_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _forked(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` in a forked process (fresh database connections): its stats, its start and peak RSS."""
    from django.db import connections

    connections.close_all()
    queue: Any = multiprocessing.get_context("fork").Queue()

    def child() -> None:
        start_rss = _rss_mb("VmRSS")
        stats = work()
        stats.update(start_rss_mb=start_rss, peak_rss_mb=_rss_mb("VmHWM"))
        queue.put(stats)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    while True:
        try:
            stats = queue.get(timeout=5)
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"the measured process died (exit code {process.exitcode})") from None
            continue
        process.join()
        return stats


def _in_tenant(syndicate: Any) -> None:
    from tenants.db import connection

    connection.set_tenant(syndicate)


def built_and_mailed(syndicate: Any, coordinator_id: int, first: Any, last: Any) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        from django.core import mail

        from accounts.models import User
        from reports.models import ExportJob
        from reports.services import export_run

        _in_tenant(syndicate)
        user = User.objects.get(pk=coordinator_id)
        job = ExportJob.objects.create(
            requested_by=user,
            member=None,
            report="direct_view",
            parameters={"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"},
        )
        start = time.perf_counter()
        job = export_run(job_id=str(job.id))
        seconds = time.perf_counter() - start
        message = mail.outbox[-1]
        return {
            "seconds": seconds,
            "rows": job.row_count,
            "size_mb": (job.file_size or 0) / 1e6,
            "mailed_link": not message.attachments and "/exports/lien/" in message.body,
        }

    return work


def _write(rows: Iterator[Any], columns: Any) -> dict[str, Any]:
    from spreadsheets.xlsx import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.xlsx")
        start = time.perf_counter()
        result = write_xlsx(out, columns=columns, rows=rows, sheet_title="Bench")
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "rows": result.rows, "sheets": result.sheets, "size_mb": os.path.getsize(out) / 1e6}


def direct_view_million(syndicate: Any, coordinator_id: int, first: Any, last: Any) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        from django.db import transaction

        from accounts.models import User
        from invoicing.billing_files import direct_view_rows, next_month, scope_for
        from reports.definitions_billing import DIRECT_VIEW_COLUMNS

        _in_tenant(syndicate)
        scope = scope_for(User.objects.get(pk=coordinator_id), first=first, end=next_month(last))
        with transaction.atomic():
            return _write(itertools.islice(direct_view_rows(scope), ROWS), DIRECT_VIEW_COLUMNS)

    return work


def plain_million(syndicate: Any) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        from django.db import connection, transaction

        from reports.definitions_billing import DIRECT_VIEW_COLUMNS

        _in_tenant(syndicate)

        def rows() -> Iterator[Any]:
            with connection.chunked_cursor() as cursor:
                cursor.execute(PLAIN_SQL, [ROWS])
                while batch := cursor.fetchmany(5000):
                    yield from batch

        with transaction.atomic():
            return _write(rows(), DIRECT_VIEW_COLUMNS)

    return work


def _runs(stats: list[dict[str, Any]]) -> str:
    return ", ".join(f"{s['seconds']:.1f}" for s in stats) + " s"


def _median(stats: list[dict[str, Any]], key: str) -> float:
    return statistics.median(s[key] for s in stats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lines", type=int, default=8, choices=range(1, len(COMPONENTS) + 1))
    args = parser.parse_args()
    run = BenchRun("Direct View (billing files)")
    with bench_database("direct_view"), tempfile.TemporaryDirectory() as media:
        from django.conf import settings

        from tenants.services import public_tenant_ensure

        settings.MEDIA_ROOT = media
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        public_tenant_ensure()
        _measure(run, args)


def _measure(run: BenchRun, args: argparse.Namespace) -> None:
    from accounts.choices import Role
    from accounts.models import User
    from bench.pages_common import demo_syndicate
    from perimeter.models import Site

    syndicate, _host, seed_seconds = demo_syndicate(SYNDICATE)
    run.note(f"park seeded in {seed_seconds:.1f} s")
    filled = _fill(run, args.lines)
    sites = Site.objects.count()
    coordinator, _ = User.objects.get_or_create(email="bench.files@sdec.demo", defaults={"role": Role.COORDINATOR})
    first, last = filled["first"], filled["last"]

    mailed: list[dict[str, Any]] = []
    million: list[dict[str, Any]] = []
    plain: list[dict[str, Any]] = []

    def case(target: list[dict[str, Any]], work: Callable[[], dict[str, Any]], label: str) -> Callable[[], None]:
        def call() -> None:
            target.append(_forked(work))
            run.note(f"{label}: {target[-1]['seconds']:.1f} s, peak RSS {target[-1]['peak_rss_mb']:.0f} MB")

        return call

    alternate(
        {
            "direct_view": case(million, direct_view_million(syndicate, coordinator.pk, first, last), "1M Direct View"),
            "plain": case(plain, plain_million(syndicate), "1M plain lines"),
        },
        repeats=args.repeats,
    )
    alternate(
        {"mailed": case(mailed, built_and_mailed(syndicate, coordinator.pk, first, last), "whole syndicate, mailed")},
        repeats=args.repeats,
    )
    dv, base = _median(million, "seconds"), _median(plain, "seconds")
    run.report(
        [
            f"- throwaway database: `seed_demo --only {SYNDICATE} --no-consumption` ({seed_seconds:.1f} s, {sites:,} "
            f"sites), then in SQL ({filled['seconds']:.1f} s): {MONTHS} months of mono-site invoices of every site, "
            f"{args.lines} lines per site and month: **{filled['invoices']:,} invoices, {filled['lines']:,} invoice "
            "lines**; a budget line given to every other site",
            "- each build in its own forked process (peak RSS = its `VmHWM`; RSS at its start beside it)",
            f"- **whole syndicate, {MONTHS} months, built and mailed** (`export_run` of a coordinator's `direct_view` "
            f"job: {mailed[-1]['rows']:,} rows, {mailed[-1]['size_mb']:.0f} MB, "
            f"{'mailed as a link' if mailed[-1]['mailed_link'] else 'mail: see note'}): "
            f"**{_median(mailed, 'seconds'):.1f} s** (median of {len(mailed)}: {_runs(mailed)}), peak RSS "
            f"{_median(mailed, 'peak_rss_mb'):.0f} MB from {_median(mailed, 'start_rss_mb'):.0f} MB at start — "
            "target < 2 minutes, memory flat",
            f"- **1,000,000 Direct View rows: {dv:.1f} s** (median of {len(million)}: {_runs(million)}), peak RSS "
            f"{_median(million, 'peak_rss_mb'):.0f} MB from {_median(million, 'start_rss_mb'):.0f} MB at start, "
            f"{million[-1]['size_mb']:.0f} MB, {million[-1]['sheets']} sheet(s) — target ≤ 60 s",
            f"- same run, alternated: the same writer and the same 22 columns fed 1,000,000 plain lines (the lines' "
            f"table alone: no join, no sort of the file's order, no VAT allocation) {base:.1f} s ({_runs(plain)}), "
            f"peak RSS {_median(plain, 'peak_rss_mb'):.0f} MB; "
            f"**ratio Direct View / plain: ×{dv / base:.2f}**",
        ]
    )


if __name__ == "__main__":
    main()
