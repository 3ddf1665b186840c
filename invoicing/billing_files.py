"""The billing files' row sources (issue 10 §1): Direct View, annual management sheet, billing summary.

Every source reads the issued invoices of a ``FileScope`` — the members the user sees
(``perimeter.selectors``), an accounting period, optionally one billing perimeter, site,
member or billing run — in one SQL statement streamed through a server-side cursor
(``connection.chunked_cursor``), so memory stays flat whatever the number of rows.

Sums are the invoices' to the cent. The VAT of an invoice is rounded per rate on the sum
of its base (EN 16931 BR-CO-17), so a line's (or a site's) VAT is an allocation: each
line gets its amount × rate rounded to the cent, and the rounding difference of each
(invoice, rate) goes to its largest line (``allocate_vat``). Rows of one invoice are
buffered to do so (bounded by the invoice's size).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404

from accounts.models import User
from billing_groups.routing_selectors import budget_reference_joins
from billing_groups.selectors import get_perimeter_for
from invoicing.choices import InvoiceKind, LineFamily
from invoicing.models import BillingRun
from perimeter.selectors import get_member_for, get_site_for, members_for

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
FETCH = 5_000
KINDS = {c.value: str(c.label) for c in InvoiceKind}


@dataclass(frozen=True)
class FileScope:
    """Which invoices a file covers (accounting dates ``first`` ≤ d < ``end``)."""

    member_ids: tuple[int, ...]
    first: dt.date
    end: dt.date
    perimeter_id: int | None = None
    site_id: int | None = None
    run_id: int | None = None


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def scope_for(
    user: User | Any,
    *,
    first: dt.date,
    end: dt.date,
    perimeter: int | None = None,
    site: int | None = None,
    member: int | None = None,
    run: int | None = None,
) -> FileScope:
    """The scope of a file for ``user``: a foreign perimeter, site, member or run raises Http404."""
    if member is not None:
        member_ids: tuple[int, ...] = (get_member_for(user, member).pk,)
    else:
        member_ids = tuple(members_for(user).order_by().values_list("pk", flat=True))
    perimeter_id = get_perimeter_for(user, perimeter).pk if perimeter is not None else None
    site_id = get_site_for(user, site).pk if site is not None else None
    run_id = None
    if run is not None:
        if not BillingRun.objects.filter(pk=run).exists():
            raise Http404("No such billing run")
        run_id = run
    return FileScope(member_ids, first, end, perimeter_id, site_id, run_id)


def _where(scope: FileScope) -> tuple[str, list[Any]]:
    clauses = ["i.member_id = ANY(%s)"]
    args: list[Any] = [list(scope.member_ids)]
    if scope.run_id is not None:
        clauses.append("i.run_id = %s")
        args.append(scope.run_id)
    else:
        clauses.append("i.accounting_date >= %s AND i.accounting_date < %s")
        args += [scope.first, scope.end]
    if scope.perimeter_id is not None:
        clauses.append("i.perimeter_id = %s")
        args.append(scope.perimeter_id)
    if scope.site_id is not None:
        clauses.append("s.site_id = %s")
        args.append(scope.site_id)
    return " AND ".join(clauses), args


def _stream(sql: str, args: list[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` from a server-side cursor, ``FETCH`` at a time.

    Inside a transaction: outside one, Django declares the cursor ``WITH HOLD`` and PostgreSQL
    computes the whole result before the first row (a minute's wait and a temporary file on a
    million rows); in one, rows flow as they are produced. Read-only: nothing to commit.
    """
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, args)
        while True:
            rows = cursor.fetchmany(FETCH)
            if not rows:
                return
            yield from rows


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def allocate_vat(items: Sequence[tuple[Decimal, Decimal, Decimal | None]]) -> list[Decimal]:
    """The VAT of each (rate, base, the invoice's VAT at that rate) item of ONE invoice, so that the
    items of each rate sum to the invoice's VAT at that rate: base × rate rounded, the remainder
    on the item of the largest base of the rate."""
    vats = [_round(base * rate / 100) for rate, base, _total in items]
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for index, (rate, _base, _total) in enumerate(items):
        by_rate[rate].append(index)
    for indexes in by_rate.values():
        total = items[indexes[0]][2]
        if total is None:
            continue
        gap = total - sum((vats[i] for i in indexes), ZERO)
        if gap:
            largest = max(indexes, key=lambda i: abs(items[i][1]))
            vats[largest] += gap
    return vats


