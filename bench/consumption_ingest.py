"""Ingestion throughput: a distributor load-curve file through ``meter_file_ingest`` against raw COPY and INSERT.

Same rows, same table (``consumption_loadcurvepoint``, partitioned, primary key in place):
- raw COPY: the already-parsed rows sent with binary COPY, nothing else (the ceiling);
- ours: the CSV file's bytes → parse, validate (park lookup, DST-correct timestamps,
  duplicates, plausibility) → COPY → report; then the same file sent again (temp table
  + upsert that changes nothing);
- the obvious way: one ``INSERT`` per row (measured on a slice, rows/s extrapolated).
Also a daily-index file (differences, readings, daily energy and rollups).
Target (QUALITY.md item 20): ours ≥ 50 % of raw COPY throughput.

    DATABASE_URL=... .venv/bin/python -m bench.consumption_ingest [--sites 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time
from typing import Any

from bench.consumption_common import bench_database, results_append, syndicate_with_park

INSERT_SLICE = 20_000


def _curve_file(points: list[str], rng: Any) -> tuple[bytes, Any]:
    import numpy as np
    import pandas as pd

    ends = pd.date_range("2025-01-01 00:30", "2026-01-01 00:00", freq="30min", tz="Europe/Paris")
    local = ends.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"(\d{2})(\d{2})$", r"\1:\2", regex=True)
    frame = pd.DataFrame(
        {
            "point": np.repeat(points, len(ends)),
            "horodate": np.tile(np.asarray(local), len(points)),
            "puissance_w": rng.integers(200, 9000, len(points) * len(ends)),
            "pas_minutes": 30,
        }
    )
    return frame.to_csv(sep=";", index=False).encode(), ends


def _index_file(points: list[str], days: int) -> bytes:
    import numpy as np
    import pandas as pd

    dates = pd.date_range("2025-01-01", periods=days, freq="D").strftime("%Y-%m-%d")
    steps = np.random.default_rng(3).integers(5_000, 60_000, (len(points), days)).cumsum(axis=1) + 1_000_000
    frame = pd.DataFrame(
        {
            "point": np.repeat(points, days),
            "date": np.tile(np.asarray(dates), len(points)),
            "poste": "BASE",
            "index_wh": steps.ravel(),
        }
    )
    return frame.to_csv(sep=";", index=False).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=60)
    args = parser.parse_args()
    with bench_database():
        import numpy as np
        from django.db import connection, transaction
        from django_tenants.utils import tenant_context

        from consumption.copy import binary_copy_payload, copy_binary
        from consumption.services import meter_file_ingest
        from perimeter.models import Site

        syndicate, _park = syndicate_with_park()
        rng = np.random.default_rng(5)
        with tenant_context(syndicate):
            sites = list(Site.objects.filter(fluid="elec", tariff_option="BASE").order_by("id")[: args.sites])
            points = [s.delivery_point for s in sites]
            content, ends = _curve_file(points, rng)
            rows = len(points) * len(ends)
            ids = np.repeat([s.pk for s in sites], len(ends))
            utc = np.tile(ends.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[us]"), len(points))
            power = rng.integers(200, 9000, rows)

            def truncate() -> None:
                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE consumption_loadcurvepoint")

            meter_file_ingest(content=content[:200_000].rsplit(b"\n", 1)[0], file_name="warm-up.csv")
            truncate()
            start = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                payload = binary_copy_payload(
                    [
                        ("int8", ids),
                        ("timestamptz", utc),
                        ("int4", power),
                        ("int2", np.full(rows, 30)),
                        ("int2", np.full(rows, 60)),
                    ]
                )
                copy_binary(
                    cursor,
                    "consumption_loadcurvepoint",
                    ["site_id", "ends_at", "power_w", "step_minutes", "utc_offset_minutes"],
                    payload,
                )
            raw = time.perf_counter() - start
            truncate()

            start = time.perf_counter()
            report = meter_file_ingest(content=content, file_name="cdc.csv")
            ours = time.perf_counter() - start
            assert report.inserted_rows == rows, report.messages
            start = time.perf_counter()
            again = meter_file_ingest(content=content, file_name="cdc-bis.csv")
            resent = time.perf_counter() - start
            assert (again.inserted_rows, again.updated_rows) == (0, 0)
            truncate()

            start = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                for i in range(INSERT_SLICE):
                    cursor.execute(
                        "INSERT INTO consumption_loadcurvepoint (site_id, ends_at, power_w, step_minutes, "
                        "utc_offset_minutes) VALUES (%s, %s, %s, %s, %s)",
                        [int(ids[i]), utc[i].item().replace(tzinfo=dt.UTC), int(power[i]), 30, 60],
                    )
            loop_rate = INSERT_SLICE / (time.perf_counter() - start)

            index_sites = list(Site.objects.filter(fluid="elec", tariff_option="BASE").order_by("id")[:2000])
            index_content = _index_file([s.delivery_point for s in index_sites], 90)
            start = time.perf_counter()
            index_report = meter_file_ingest(content=index_content, file_name="index.csv")
            index_seconds = time.perf_counter() - start

    ours_rate, raw_rate = rows / ours, rows / raw
    lines = [
        f"### Ingestion throughput ({dt.date.today()}, {platform.node()}, 2 shared cores)",
        "",
        f"- load-curve CSV: {rows:,} rows ({args.sites} sites × 1 year × 30 min, {len(content) / 1e6:.0f} MB)",
        f"- raw binary COPY of the parsed rows: {raw:.2f} s = {raw_rate:,.0f} rows/s",
        f"- **meter_file_ingest (parse + validate + COPY + report): {ours:.2f} s = {ours_rate:,.0f} rows/s = "
        f"{ours_rate / raw_rate:.0%} of raw COPY** (target ≥ 50 %); steps {report.timings}",
        f"- same file sent again (temp table + upsert, 0 change): {resent:.2f} s = {rows / resent:,.0f} rows/s",
        f"- row-by-row INSERT loop: {loop_rate:,.0f} rows/s → ours is ×{ours_rate / loop_rate:.0f}",
        f"- daily-index CSV, {index_report.received_rows:,} rows (2,000 sites × 90 days): {index_seconds:.2f} s = "
        f"{index_report.received_rows / index_seconds:,.0f} rows/s (readings + daily energy + rollups); "
        f"steps {index_report.timings}",
        "",
    ]
    print("\n".join(lines))
    results_append(lines)


if __name__ == "__main__":
    main()
