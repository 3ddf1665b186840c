"""Export benchmark: 1,000,000 rows × 15 columns streamed from PostgreSQL to XLSX.

Rows come from generate_series (no table needed) through a server-side cursor. Each
writer runs in its own process so that its peak RSS is its own: our streaming writer
(spreadsheets.xlsx.write_xlsx) against plain XlsxWriter in constant_memory mode.

- our writer alone on ``--rows`` (1,000,000): median of ``--repeats`` runs (the target);
- the ratio: both writers on the same ``--ratio-rows`` rows (200,000 by default: a
  1,000,000-row XlsxWriter run takes minutes), alternated (ours, XlsxWriter, ours…),
  ``--repeats`` runs each, ratio of the medians. ``--ratio-rows 1000000`` compares at
  full size (then the first phase is not run again).

    DATABASE_URL=... .venv/bin/python -m bench.exports_million [--rows N] [--ratio-rows N] [--repeats 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from bench.common import BenchRun, alternate

SQL = """
SELECT 'Site ' || n, 'Commune ' || (n %% 3000), 'Rue ' || (n %% 977) || ' des Lilas', 'PRM' || lpad(n::text, 11, '0'),
       CASE WHEN n %% 1000 = 0 THEN '=1+2' ELSE 'C5' END,
       n, n %% 36, (n * 7) %% 100000, n %% 2,
       DATE '2020-01-01' + (n %% 2000), DATE '2023-01-01' + (n %% 900), DATE '2025-01-01' + (n %% 365),
       (n %% 10000)::numeric / 100, (n %% 997)::numeric * 1.5, round((n %% 36)::numeric * 3, 1)
FROM generate_series(1, %s) AS n
"""


def _rows(url: str, count: int) -> Iterator[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor(name="bench_export") as cursor:
        cursor.itersize = 5000
        cursor.execute(SQL, [count])
        yield from cursor


def _columns() -> list[Any]:
    from spreadsheets.xlsx import DATE, DECIMAL, NUMBER, TEXT, Column

    return (
        [Column(f"Texte {i}", 18, TEXT) for i in range(5)]
        + [Column(f"Nombre {i}", 10, NUMBER) for i in range(4)]
        + [Column(f"Date {i}", 12, DATE) for i in range(3)]
        + [Column(f"Décimal {i}", 12, DECIMAL) for i in range(3)]
    )


def run_ours(url: str, count: int, out: str) -> dict[str, float]:
    from spreadsheets.xlsx import write_xlsx

    start = time.perf_counter()
    result = write_xlsx(out, columns=_columns(), rows=_rows(url, count), sheet_title="Bench")
    return {"seconds": time.perf_counter() - start, "rows": result.rows, "sheets": result.sheets}


def run_xlsxwriter(url: str, count: int, out: str) -> dict[str, float]:
    import xlsxwriter

    start = time.perf_counter()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet("Bench")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    columns = _columns()
    for c, column in enumerate(columns):
        sheet.write_string(0, c, column.header)
        sheet.set_column(c, c, column.width, date_format if column.kind == "date" else None)
    r = 0
    for r, row in enumerate(_rows(url, count), start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif 9 <= c <= 11:
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write_number(r, c, float(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, r, len(columns) - 1)
    workbook.close()
    return {"seconds": time.perf_counter() - start, "rows": r, "sheets": 1}


def _child(name: str, url: str, count: int, queue: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, f"{name}.xlsx")
        stats = (run_ours if name == "ours" else run_xlsxwriter)(url, count, out)
        stats["size_mb"] = os.path.getsize(out) / 1e6
    stats["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(stats)


def measure(name: str, url: str, count: int) -> dict[str, float]:
    queue: Any = multiprocessing.Queue()
    process = multiprocessing.Process(target=_child, args=(name, url, count, queue))
    process.start()
    stats = queue.get()
    process.join()
    return stats


def _runs(stats: list[dict[str, float]]) -> str:
    return ", ".join(f"{s['seconds']:.1f}" for s in stats) + " s"


def _peak(stats: list[dict[str, float]]) -> float:
    return statistics.median(s["peak_rss_mb"] for s in stats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ratio-rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    run = BenchRun(f"Exports, {args.rows:,} rows × 15 columns")
    url = os.environ["DATABASE_URL"]
    # Each child records its own wall time; the laps of alternate() keep the order and the stats.
    stats: dict[str, list[dict[str, float]]] = {"ours": [], "xlsxwriter": [], "ours_full": []}

    def writer(name: str, count: int, key: str) -> Any:
        def call() -> None:
            stats[key].append(measure(name, url, count))
            run.note(f"{key}: {stats[key][-1]['seconds']:.1f} s")

        return call

    alternate(
        {
            "ours": writer("ours", args.ratio_rows, "ours"),
            "xlsxwriter": writer("xlsxwriter", args.ratio_rows, "xlsxwriter"),
        },
        repeats=args.repeats,
    )
    if args.ratio_rows == args.rows:
        stats["ours_full"] = stats["ours"]
    else:
        alternate({"ours_full": writer("ours", args.rows, "ours_full")}, repeats=args.repeats)
    full = stats["ours_full"]
    ours_s = statistics.median(s["seconds"] for s in stats["ours"])
    base_s = statistics.median(s["seconds"] for s in stats["xlsxwriter"])
    base = stats["xlsxwriter"][-1]
    run.report(
        [
            "- source: generate_series through a psycopg server-side cursor (5 text, 4 integer, 3 date, 3 numeric "
            "columns); each writer in its own process (its peak RSS is its own)",
            f"- **streaming writer (`spreadsheets.xlsx.write_xlsx`), {args.rows:,} rows: "
            f"{statistics.median(s['seconds'] for s in full):.1f} s, peak RSS {_peak(full):.0f} MB**, "
            f"{full[-1]['size_mb']:.0f} MB file (median of {len(full)}: {_runs(full)}) — targets ≤ 60 s and < 500 MB",
            f"- same run, both writers on the same {args.ratio_rows:,} rows, alternated, median of {args.repeats} "
            "each: "
            f"ours {ours_s:.1f} s ({_runs(stats['ours'])}), peak RSS {_peak(stats['ours']):.0f} MB; "
            f"XlsxWriter constant_memory {base_s:.1f} s ({_runs(stats['xlsxwriter'])}), peak RSS "
            f"{_peak(stats['xlsxwriter']):.0f} MB, {base['size_mb']:.0f} MB file",
            f"- **ratio ours / XlsxWriter: time ×{ours_s / base_s:.2f}, memory "
            f"×{_peak(stats['ours']) / _peak(stats['xlsxwriter']):.2f}** (XlsxWriter ×{base_s / ours_s:.1f} slower)",
        ]
    )


if __name__ == "__main__":
    main()
