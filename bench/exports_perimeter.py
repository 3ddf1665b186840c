"""Export benchmark: the perimeter file of a whole syndicate (13,000 sites × 27 columns).

Builds a throwaway database ``bench_exports`` (one syndicate, 330 members, 13,000 sites
with contacts and status history), then times the perimeter-file definition written by
our streaming writer against the obvious way: the same rows into a pandas DataFrame,
then ``DataFrame.to_excel``. The two alternate (ours, pandas, ours…), three rounds of
plain runs for the time, then three rounds under tracemalloc for the peak of the
Python heap (tracing slows Python); the ratios are ratios of the medians. The
database is dropped at the end.

    DATABASE_URL=... .venv/bin/python -m bench.exports_perimeter
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import BenchRun, alternate, bench_database, timed

MEMBERS = 330
SITES = 13_000
REPEATS = 3


def _seed() -> Any:
    from accounts.choices import Role
    from accounts.models import User
    from perimeter.choices import SiteStatus
    from perimeter.models import Contact, Lot, Member, Site, SiteStatusChange
    from tenants.db import connection
    from tenants.services import public_tenant_ensure, syndicate_create
    from tests.factories import valid_siret

    public_tenant_ensure()
    syndicate = syndicate_create(code="bench", name="Syndicat Bench", domain="bench.localhost")
    connection.set_tenant(syndicate)
    rng = random.Random(7)
    lot = Lot.objects.create(
        number=1, name="Électricité C5", fluid="elec", segment_family="C5",
        delivery_start=dt.date(2025, 1, 1), delivery_end=dt.date(2027, 12, 31),
    )  # fmt: skip
    members = Member.objects.bulk_create(
        Member(legal_name=f"Commune {n:03d}", siret=valid_siret(n + 1), customer_number=f"C{n:08d}", city="Caen")
        for n in range(MEMBERS)
    )
    contacts = Contact.objects.bulk_create(
        Contact(member=m, role="technical", first_name="Jeanne", last_name=f"Martin {m.pk}", email=f"c{m.pk}@ex.test")
        for m in members
    )
    statuses = [SiteStatus.ACTIVE] * 8 + [SiteStatus.TERMINATED, SiteStatus.OUT_OF_MARKET]
    sites = Site.objects.bulk_create(
        Site(
            member=members[n % MEMBERS], lot=lot, contact=contacts[n % MEMBERS], fluid="elec",
            delivery_point=f"{30000000000000 + n:014d}", distributor="ENEDIS", segment="C5",
            tariff_formula="BTINFCUST", tariff_option="HPHC", subscribed_power_kva=Decimal(rng.choice([6, 9, 12, 36])),
            car_kwh=rng.randint(1000, 90000), meter_serial=f"M{n:010d}", site_name=f"Bâtiment {n}",
            internal_reference=f"REF-{n}", address_line=f"{n % 200} rue de la Mairie", postcode="14000",
            city="Caen", insee_code="14118", status=statuses[n % 10],
            activation_date=dt.date(2020, 1, 1) + dt.timedelta(days=n % 1500),
            termination_date=dt.date(2025, 6, 30) if statuses[n % 10] != SiteStatus.ACTIVE else None,
        )
        for n in range(SITES)
    )  # fmt: skip
    SiteStatusChange.objects.bulk_create(
        SiteStatusChange(site=s, from_status=SiteStatus.SWITCH_CONFIRMED, to_status=s.status) for s in sites
    )
    return User.objects.create_user("carol@bench.test", role=Role.COORDINATOR)


def _heap_peak_mb(work: Callable[[], object]) -> Callable[[], float]:
    """A traced run of ``work``: the peak of the Python heap, in MB."""

    def traced() -> float:
        tracemalloc.start()
        try:
            work()
            return tracemalloc.get_traced_memory()[1] / 1e6
        finally:
            tracemalloc.stop()

    return traced


def main() -> None:
    run = BenchRun("Perimeter file, 13,000 sites")
    with bench_database("exports"):
        import pandas as pd

        from reports.definitions import PERIMETER_FILE
        from spreadsheets.xlsx import write_xlsx

        seed_seconds, user = timed(_seed)
        run.note(f"seeded {SITES:,} sites in {seed_seconds:.1f} s")
        headers = [c.header for c in PERIMETER_FILE.columns]
        columns = len(PERIMETER_FILE.columns)
        with tempfile.TemporaryDirectory() as tmp:

            def ours() -> None:
                write_xlsx(
                    Path(tmp) / "ours.xlsx", columns=PERIMETER_FILE.columns,
                    rows=PERIMETER_FILE.rows(user, {}), sheet_title=PERIMETER_FILE.title,
                )  # fmt: skip

            def obvious() -> None:
                frame = pd.DataFrame(list(PERIMETER_FILE.rows(user, {})), columns=headers)
                frame.to_excel(Path(tmp) / "pandas.xlsx", index=False, sheet_name="Périmètre")

            # Warm the caches once (both then read warm data); time, then heap, both alternated.
            times = alternate({"ours": ours, "pandas": obvious}, repeats=REPEATS, warm_up=True)
            heaps = alternate({"ours": _heap_peak_mb(ours), "pandas": _heap_peak_mb(obvious)}, repeats=REPEATS)
    ours_mb = statistics.median(heaps.returned["ours"])
    pandas_mb = statistics.median(heaps.returned["pandas"])
    run.report(
        [
            f"- throwaway database ({MEMBERS} members, contacts, status history, no readings: the two reading "
            f"lookups run and find nothing), the real definition and query; {SITES:,} sites × {columns} columns",
            f"- same run, alternated, median of {REPEATS} each: **streaming writer {times.median('ours'):.2f} s "
            f"({times.runs('ours')}), heap peak {ours_mb:.1f} MB; `pandas.DataFrame.to_excel` "
            f"{times.median('pandas'):.2f} s ({times.runs('pandas')}), heap peak {pandas_mb:.1f} MB**",
            f"- **ratio ours / pandas: time ×{times.ratio('ours', 'pandas'):.2f}, memory ×{ours_mb / pandas_mb:.2f}** "
            "(target ≤ 0.5×)",
        ]
    )


if __name__ == "__main__":
    main()