SCOPES = ("perimeter", "site", "member")
SUMMARY_MAX_MONTHS = 6


def month_param(value: Any, name: str) -> dt.date:
    try:
        return dt.datetime.strptime(str(value), "%Y-%m").date().replace(day=1)
    except ValueError:
        raise ValidationError(f"« {name} » doit être un mois AAAA-MM.") from None


def positive_param(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"« {name} » doit être un identifiant.") from None
    if number < 1:
        raise ValidationError(f"« {name} » doit être un identifiant.")
    return number


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def clean_period(params: dict[str, Any], *, max_months: int | None, default_months: int) -> dict[str, Any]:
    """``first`` / ``last`` months (default: the ``default_months`` up to the current month) and one scope."""
    last = month_param(params["last"], "last") if params.get("last") else dt.date.today().replace(day=1)
    first = month_param(params["first"], "first") if params.get("first") else _add_months(last, -(default_months - 1))
    if first > last:
        raise ValidationError("Le premier mois doit précéder le dernier.")
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if max_months is not None and months > max_months:
        raise ValidationError(f"La période du bilan de facturation est limitée à {max_months} mois.")
    cleaned: dict[str, Any] = {"first": first.isoformat()[:7], "last": last.isoformat()[:7]}
    scopes = [name for name in SCOPES if params.get(name)]
    if len(scopes) > 1:
        raise ValidationError("Choisissez un périmètre de facturation, un site ou un membre, pas plusieurs.")
    for name in scopes:
        cleaned[name] = positive_param(params[name], name)
    return cleaned


# --- Direct View: one row per invoice line ----------------------------------------------------

_YEAR = "extract(year from i.accounting_date)::int"
_BUDGET_JOINS, _BUDGET = budget_reference_joins(site="s.site_id", perimeter="i.perimeter_id", year=_YEAR)

DIRECT_VIEW_SQL = f"""
SELECT i.id, i.number, CASE i.kind WHEN %s THEN %s ELSE %s END, i.issue_date, i.accounting_date, bp.name,
       m.legal_name, m.siret, s.delivery_point, s.site_name, st.internal_reference, {_BUDGET},
       l.code, l.label, l.start, l."end", l.quantity, l.unit, l.unit_price, l.amount, l.vat_percent,
       round(l.amount * l.vat_percent / 100, 2), v.amount
FROM invoicing_invoiceline l
JOIN invoicing_invoice i ON i.id = l.invoice_id
JOIN invoicing_invoicesite s ON s.id = l.invoice_site_id
JOIN perimeter_site st ON st.id = s.site_id
JOIN billing_groups_billingperimeter bp ON bp.id = i.perimeter_id
JOIN perimeter_member m ON m.id = i.member_id
LEFT JOIN invoicing_invoicevat v ON v.invoice_id = i.id AND v.percent = l.vat_percent
{_BUDGET_JOINS}
WHERE {{where}}
ORDER BY i.accounting_date, i.number, s.position, l.position
"""
# Columns of a Direct View row in the statement above.
_AMOUNT, _RATE, _VAT, _RATE_TOTAL = 19, 20, 21, 22


