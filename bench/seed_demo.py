"""Benchmark of the demo seed's park: the full seed on a fresh database, and the obvious way as a ratio.

Run: ``DATABASE_URL=… python -m bench.seed_demo``. Creates the throwaway database
``bench_seed`` on the server of ``DATABASE_URL``, migrates it, runs the full-scale
park seed (public tenant, account manager, ``sdec`` and ``siege``: schema creation,
then each phase of ``seed_syndicate``); then, for the ratios, the same 2,000 new sites
written by the bulk service, one ``site_create`` per site and one plain ``Site.save()``
per site, alternated, three rounds, rolled back (``bench.park_common``). Prints the
figures and drops the database. Meter data is not included (see the Consumption section).
"""

from __future__ import annotations

import time

from bench.common import BenchRun, bench_database
from bench.park_common import site_writes

LOOP_SITES = 2_000


def main() -> None:
    run = BenchRun("Full-scale park seed")
    with bench_database("seed", migrate=False):
        from django.core.management import call_command
        from django_tenants.utils import tenant_context

        from perimeter.demo import SDEC, SIEGE, account_manager_ensure, seed_syndicate
        from perimeter.models import Member, Site
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
            writes = site_writes(template, count=LOOP_SITES, service_loop=True)

    sites = stats.sites_created
    siege = results["siege"]
    bulk = writes.median("bulk")
    run.report(
        [
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
            "- sites in the seed, bulk (validate all rows, then `bulk_create` by 2,000): "
            f"{stats.timings['sites']:.2f} s for {sites} sites = {stats.timings['sites'] / sites * 1000:.2f} ms/site",
            f"- the same {LOOP_SITES:,} new sites three ways, alternated, rolled back, median of "
            f"{len(writes.seconds['bulk'])} each: bulk service {bulk:.2f} s ({writes.runs('bulk')}); one "
            f"`site_create` per site {writes.median('service'):.2f} s ({writes.runs('service')}, "
            f"**×{writes.ratio('service', 'bulk'):.0f}**); one plain `Site.save()` per site "
            f"{writes.median('save'):.2f} s ({writes.runs('save')}, ×{writes.ratio('save', 'bulk'):.0f})",
        ]
    )


if __name__ == "__main__":
    main()
