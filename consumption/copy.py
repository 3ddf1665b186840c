"""Bulk loading with PostgreSQL COPY: a vectorised binary encoder and decoder, the upsert through a temp table.

``binary_copy_payload`` builds the COPY BINARY stream straight from NumPy arrays (one
structured array per group of rows, no Python loop per row): the same bytes a
row-by-row ``copy.write_row`` would send, an order of magnitude faster. Fixed-width
columns go in as they are; text columns (short codes: a post, a nature, a source) are
supported when they hold few distinct values: the rows are grouped by their
combination of texts, so that inside a group every row has the same width (COPY does
not care about the order of the rows). ``fetch_arrays`` reads a query's result
back as arrays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection

_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_TRAILER = (-1).to_bytes(2, "big", signed=True)
_PG_EPOCH_DAY = np.datetime64("2000-01-01", "D")
_PG_EPOCH_US = np.datetime64("2000-01-01T00:00:00", "us")
_FORMATS = {
    "int8": ">i8",
    "int4": ">i4",
    "int2": ">i2",
    "float8": ">f8",
    "date": ">i4",
    "timestamptz": ">i8",
    "bool": "?",
}
CHUNK_BYTES = 8 * 1024 * 1024


def _pg_values(kind: str, values: np.ndarray) -> np.ndarray:
    if kind == "date":
        return (values.astype("datetime64[D]") - _PG_EPOCH_DAY).astype(np.int64)
    if kind == "timestamptz":  # naive datetime64 holding UTC instants
        return (values.astype("datetime64[us]") - _PG_EPOCH_US).astype(np.int64)
    if kind == "bool":
        return values.astype(bool)
    return values


def _from_pg(kind: str, values: np.ndarray) -> np.ndarray:
    if kind == "date":
        return _PG_EPOCH_DAY + values.astype(np.int64)
    if kind == "timestamptz":
        return _PG_EPOCH_US + values.astype(np.int64)
    return values.astype(np.dtype(_FORMATS[kind]).newbyteorder("="))


def _packed(columns: Sequence[tuple[str, np.ndarray]], texts: dict[int, bytes], rows: int) -> bytes:
    """Tuples of fixed-width columns; the columns listed in ``texts`` hold that same text on every row."""
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, (kind, _values) in enumerate(columns):
        if i in texts:
            fields.append((f"len{i}", ">i4"))
            if texts[i]:
                fields.append((f"val{i}", f"S{len(texts[i])}"))
        else:
            fields += [(f"len{i}", ">i4"), (f"val{i}", _FORMATS[kind])]
    packed = np.empty(rows, dtype=np.dtype(fields))
    packed["count"] = len(columns)
    for i, (kind, values) in enumerate(columns):
        if i in texts:
            packed[f"len{i}"] = len(texts[i])
            if texts[i]:
                packed[f"val{i}"] = texts[i]
        else:
            packed[f"len{i}"] = np.dtype(_FORMATS[kind]).itemsize
            packed[f"val{i}"] = _pg_values(kind, values)
    return packed.tobytes()


def binary_copy_payload(columns: Sequence[tuple[str, np.ndarray]]) -> bytes:
    """COPY BINARY bytes for columns given as (pg type, array); no NULLs (our tables have none).

    A ``"text"`` column is an array of ``str``; with text columns the rows are sent
    grouped by their combination of texts (in file order inside a group).
    """
    rows = len(columns[0][1]) if columns else 0
    text_columns = [i for i, (kind, _values) in enumerate(columns) if kind == "text"]
    if not text_columns:
        return _HEADER + _packed(columns, {}, rows) + _TRAILER
    factorized = [pd.factorize(np.asarray(columns[i][1], dtype=object)) for i in text_columns]
    shape = tuple(max(1, len(uniques)) for _codes, uniques in factorized)
    combined = np.ravel_multi_index(tuple(codes for codes, _uniques in factorized), shape) if rows else np.empty(0)
    order = np.argsort(combined, kind="stable")
    groups, starts = np.unique(combined[order], return_index=True)
    parts = [_HEADER]
    for group, start, end in zip(groups, starts, [*starts[1:], rows], strict=True):
        positions = order[start:end]
        group_codes = np.unravel_index(int(group), shape)
        texts = {
            column: str(uniques[code]).encode()
            for column, code, (_codes, uniques) in zip(text_columns, group_codes, factorized, strict=True)
        }
        subset = [
            (kind, values if i in texts else np.asarray(values)[positions]) for i, (kind, values) in enumerate(columns)
        ]
        parts.append(_packed(subset, texts, len(positions)))
    parts.append(_TRAILER)
    return b"".join(parts)


_SEND = {
    "int8": "int8send",
    "int4": "int4send",
    "int2": "int2send",
    "float8": "float8send",
    "date": "date_send",
    "timestamptz": "timestamptz_send",
    "bool": "boolsend",
}


def fetch_arrays(cursor: Any, query: str, params: Sequence[Any], kinds: Sequence[str]) -> list[np.ndarray]:
    """The result of ``query`` as one NumPy array per column, without a Python object per row.

    PostgreSQL packs the rows into one ``bytea`` (each value in its binary send
    format: the bytes COPY BINARY would carry, without the per-row framing; a COPY
    TO would cost one protocol message, hence one Python call, per row). The columns
    must be of the fixed-width ``kinds`` given and never NULL: map text to codes and
    wrap nullable expressions in ``coalesce`` inside the query.
    """
    names = [f"c{i}" for i in range(len(kinds))]
    packed = " || ".join(f"{_SEND[kind]}({name})" for kind, name in zip(kinds, names, strict=True))
    cursor.execute(
        f"SELECT coalesce(string_agg({packed}, ''::bytea), ''::bytea), count(*) "
        f"FROM ({query}) AS q ({', '.join(names)})",
        params,
    )
    data, count = cursor.fetchone()
    dtype = np.dtype([(name, _FORMATS[kind]) for kind, name in zip(kinds, names, strict=True)])
    if len(data) != count * dtype.itemsize:  # string_agg skips a row holding a NULL
        raise ValueError("fetch_arrays: a column is NULL or not of the declared type")
    rows = np.frombuffer(data, dtype=dtype)
    return [_from_pg(kind, rows[name]) for kind, name in zip(kinds, names, strict=True)]


def copy_binary(cursor: Any, table: str, names: Sequence[str], payload: bytes) -> None:
    """Send a COPY BINARY payload (Django cursor: ``copy`` reaches psycopg 3's cursor)."""
    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy:
        view = memoryview(payload)
        for start in range(0, len(view), CHUNK_BYTES):
            copy.write(view[start : start + CHUNK_BYTES])


def lock_tenant_ingestion(cursor: Any) -> None:
    """Serialise the meter-data writes of one syndicate (until the end of the transaction)."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':consumption-write'))")


def copy_upsert(
    *,
    table: str,
    columns: Sequence[tuple[str, str, np.ndarray]],
    key: Sequence[str],
    range_column: str,
    range_bounds: tuple[dt.date | dt.datetime, dt.date | dt.datetime],
    site_ids: Sequence[int],
) -> tuple[int, int]:
    """Load rows into a partitioned table; a row already there with the same values is left alone.

    ``columns``: (name, pg type, array). Returns (inserted, updated). The rows the
    sites already have over the period are read back first (``fetch_arrays``): the
    new keys are copied straight into the table, the changed rows go through a temp
    table and ``INSERT … ON CONFLICT DO UPDATE``, the identical ones are not sent, so
    that a file sent twice writes nothing. With text columns (which cannot be read
    back as arrays) the check is only whether any row exists over the period: if
    none, a straight copy, otherwise everything goes through the temp table. Callers
    hold ``lock_tenant_ingestion`` so that what was read stays true.
    """
    rows = len(columns[0][2]) if columns else 0
    if rows == 0:
        return 0, 0
    names = [name for name, _kind, _values in columns]
    where = f"site_id = ANY(%s) AND {range_column} BETWEEN %s AND %s"
    params: list[Any] = [list(site_ids), *range_bounds]
    with connection.cursor() as cursor:
        if all(kind in _SEND for _name, kind, _values in columns):
            stored = fetch_arrays(
                cursor, f"SELECT {', '.join(names)} FROM {table} WHERE {where}", params, [k for _n, k, _v in columns]
            )
            new, changed = _against_stored(columns, key, stored)
        else:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {where})", params)
            anything = bool(cursor.fetchone()[0])
            new, changed = np.full(rows, not anything), np.full(rows, anything)
        inserted = updated = 0
        if new.any():
            copy_binary(cursor, table, names, binary_copy_payload([(k, np.asarray(v)[new]) for _n, k, v in columns]))
            inserted = int(new.sum())
        if changed.any():
            staging = f"staging_{table}"
            cursor.execute(f"CREATE TEMP TABLE {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
            payload = binary_copy_payload([(k, np.asarray(v)[changed]) for _n, k, v in columns])
            copy_binary(cursor, staging, names, payload)
            counts = upsert_from_staging(cursor, staging=staging, table=table, names=names, key=key)
            inserted, updated = inserted + counts[0], counts[1]
            cursor.execute(f"DROP TABLE {staging}")
    return inserted, updated


def _against_stored(
    columns: Sequence[tuple[str, str, np.ndarray]], key: Sequence[str], stored: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """(rows whose key is not stored, rows stored with another value) among ``columns``."""
    rows = len(columns[0][2])
    if not len(stored[0]):
        return np.ones(rows, bool), np.zeros(rows, bool)
    incoming = pd.DataFrame({name: values for name, _kind, values in columns})
    existing = pd.DataFrame({name: values for (name, _kind, _v), values in zip(columns, stored, strict=True)})
    position = (
        incoming[list(key)]
        .merge(existing[list(key)].assign(_position=np.arange(len(existing))), on=list(key), how="left")["_position"]
        .to_numpy()
    )
    found = ~np.isnan(position)
    same = found.copy()
    at = position[found].astype(np.int64)
    for name, _kind, _values in columns:
        if name not in key:
            same[found] &= existing[name].to_numpy()[at] == incoming[name].to_numpy()[found]
    return ~found, found & ~same


def upsert_from_staging(
    cursor: Any, *, staging: str, table: str, names: Sequence[str], key: Sequence[str]
) -> tuple[int, int]:
    """``INSERT … ON CONFLICT DO UPDATE`` only where a value differs; (inserted, updated).

    New keys are counted first (``xmax`` cannot be read on a partitioned table), under
    the tenant's ingestion lock, so the two counts are exact.
    """
    match = " AND ".join(f"t.{name} = s.{name}" for name in key)
    cursor.execute(f"SELECT count(*) FROM {staging} s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})")
    inserted = int(cursor.fetchone()[0])
    values = [name for name in names if name not in key]
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in values)
    changed = " OR ".join(f"t.{name} IS DISTINCT FROM EXCLUDED.{name}" for name in values)
    cursor.execute(
        f"""
        INSERT INTO {table} AS t ({", ".join(names)})
        SELECT {", ".join(names)} FROM {staging}
        ON CONFLICT ({", ".join(key)}) DO UPDATE SET {assignments} WHERE {changed}
        """
    )
    return inserted, cursor.rowcount - inserted