def _direct_view_invoice(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """One invoice's rows, their VAT allocated (``allocate_vat``, its rounding done by the database)."""
    vats = [row[_VAT] for row in rows]
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_rate[row[_RATE]].append(index)
    for indexes in by_rate.values():
        total = rows[indexes[0]][_RATE_TOTAL]
        if total is None:
            continue
        gap = total - sum((vats[i] for i in indexes), ZERO)
        if gap:
            vats[max(indexes, key=lambda i: abs(rows[i][_AMOUNT]))] += gap
    for row, vat in zip(rows, vats, strict=True):
        yield (*row[1:_VAT], vat, row[_AMOUNT] + vat)


def direct_view_rows(scope: FileScope) -> Iterator[tuple[Any, ...]]:
    """Invoice number, kind, issue and accounting dates, perimeter, member, SIRET, delivery point,
    site name, internal reference, budget reference, component code and label, period start and end,
    quantity, unit, unit price, amount excl. VAT, VAT rate, VAT amount, amount incl. VAT."""
    where, args = _where(scope)
    kinds = [InvoiceKind.INVOICE.value, KINDS[InvoiceKind.INVOICE.value], KINDS[InvoiceKind.CREDIT_NOTE.value]]
    buffered: list[tuple[Any, ...]] = []
    for row in _stream(DIRECT_VIEW_SQL.format(where=where), [*kinds, *args]):
        if buffered and row[0] != buffered[0][0]:
            yield from _direct_view_invoice(buffered)
            buffered = []
        buffered.append(row)
    if buffered:
        yield from _direct_view_invoice(buffered)


def direct_view_count(scope: FileScope) -> int:
    where, args = _where(scope)
    sql = (
        "SELECT count(*) FROM invoicing_invoiceline l JOIN invoicing_invoice i ON i.id = l.invoice_id"
        f" JOIN invoicing_invoicesite s ON s.id = l.invoice_site_id WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return int(cursor.fetchone()[0])


# --- Per site (and month): the sums of the summary and of the annual sheet -------------------

SITE_RATE_SQL = f"""
SELECT i.id, date_trunc('month', i.accounting_date)::date, s.id, s.site_id, i.perimeter_id,
       m.legal_name, bp.name, st.delivery_point, st.site_name, st.internal_reference, {_BUDGET},
       s.consumption_kwh, l.vat_percent, sum(l.amount),
       sum(l.amount) FILTER (WHERE l.family = %s), sum(l.amount) FILTER (WHERE l.family = %s),
       sum(l.amount) FILTER (WHERE l.family = %s), v.amount
FROM invoicing_invoiceline l
JOIN invoicing_invoice i ON i.id = l.invoice_id
JOIN invoicing_invoicesite s ON s.id = l.invoice_site_id
JOIN perimeter_site st ON st.id = s.site_id
JOIN billing_groups_billingperimeter bp ON bp.id = i.perimeter_id
JOIN perimeter_member m ON m.id = i.member_id
LEFT JOIN invoicing_invoicevat v ON v.invoice_id = i.id AND v.percent = l.vat_percent
{_BUDGET_JOINS}
WHERE {{where}}
GROUP BY i.id, s.id, st.id, m.id, bp.id, l.vat_percent, v.amount, br_sl.id, br_pl.id
ORDER BY i.id, s.id, l.vat_percent
"""


@dataclass
class SiteSums:
    """The billed sums of one site (over a month, or a year with one perimeter)."""

    member: str
    perimeter: str
    budget: str
    delivery_point: str
    site_name: str
    internal_reference: str
    month: dt.date | None = None
    consumption_kwh: Decimal = Decimal("0")
    energy: Decimal = ZERO
    network: Decimal = ZERO
    taxes: Decimal = ZERO
    vat: Decimal = ZERO
    invoices: int = 0

    @property
    def total_excl_vat(self) -> Decimal:
        return self.energy + self.network + self.taxes

    @property
    def total_incl_vat(self) -> Decimal:
        return self.total_excl_vat + self.vat


def site_sums(scope: FileScope, *, by_month: bool) -> list[SiteSums]:
    """Sums per (month, site) when ``by_month``, else per (site, perimeter): consumption, amounts by
    family, VAT (allocated, see ``allocate_vat``), number of invoices. Sorted for the files."""
    where, args = _where(scope)
    families = [LineFamily.ENERGY.value, LineFamily.NETWORK.value, LineFamily.TAXES.value]
    sums: dict[tuple[Any, ...], SiteSums] = {}
    seen_parts: set[int] = set()
    invoice: list[tuple[Any, ...]] = []

    def flush() -> None:
        vats = allocate_vat([(row[12], row[13], row[17]) for row in invoice])
        counted: set[tuple[Any, ...]] = set()
        for row, vat in zip(invoice, vats, strict=True):
            key = (row[1], row[3]) if by_month else (row[3], row[4])
            entry = sums.get(key)
            if entry is None:
                entry = sums[key] = SiteSums(
                    member=row[5],
                    perimeter=row[6],
                    budget=row[10],
                    delivery_point=row[7],
                    site_name=row[8],
                    internal_reference=row[9],
                    month=row[1] if by_month else None,
                )
            if row[2] not in seen_parts:
                seen_parts.add(row[2])
                entry.consumption_kwh += row[11]
            if key not in counted:
                counted.add(key)
                entry.invoices += 1
            entry.energy += row[14] or ZERO
            entry.network += row[15] or ZERO
            entry.taxes += row[16] or ZERO
            entry.vat += vat
        invoice.clear()
        seen_parts.clear()

    for row in _stream(SITE_RATE_SQL.format(where=where), [*families, *args]):
        if invoice and row[0] != invoice[0][0]:
            flush()
        invoice.append(row)
    if invoice:
        flush()
    if by_month:
        return sorted(sums.values(), key=lambda e: (e.month, e.member, e.site_name, e.delivery_point))
    return sorted(sums.values(), key=lambda e: (e.member, e.perimeter, e.site_name, e.delivery_point))


@dataclass(frozen=True)
class MonthSums:
    month: dt.date
    consumption_kwh: Decimal
    energy: Decimal
    network: Decimal
    taxes: Decimal
    vat: Decimal

    @property
    def total_excl_vat(self) -> Decimal:
        return self.energy + self.network + self.taxes

    @property
    def total_incl_vat(self) -> Decimal:
        return self.total_excl_vat + self.vat


def month_sums(scope: FileScope) -> list[MonthSums]:
    """Sums per accounting month (every month of the scope, zero where nothing was billed): one aggregate
    query on the invoices' own totals (no allocation needed)."""
    where, args = _where(scope)
    sql = (
        "SELECT date_trunc('month', i.accounting_date)::date, sum(i.consumption_kwh), sum(i.energy),"
        " sum(i.network), sum(i.taxes), sum(i.vat_total) FROM invoicing_invoice i"
        f" WHERE i.id IN (SELECT i.id FROM invoicing_invoice i JOIN invoicing_invoicesite s ON s.invoice_id = i.id"
        f" WHERE {where}) GROUP BY 1 ORDER BY 1"
    )
    if scope.site_id is not None:  # a site's share of grouped invoices: from its own rows
        months: dict[dt.date, MonthSums] = {}
        for entry in site_sums(scope, by_month=True):
            assert entry.month is not None
            months[entry.month] = MonthSums(
                entry.month, entry.consumption_kwh, entry.energy, entry.network, entry.taxes, entry.vat
            )
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            months = {row[0]: MonthSums(*row) for row in cursor.fetchall()}
    out = []
    month = scope.first.replace(day=1)
    zero = MonthSums(month, Decimal("0"), ZERO, ZERO, ZERO, ZERO)
    while month < scope.end:
        out.append(months.get(month) or MonthSums(month, zero.consumption_kwh, ZERO, ZERO, ZERO, ZERO))
        month = next_month(month)
    return out
