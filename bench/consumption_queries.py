"""Chart queries over the full demo syndicate: median latency from the rollups against the raw daily table.

- the largest member's monthly curve over 12 months (``monthly_energy_for_member``);
- the whole syndicate's monthly totals over 36 months (``syndicate_monthly_totals``),
  also computed from the per-site rollup and from the raw daily table.
Targets (QUALITY.md item 21): < 100 ms each, from the rollups. JIT off. The rollup's
latency is a median of 30 calls; each ratio comes from the rollup and the raw query
alternated (rollup, raw, rollup…), five rounds, ratio of the medians.

    DATABASE_URL=... .venv/bin/python -m bench.consumption_queries
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import BenchRun, alternate, bench_database, median_ms
from bench.consumption_common import syndicate_with_park

RUNS, RAW_RUNS = 30, 5


def main() -> None:
    run = BenchRun("Chart queries")
    with bench_database("consumption"):
        from django.db import connection, transaction
        from django.db.models import Count
        from django_tenants.utils import tenant_context

        from consumption.demo import generate_demo_consumption
        from consumption.partitions import add_months, month_start
        from consumption.selectors import monthly_energy_for_member, syndicate_monthly_totals
        from perimeter.models import Member

        syndicate, _park = syndicate_with_park()
        stats = generate_demo_consumption(syndicate, 1.0)
        with tenant_context(syndicate):
            largest = Member.objects.annotate(n=Count("sites")).order_by("-n").first()
            assert largest is not None
            assert stats.last_day
            assert stats.first_day
            last_month = add_months(month_start(stats.last_day), -1)
            first_month = add_months(last_month, -11)
            first_all = add_months(month_start(stats.first_day), 1)

            def raw(sql: str, params: list[Any]) -> Callable[[], Any]:
                def query() -> Any:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute("SET LOCAL jit = off")
                        cursor.execute(sql, params)
                        return cursor.fetchall()

                return query

            def member_rollup() -> Any:
                return monthly_energy_for_member(largest.pk, first_month=first_month, last_month=last_month)

            def totals_rollup() -> Any:
                return syndicate_monthly_totals(first_month=first_all, last_month=last_month)

            member_ms, _ = median_ms(member_rollup, RUNS)
            totals_ms, _ = median_ms(totals_rollup, RUNS)
            member = alternate(
                {
                    "rollup": member_rollup,
                    "raw": raw(
                        "SELECT date_trunc('month', d.day), sum(d.kwh) FROM consumption_dailyenergy d "
                        "JOIN perimeter_site s ON s.id = d.site_id "
                        "WHERE s.member_id = %s AND d.day >= %s AND d.day < %s GROUP BY 1 ORDER BY 1",
                        [largest.pk, first_month, add_months(last_month, 1)],
                    ),
                },
                repeats=RAW_RUNS,
                warm_up=True,
            )
            totals = alternate(
                {
                    "rollup": totals_rollup,
                    "site_rollup": raw(
                        "SELECT m.month, s.fluid, sum(m.kwh) FROM consumption_monthlyenergy m "
                        "JOIN perimeter_site s ON s.id = m.site_id WHERE m.month >= %s AND m.month <= %s "
                        "GROUP BY 1, 2 ORDER BY 1, 2",
                        [first_all, last_month],
                    ),
                    "raw": raw(
                        "SELECT date_trunc('month', d.day), s.fluid, sum(d.kwh) FROM consumption_dailyenergy d "
                        "JOIN perimeter_site s ON s.id = d.site_id WHERE d.day >= %s AND d.day < %s "
                        "GROUP BY 1, 2 ORDER BY 1, 2",
                        [first_all, add_months(last_month, 1)],
                    ),
                },
                repeats=RAW_RUNS,
                warm_up=True,
            )
            sites = largest.n
    run.report(
        [
            f"- database: this bench's synthetic park and demo meter data, {stats.daily_rows:,} daily rows",
            f"- **largest member ({sites} sites), 12-month curve from the rollup: {member_ms:.1f} ms** median of "
            f"{RUNS} (target < 100 ms); alternated with the raw daily table, {RAW_RUNS} rounds: rollup "
            f"{member.median_ms('rollup'):.1f} ms, raw {member.median_ms('raw'):.0f} ms "
            f"(**×{member.ratio('raw', 'rollup'):.0f}**)",
            f"- **whole syndicate monthly totals (35 months × 2 fluids), syndicate rollup: {totals_ms:.1f} ms** "
            f"median of {RUNS} (target < 100 ms); alternated, {RAW_RUNS} rounds: syndicate rollup "
            f"{totals.median_ms('rollup'):.1f} ms, per-site rollup {totals.median_ms('site_rollup'):.1f} ms "
            f"(×{totals.ratio('site_rollup', 'rollup'):.0f}), raw daily table {totals.median_ms('raw'):.0f} ms "
            f"(**×{totals.ratio('raw', 'rollup'):.0f}**)",
        ]
    )


if __name__ == "__main__":
    main()
