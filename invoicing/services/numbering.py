"""Invoice numbers: one continuous series per syndicate and year, assigned at issue.

The series is the tenant's ``InvoiceCounter`` row of the year (the counter table lives in
the syndicate's schema, so a series is per syndicate by construction). Invoices and credit
notes share one series: the law asks for a continuous chronological numbering, and one
series for both is the simplest one that is (a credit note is told apart by its kind, not
by its number).

A number is taken by one statement — ``INSERT … ON CONFLICT (year) DO UPDATE SET
last_number = last_number + n RETURNING last_number`` — which creates the year's row
race-safely and holds its row lock until the caller's transaction ends: a concurrent
issuer waits, and a transaction that rolls back gives its numbers back (the next one gets
the same numbers), so the committed numbers have no gap. Call it inside the transaction
that writes the invoice, as late as possible (the lock serialises issuers).

Format: ``<SYNDICATE CODE>-<year>-<6 digits>``, e.g. ``SDEC-2026-000042`` (the code
upper-cased and cut to 18 characters so the number fits its 30-character column).
"""

from __future__ import annotations

from django.db import connection

from invoicing.models import InvoiceCounter
from tenants.db import connection as tenant_connection

CODE_MAX = 18


def series_prefix(year: int) -> str:
    code = str(getattr(tenant_connection.tenant, "code", tenant_connection.schema_name))
    return f"{code.upper()[:CODE_MAX]}-{year:04d}-"


def format_number(year: int, sequence: int) -> str:
    return f"{series_prefix(year)}{sequence:06d}"


def invoice_numbers_take(*, year: int, count: int = 1) -> list[str]:
    """The next ``count`` numbers of the year's series, locked until the current transaction ends."""
    if count < 1:
        raise ValueError("count must be positive")
    if not connection.in_atomic_block:
        raise RuntimeError("invoice numbers are taken inside the transaction that issues the invoices")
    table = InvoiceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, %s) "
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + EXCLUDED.last_number "
            "RETURNING last_number",
            [year, count],
        )
        last = int(cursor.fetchone()[0])
    prefix = series_prefix(year)
    return [f"{prefix}{sequence:06d}" for sequence in range(last - count + 1, last + 1)]
