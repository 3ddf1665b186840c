"""Chart queries over the full demo syndicate: median latency from the rollups against the raw daily table.

- the largest member's monthly curve over 12 months (``monthly_energy_for_member``);
- the whole syndicate's monthly totals over 36 months (``syndicate_monthly_totals``),
  also computed from the per-site rollup and from the raw daily table.
Targets (QUALITY.md item 21): < 100 ms each, from the rollups. JIT off.

    DATABASE_URL=... .venv/bin/python -m bench.consumption_queries
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.consumption_common import bench_database, results_append, syndicate_with_park

RUNS, RAW_RUNS = 30, 5


def _median_ms(call: Callable[[], Any], runs: int) -> float:
    call()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    with bench_database():
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
                def run() -> Any:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute("SET LOCAL jit = off")
                        cursor.execute(sql, params)
                        return cursor.fetchall()

                return run

            member_rollup = _median_ms(
                lambda: monthly_energy_for_member(largest.pk, first_month=first_month, last_month=last_month), RUNS
            )
            member_raw = _median_ms(
                raw(
                    "SELECT date_trunc('month', d.day), sum(d.kwh) FROM consumption_dailyenergy d "
                    "JOIN perimeter_site s ON s.id = d.site_id WHERE s.member_id = %s AND d.day >= %s AND d.day < %s "
                    "GROUP BY 1 ORDER BY 1",
                    [largest.pk, first_month, add_months(last_month, 1)],
                ),
                RAW_RUNS,
            )
            totals_rollup = _median_ms(
                lambda: syndicate_monthly_totals(first_month=first_all, last_month=last_month), RUNS
            )
            totals_site_rollup = _median_ms(
                raw(
                    "SELECT m.month, s.fluid, sum(m.kwh) FROM consumption_monthlyenergy m "
                    "JOIN perimeter_site s ON s.id = m.site_id WHERE m.month >= %s AND m.month <= %s "
                    "GROUP BY 1, 2 ORDER BY 1, 2",
                    [first_all, last_month],
                ),
                RUNS,
            )
            totals_raw = _median_ms(
                raw(
                    "SELECT date_trunc('month', d.day), s.fluid, sum(d.kwh) FROM consumption_dailyenergy d "
                    "JOIN perimeter_site s ON s.id = d.site_id WHERE d.day >= %s AND d.day < %s "
                    "GROUP BY 1, 2 ORDER BY 1, 2",
                    [first_all, add_months(last_month, 1)],
                ),
                RAW_RUNS,
            )
            sites = largest.n
    lines = [
        f"### Chart queries ({dt.date.today()}, {platform.node()}, 2 shared cores; {stats.daily_rows:,} daily rows)",
        "",
        f"- **largest member ({sites} sites), 12-month curve from the rollup: {member_rollup:.1f} ms** median "
        f"(target < 100 ms); raw daily table: {member_raw:.0f} ms (×{member_raw / member_rollup:.0f})",
        f"- **whole syndicate monthly totals (35 months × 2 fluids), syndicate rollup: {totals_rollup:.1f} ms** "
        f"(target < 100 ms); from the per-site rollup: {totals_site_rollup:.1f} ms; raw daily table: "
        f"{totals_raw:.0f} ms (×{totals_raw / totals_rollup:.0f})",
        "",
    ]
    print("\n".join(lines))
    results_append(lines)


if __name__ == "__main__":
    main()
