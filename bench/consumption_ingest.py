"""Ingestion throughput: a distributor load-curve file through ``meter_file_ingest`` against raw COPY and INSERT.

Same rows, same table (``consumption_loadcurvepoint``, partitioned, primary key in place):
- raw COPY: the already-parsed rows sent with binary COPY, nothing else (the ceiling);
- ours: the CSV file's bytes → parse, validate (park lookup, DST-correct timestamps,
  duplicates, plausibility) → COPY → report; then the same file sent again (the stored
  rows read back and compared: nothing written);
- the obvious way: one ``INSERT`` per row (measured on a 10,000-row slice: a rate).
Also a daily-index file (2,000 sites × 90 days): ours (parse, validate, differences
with the stored neighbours, readings + daily energy + rollups) against a raw binary
COPY of the rows it ends up as (the readings and the daily energy, nothing else), and
the same file sent again.
Raw COPY, the INSERT loop and ours alternate, three rounds, and every ratio is a ratio
of the medians (the machine is shared). Target (QUALITY.md item 20): ours ≥ 50 % of raw
COPY throughput.

    DATABASE_URL=... .venv/bin/python -m bench.consumption_ingest [--sites 60] [--only curve|index]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from bench.common import BenchRun, Laps, alternate, bench_database, timed
from bench.consumption_common import syndicate_with_park

INSERT_SLICE = 10_000
REPEATS = 3


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


def _alternated(cases: dict[str, Callable[[], Any]], truncate: Callable[[], None]) -> Laps:
    """The cases alternated, the table emptied after each run but the very last (ours: its rows stay)."""
    left = [REPEATS * len(cases)]

    def after(_name: str) -> None:
        left[0] -= 1
        if left[0]:
            truncate()

    return alternate(cases, repeats=REPEATS, after=after)


def _curve_bench(sites: list[Any], rng: Any) -> list[str]:
    import numpy as np
    from django.db import connection, transaction

    from consumption.copy import binary_copy_payload, copy_binary
    from consumption.services import meter_file_ingest

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

    def raw_copy() -> None:
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

    def insert_loop() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for i in range(INSERT_SLICE):
                cursor.execute(
                    "INSERT INTO consumption_loadcurvepoint (site_id, ends_at, power_w, step_minutes, "
                    "utc_offset_minutes) VALUES (%s, %s, %s, %s, %s)",
                    [int(ids[i]), utc[i].item().replace(tzinfo=dt.UTC), int(power[i]), 30, 60],
                )

    def ours() -> Any:
        report = meter_file_ingest(content=content, file_name="cdc.csv")
        assert report.inserted_rows == rows, report.messages
        return report

    laps = _alternated({"raw": raw_copy, "insert": insert_loop, "ours": ours}, truncate)
    resent, again = timed(lambda: meter_file_ingest(content=content, file_name="cdc-bis.csv"))
    assert (again.inserted_rows, again.updated_rows) == (0, 0)
    truncate()
    raw, mine = laps.median("raw"), laps.median("ours")
    ours_rate, raw_rate, loop_rate = rows / mine, rows / raw, INSERT_SLICE / laps.median("insert")
    return [
        f"- load-curve CSV: {rows:,} rows ({len(sites)} sites × 1 year × 30 min, {len(content) / 1e6:.0f} MB)",
        f"- raw binary COPY of the parsed rows: {raw:.2f} s = {raw_rate:,.0f} rows/s (median of {REPEATS}: "
        f"{laps.runs('raw')})",
        f"- **meter_file_ingest (parse + validate + COPY + report): {mine:.2f} s = {ours_rate:,.0f} rows/s = "
        f"{ours_rate / raw_rate:.0%} of raw COPY** (target ≥ 50 %; median of {REPEATS}: {laps.runs('ours')}); "
        f"steps of the last {laps.results['ours'].timings}",
        f"- same file sent again (stored rows read back, nothing written): {resent:.2f} s = "
        f"{rows / resent:,.0f} rows/s",
        f"- row-by-row INSERT loop ({INSERT_SLICE:,} rows, median of {REPEATS}: {laps.runs('insert')}): "
        f"{loop_rate:,.0f} rows/s → **ours is ×{ours_rate / loop_rate:.0f}**",
    ]


def _index_bench(sites: list[Any]) -> list[str]:
    import numpy as np
    import pandas as pd
    from django.db import connection, transaction

    from consumption.copy import binary_copy_payload, copy_binary
    from consumption.services import meter_file_ingest

    days = 90
    content = _index_file([s.delivery_point for s in sites], days)
    frame = pd.read_csv(io.BytesIO(content), sep=";", dtype={"point": str})
    site_of = {s.delivery_point: s.pk for s in sites}
    site_ids = frame["point"].map(site_of).to_numpy(np.int64)
    read_on = pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[D]")
    index_wh = frame["index_wh"].to_numpy(np.int64)
    # The daily energy the file ends up as: every day but the first of each site.
    later = np.r_[False, site_ids[1:] == site_ids[:-1]]
    kwh = np.diff(index_wh, prepend=0)[later] / 1000.0

    def truncate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE consumption_reading, consumption_dailyenergy, consumption_monthlyenergy, "
                "consumption_syndicatemonthlyenergy"
            )

    meter_file_ingest(content=content[:100_000].rsplit(b"\n", 1)[0], file_name="warm-up.csv")
    truncate()
    count = len(frame)

    def raw_copy() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            readings = binary_copy_payload(
                [
                    ("int8", site_ids),
                    ("date", read_on),
                    ("text", np.full(count, "daily", dtype=object)),
                    ("text", np.full(count, "BASE", dtype=object)),
                    ("text", np.full(count, "real", dtype=object)),
                    ("int8", index_wh),
                    ("bool", np.zeros(count, bool)),
                ]
            )
            copy_binary(
                cursor,
                "consumption_reading",
                ["site_id", "read_on", "source", "post", "nature", "index_wh", "meter_turnover"],
                readings,
            )
            energy = binary_copy_payload([("int8", site_ids[later]), ("date", read_on[later]), ("float8", kwh)])
            copy_binary(cursor, "consumption_dailyenergy", ["site_id", "day", "kwh"], energy)

    def ours() -> Any:
        report = meter_file_ingest(content=content, file_name="index.csv")
        assert report.inserted_rows == count + int(later.sum()), (report.inserted_rows, report.messages)
        return report

    laps = _alternated({"raw": raw_copy, "ours": ours}, truncate)
    resent, again = timed(lambda: meter_file_ingest(content=content, file_name="index-bis.csv"))
    assert (again.inserted_rows, again.updated_rows) == (0, 0)
    truncate()
    raw, mine = laps.median("raw"), laps.median("ours")
    ours_rate, raw_rate = count / mine, count / raw
    return [
        f"- daily-index CSV: {count:,} rows ({len(sites):,} sites × {days} days, one post; "
        f"{len(content) / 1e6:.0f} MB) → {count:,} readings + {int(later.sum()):,} days of energy",
        f"- raw binary COPY of those readings and daily energy rows: {raw:.2f} s = {raw_rate:,.0f} file rows/s "
        f"(median of {REPEATS}: {laps.runs('raw')})",
        f"- **meter_file_ingest (parse + validate + differences + COPY + rollups + report): {mine:.2f} s = "
        f"{ours_rate:,.0f} rows/s = {ours_rate / raw_rate:.0%} of raw COPY** (target ≥ 50 %; median of "
        f"{REPEATS}: {laps.runs('ours')}); steps of the last {laps.results['ours'].timings}",
        f"- same file sent again (stored rows read back, nothing written): {resent:.2f} s = "
        f"{count / resent:,.0f} rows/s; steps {again.timings}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=60)
    parser.add_argument("--only", choices=["curve", "index"], help="run one of the two files only")
    args = parser.parse_args()
    run = BenchRun("Ingestion throughput")
    lines: list[str] = []
    with bench_database("consumption"):
        import numpy as np
        from django_tenants.utils import tenant_context

        from perimeter.models import Site

        syndicate, _park = syndicate_with_park()
        rng = np.random.default_rng(5)
        with tenant_context(syndicate):
            base_sites = Site.objects.filter(fluid="elec", tariff_option="BASE").order_by("id")
            if args.only != "index":
                lines += _curve_bench(list(base_sites[: args.sites]), rng)
            if args.only != "curve":
                lines += _index_bench(list(base_sites[:2000]))
    run.report(lines)


if __name__ == "__main__":
    main()
