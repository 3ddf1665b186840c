"""Export benchmark: the perimeter file of a whole syndicate (13,000 sites × 27 columns).

Builds a throwaway database ``bench_exports`` (one syndicate, 330 members, 13,000 sites
with contacts and status history), then times the perimeter-file definition written by
our streaming writer against the obvious way: the same rows into a pandas DataFrame,
then ``DataFrame.to_excel``. Time is measured on a plain run, peak memory (Python heap,
tracemalloc) on a second run. The
database is dropped at the end.

    DATABASE_URL=postgresql://postgres:@/h_reports?host=... .venv/bin/python bench/exports_perimeter.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "bench_exports"
MEMBERS = 330
SITES = 13_000


def _admin_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _setup_database(base_url: str) -> str:
    admin = _admin_url(base_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return _admin_url(base_url, BENCH_DB)


def _drop_database(base_url: str) -> None:
    with psycopg.connect(_admin_url(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _seed() -> Any:
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import User
    from perimeter.choices import SiteStatus
    from perimeter.models import Contact, Lot, Member, Site, SiteStatusChange
    from tenants.db import connection
    from tenants.services import public_tenant_ensure, syndicate_create
    from tests.factories import valid_siret

    call_command("migrate_schemas", "--shared", verbosity=0)
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


def _measure(work: Callable[[], object]) -> tuple[float, float]:
    """Wall time of a plain run, then the heap peak of a second, traced run (tracing slows Python)."""
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    base_url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = _setup_database(base_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    try:
        import pandas as pd

        from reports.definitions import PERIMETER_FILE
        from spreadsheets.xlsx import write_xlsx

        started = time.perf_counter()
        user = _seed()
        print(f"seeded {SITES:,} sites in {time.perf_counter() - started:.1f} s")
        headers = [c.header for c in PERIMETER_FILE.columns]
        with tempfile.TemporaryDirectory() as tmp:

            def ours() -> None:
                write_xlsx(
                    Path(tmp) / "ours.xlsx", columns=PERIMETER_FILE.columns,
                    rows=PERIMETER_FILE.rows(user, {}), sheet_title=PERIMETER_FILE.title,
                )  # fmt: skip

            def obvious() -> None:
                frame = pd.DataFrame(list(PERIMETER_FILE.rows(user, {})), columns=headers)
                frame.to_excel(Path(tmp) / "pandas.xlsx", index=False, sheet_name="Périmètre")

            ours()  # warm the caches once (both then read warm data)
            ours_s, ours_mb = _measure(ours)
            pandas_s, pandas_mb = _measure(obvious)
        print(f"streaming writer : {ours_s:.2f} s, Python heap peak {ours_mb:.1f} MB")
        print(f"pandas to_excel  : {pandas_s:.2f} s, Python heap peak {pandas_mb:.1f} MB")
        print(f"ratio (ours / pandas): time {ours_s / pandas_s:.2f}×, memory {ours_mb / pandas_mb:.2f}×")
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(base_url)


if __name__ == "__main__":
    main()
