"""Demo generation benchmark: three years of daily energy for 12,967 sites (≈ 14 million rows).

Target (QUALITY.md item 20): the full demo seed, 14 M daily rows included, in < 5 minutes.
Reported: each step of ``generate_demo_consumption`` and the rows generated (one run:
a target, not a comparison).

    DATABASE_URL=... .venv/bin/python -m bench.consumption_seed
"""

from __future__ import annotations

import time

from bench.common import BenchRun, bench_database
from bench.consumption_common import syndicate_with_park


def main() -> None:
    run = BenchRun("Demo generation")
    with bench_database("consumption"):
        from consumption.demo import generate_demo_consumption

        syndicate, park = syndicate_with_park()
        start = time.perf_counter()
        stats = generate_demo_consumption(syndicate, 1.0)
        seconds = time.perf_counter() - start
    rate = stats.daily_rows / stats.timings["copy_daily"]
    run.report(
        [
            f"- park: {park['sites']} sites (bulk-created in {park['park_seconds']} s, not part of this measure)",
            f"- daily energy: {stats.daily_rows:,} rows ({stats.first_day} → {stats.last_day}); "
            f"binary COPY partition by partition at {rate:,.0f} rows/s",
            f"- readings: {stats.reading_rows:,} rows; load curves: {stats.load_curve_rows:,} points on "
            f"{stats.load_curve_sites} sites",
            f"- steps (s): {stats.timings}",
            f"- **total generate_demo_consumption: {seconds:.1f} s** (target for the whole seed: < 300 s)",
        ]
    )


if __name__ == "__main__":
    main()
