"""Monthly partitions of the big meter-data tables, created ahead of need.

Each partitioned table gets one partition per calendar month, named
``<table>_pYYYYMM``. The migration creates those of the last few years; the beat task
``consumption.tasks.partitions_ensure_all`` creates the coming months in every
syndicate; the ingestion creates the months a file reaches (old history included)
before loading it. There is no default partition on purpose: rows outside every
partition would make later ``CREATE … PARTITION OF`` fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import connection
from django.utils import timezone

# Partitioned table -> (partition column, column type).
PARTITIONED_TABLES: dict[str, str] = {
    "consumption_reading": "date",
    "consumption_dailyenergy": "date",
    "consumption_loadcurvepoint": "timestamptz",
}
HISTORY_YEARS = 3  # months created by the migration: from January, HISTORY_YEARS years back


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every month from the one holding ``first`` to the one holding ``last``, both included."""
    month, end = month_start(first), month_start(last)
    while month <= end:
        yield month
        month = add_months(month, 1)


def _bound(month: dt.date, kind: str) -> str:
    return f"'{month.isoformat()}'" if kind == "date" else f"'{month.isoformat()} 00:00:00+00'"


def existing_partitions() -> set[str]:
    """Names of the partitions of our tables in the current schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname
            FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            JOIN pg_namespace ns ON ns.oid = parent.relnamespace
            WHERE ns.nspname = current_schema() AND parent.relname = ANY(%s)
            """,
            [list(PARTITIONED_TABLES)],
        )
        return {row[0] for row in cursor.fetchall()}


def partitions_ensure_range(first: dt.date, last: dt.date) -> list[str]:
    """Create the missing monthly partitions of every table for ``first``..``last`` (current schema).

    Load-curve partitions are bounded by UTC months, so an interval ending at local
    midnight on the 1st lands in the previous month's partition: one month of margin
    is added on each side for that table.
    """
    existing = existing_partitions()
    created: list[str] = []
    with connection.cursor() as cursor:
        for table, kind in PARTITIONED_TABLES.items():
            low = add_months(month_start(first), -1) if kind == "timestamptz" else first
            high = add_months(month_start(last), 1) if kind == "timestamptz" else last
            for month in months_between(low, high):
                name = f"{table}_p{month:%Y%m}"
                if name in existing:
                    continue
                cursor.execute(
                    f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '
                    f"FOR VALUES FROM ({_bound(month, kind)}) TO ({_bound(add_months(month, 1), kind)})"
                )
                created.append(name)
    return created


def partitions_ensure(*, ahead_months: int = 3, today: dt.date | None = None) -> list[str]:
    """Create the partitions from this month to ``ahead_months`` months ahead (current schema)."""
    today = today or timezone.localdate()
    return partitions_ensure_range(month_start(today), add_months(month_start(today), ahead_months))


def partitions_ensure_history(*, ahead_months: int = 3, today: dt.date | None = None) -> list[str]:
    """What the migration creates: the last ``HISTORY_YEARS`` years and the coming months."""
    today = today or timezone.localdate()
    first = dt.date(today.year - HISTORY_YEARS, 1, 1)
    return partitions_ensure_range(first, add_months(month_start(today), ahead_months))
