"""Benchmark of the pre-filled import: the full syndicate listing (579 members, 13,000 sites) from an xlsx file.

Run: ``DATABASE_URL=… python -m bench.import_listing``. Creates the throwaway database
``bench_import`` on the server of ``DATABASE_URL``, migrates it, creates one syndicate,
generates the listing as an xlsx file (330 + 249 members with three contacts each,
11,220 C5 + 1,780 gas sites … split over two lots as in the tender: here one lot per run),
then times: reading + validation, the write, the whole job through the service, a re-import
of the same file (nothing changes); and, for the ratio, 2,000 sites written by the bulk
service and the obvious way (an ORM loop: one ``Site.save()`` per row), alternated, three
rounds, rolled back (``bench.park_common``). Prints the figures and drops the database.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from bench.common import BenchRun, bench_database
from bench.park_common import site_writes

ELEC_MEMBERS, GAS_MEMBERS = 330, 249
ELEC_SITES, GAS_SITES = 11_220, 1_780
LOOP_SITES = 2_000


def _listing(path: Path, *, gas: bool) -> int:
    """One lot's listing: members, three contacts each, sites spread unevenly (a city has hundreds)."""
    from tests.importing.workbooks import contact_row, listing, member_row, site_row

    members = GAS_MEMBERS if gas else ELEC_MEMBERS
    sites = GAS_SITES if gas else ELEC_SITES
    offset = 1000 if gas else 0
    counts = [1] * members
    for index in range(sites - members):  # a few large members, many small ones
        counts[(index * index) % members] += 1
    site_overrides = (
        {
            "Énergie": "Gaz",
            "Gestionnaire de réseau": "GRDF",
            "Segment": "T2",
            "FTA": "T2",
            "Option tarifaire": "GAS",
            "Puissance souscrite (kVA)": None,
        }
        if gas
        else {}
    )
    site_rows = (
        site_row(offset + n, s, **site_overrides) for n in range(1, members + 1) for s in range(1, counts[n - 1] + 1)
    )
    contact_rows = (
        contact_row(offset + n, role)
        for n in range(1, members + 1)
        for role in ("Administratif", "Facturation", "Technique")
    )
    listing([member_row(offset + n) for n in range(1, members + 1)], site_rows, contact_rows, path=path)
    return sites


def main() -> None:
    run = BenchRun("Full listing")
    with bench_database("import"):
        from django_tenants.utils import tenant_context

        from perimeter.importing.planning import listing_plan, listing_write
        from perimeter.importing.reading import read_listing
        from perimeter.importing.services import import_request
        from perimeter.models import Site
        from perimeter.services import lot_create
        from tenants.services import public_tenant_ensure, syndicate_create

        public_tenant_ensure()
        syndicate = syndicate_create(code="bench", name="Syndicat de bench")
        workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
        from django.conf import settings

        settings.MEDIA_ROOT = workdir / "media"
        settings.CELERY_TASK_ALWAYS_EAGER = True
        with tenant_context(syndicate):
            lots = {
                False: lot_create(
                    number=1,
                    name="Électricité C5",
                    fluid="elec",
                    segment_family="C5",
                    delivery_start=dt.date(2025, 1, 1),
                    delivery_end=dt.date(2025, 12, 31),
                ),
                True: lot_create(
                    number=3,
                    name="Gaz T1/T2/T3",
                    fluid="gas",
                    segment_family="T1/T2/T3",
                    delivery_start=dt.date(2025, 1, 1),
                    delivery_end=dt.date(2025, 12, 31),
                ),
            }
            timings: dict[str, float] = {}
            total_sites = 0
            files = {}
            for gas in (False, True):
                path = workdir / f"listing-{'gaz' if gas else 'elec'}.xlsx"
                clock = time.perf_counter()
                total_sites += _listing(path, gas=gas)
                timings["generate"] = timings.get("generate", 0) + time.perf_counter() - clock
                files[gas] = path
            size_mb = sum(p.stat().st_size for p in files.values()) / 1024 / 1024
            # Phase by phase on the electricity lot (the big one), then the whole job for gas.
            clock = time.perf_counter()
            parsed = read_listing(files[False])
            timings["read"] = time.perf_counter() - clock
            clock = time.perf_counter()
            plan, errors = listing_plan(parsed, lot=lots[False])
            timings["check"] = time.perf_counter() - clock
            assert plan is not None, errors[:5]
            clock = time.perf_counter()
            listing_write(plan=plan)
            timings["write"] = time.perf_counter() - clock
            clock = time.perf_counter()
            with files[True].open("rb") as upload:
                job = import_request(
                    lot=lots[True],
                    upload=upload,
                    original_name="gaz.xlsx",
                    size=files[True].stat().st_size,
                    requested_by_email="bench@f.test",
                )
            timings["gas_job"] = time.perf_counter() - clock
            job.refresh_from_db()
            assert job.status == "done", job.error_message
            assert Site.objects.count() == total_sites
            # Re-import of both files: nothing changes.
            clock = time.perf_counter()
            for gas in (False, True):
                with files[gas].open("rb") as upload:
                    again = import_request(
                        lot=lots[gas],
                        upload=upload,
                        original_name="again.xlsx",
                        size=files[gas].stat().st_size,
                        requested_by_email="bench@f.test",
                    )
                again.refresh_from_db()
                assert again.status == "done", again.error_message
                assert not again.has_changes, again.summary
            timings["reimport"] = time.perf_counter() - clock
            # The obvious way: one INSERT per site (ORM loop), against the bulk service, on the same rows.
            template = Site.objects.filter(lot=lots[False]).first()
            assert template is not None
            writes = site_writes(template, count=LOOP_SITES)
    full = timings["read"] + timings["check"] + timings["write"]
    run.report(
        [
            f"- listing: {ELEC_MEMBERS} + {GAS_MEMBERS} members (3 contacts each), {total_sites:,} sites in two files "
            f"(one per lot), {size_mb:.1f} MB xlsx, generated with openpyxl in {timings['generate']:.1f} s",
            f"- electricity lot ({ELEC_MEMBERS} members, {ELEC_SITES:,} sites): read {timings['read']:.1f} s "
            f"(openpyxl read-only, every cell parsed), check {timings['check']:.1f} s (cross-row + database, "
            f"set-based), write {timings['write']:.1f} s (bulk services, one transaction): **{full:.1f} s**",
            f"- gas lot ({GAS_MEMBERS} members, {GAS_SITES:,} sites), the whole job through the service "
            f"(store, task, audit): {timings['gas_job']:.1f} s",
            f'- re-import of both files (nothing changes, "aucun changement"): **{timings["reimport"]:.1f} s**',
            f"- the same {LOOP_SITES:,} sites written by the bulk service and the obvious way (ORM loop, one INSERT "
            f"per site), alternated, rolled back, median of {len(writes.seconds['bulk'])} each: bulk "
            f"{writes.median('bulk'):.2f} s ({writes.runs('bulk')}), loop {writes.median('save'):.2f} s "
            f"({writes.runs('save')}) — write only: **the bulk write is ×{writes.ratio('save', 'bulk'):.1f} "
            "faster**",
            "- target: 13,000 rows well under a minute",
        ]
    )


if __name__ == "__main__":
    main()
