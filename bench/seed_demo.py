"""Benchmark of the demo seed's park: the full seed on a fresh database, and the obvious way as a ratio.

Run: ``DATABASE_URL=… python -m bench.seed_demo``. Creates the throwaway database
``bench_seed`` on the server of ``DATABASE_URL``, migrates it, runs the full-scale
park seed (public tenant, account manager, ``sdec`` and ``siege``: schema creation,
then each phase of ``seed_syndicate``), then writes 2,000 more sites the obvious way
(one ``site_create`` per site, then one plain ``Site.save()`` per site), extrapolates
them to the 12,967 sites of the syndicate, appends the figures to bench/RESULTS.md
and drops the database. Meter data is not included (see the Consumption section).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_DB = "bench_seed"
LOOP_SITES = 2_000


@contextmanager
def bench_database() -> Iterator[None]:
    import psycopg

    url = os.environ["DATABASE_URL"]
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    import django

    django.setup()
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def main() -> None:
    with bench_database():
        from django.core.management import call_command
        from django_tenants.utils import tenant_context

        from perimeter.demo import SDEC, SIEGE, account_manager_ensure, seed_syndicate
        from perimeter.models import Member, Site
        from perimeter.services import SiteData, site_create
        from tenants.services import public_tenant_ensure, syndicate_create

        clock = time.perf_counter()
        call_command("migrate_schemas", "--shared", verbosity=0)
        migrate_seconds = time.perf_counter() - clock

        clock = time.perf_counter()
        public_tenant_ensure()
        account_manager_ensure()
        public_seconds = time.perf_counter() - clock

        results = {}
        for spec in (SDEC, SIEGE):
            clock = time.perf_counter()
            syndicate = syndicate_create(code=spec.code, name=spec.name)
            schema_seconds = time.perf_counter() - clock
            clock = time.perf_counter()
            stats = seed_syndicate(syndicate, spec, "full")
            results[spec.code] = (syndicate, schema_seconds, time.perf_counter() - clock, stats)
        clock = time.perf_counter()
        rerun = seed_syndicate(results["sdec"][0], SDEC, "full")
        rerun_seconds = time.perf_counter() - clock

        syndicate, _, park_seconds, stats = results["sdec"]
        with tenant_context(syndicate):
            member = Member.objects.get(legal_name="Commune d'Anisy")
            template = Site.objects.filter(member=member, fluid="elec").first()
            assert template is not None
            fields = {name: getattr(template, name) for name in SiteData.__dataclass_fields__}
            clock = time.perf_counter()
            for i in range(LOOP_SITES):
                site_create(**{**fields, "delivery_point": f"9{i:013d}", "site_name": f"Boucle {i}"})
            service_loop = time.perf_counter() - clock
            clock = time.perf_counter()
            for i in range(LOOP_SITES):
                Site(**{**fields, "delivery_point": f"8{i:013d}", "site_name": f"Boucle {i}"}).save()
            save_loop = time.perf_counter() - clock
            Site.objects.filter(site_name__startswith="Boucle ").delete()

    sites = stats.sites_created
    bulk_per_site = stats.timings["sites"] / sites
    service_total = service_loop / LOOP_SITES * sites
    save_total = save_loop / LOOP_SITES * sites
    siege = results["siege"]
    lines = [
        "",
        "## Demo seed (park)",
        "",
        f"### Full-scale park seed ({dt.date.today().isoformat()}, vm, 2 cores shared with other engineers' work)",
        "",
        f"- fresh database: `migrate_schemas --shared` {migrate_seconds:.1f} s; public tenant + account manager "
        f"{public_seconds:.1f} s",
        f"- **sdec**: schema creation (migrations) {results['sdec'][1]:.1f} s; park **{park_seconds:.1f} s** for "
        f"{stats.members} members, {stats.contacts_created} contacts, {stats.elec_sites} electricity + "
        f"{stats.gas_sites} gas sites, {stats.users_created} accounts",
        f"  - phases (s): {stats.timings}",
        f"- **siege**: schema {siege[1]:.1f} s; park {siege[2]:.1f} s ({siege[3].members} members, "
        f"{siege[3].elec_sites + siege[3].gas_sites} sites)",
        f"- idempotent rerun of sdec (plans everything, finds everything, writes nothing): {rerun_seconds:.1f} s, "
        f"{rerun.sites_created} sites created",
        f"- sites, bulk (validate all rows, then `bulk_create` by 2,000): {stats.timings['sites']:.2f} s for {sites} "
        f"sites = {bulk_per_site * 1000:.2f} ms/site",
        f"- the obvious way, measured on {LOOP_SITES} sites and extrapolated to {sites}: one `site_create` per site "
        f"{service_loop:.1f} s → {service_total:.0f} s (**×{service_total / stats.timings['sites']:.0f}**); one plain "
        f"`Site.save()` per site {save_loop:.1f} s → {save_total:.0f} s (×{save_total / stats.timings['sites']:.0f})",
    ]
    path = Path(__file__).resolve().parent / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
