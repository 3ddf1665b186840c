"""The rate book: the regulated grids indexed for the engine.

A `RateBook` holds `RateRow`s (`invoicing.grids.fileformat`) indexed by (code, scope, post), each key's
rows sorted by start date, so that a lookup is a dictionary access and a bisection. Built from
rows (`from_rows`: a billing run passes the grids it loaded from the database), from the files
shipped in `invoicing/data/rates/` (`shipped`, read once per process), or from the "rates" key of
an `invoice_preview` document (`from_override`).

Grid codes (their unit is in each row; the engine converts to €/kWh, €/day…):

=====================  ==========================================  ==========================
code                   scope                                       post
=====================  ==========================================  ==========================
TURPE_CG, TURPE_CC     segment (C5, C4)                            *
TURPE_CS_FIXED         tariff formula (BTINFCUST…, BTSUPCU…)       * (C5), HPH…HCE (C4)
TURPE_CS_VARIABLE      tariff formula                              the post, or * (one post)
TURPE_CACNC            C5 (non-communicating meter, from 2025-08)  *
ATRD_FIXED             gas option (T1…T4)                          *
ATRD_VARIABLE          gas option                                  *
ATRD_CAPACITY          T4 (€ per MWh/day per year)                 *
ATRT_QUOTE_PART        gas option (transport share, CTA base)      *
CTA                    ELEC, GAS (percent)                         *
CTA_TRANSPORT          GAS (percent of ATRT_QUOTE_PART)            *
EXCISE_ELEC            power band: <=36, 36-250, >250, >36         *
EXCISE_GAS             *                                           *
CSPE                   power band (until 2022-12-31)               *
TCCFE                  <INSEE>_<band> or D<département>_<band>     *
TDCFE                  D<département>_<band>                       *
VAT_FIXED              ELEC_<=36, ELEC_>36, GAS (percent)          *
VAT_STANDARD           * (percent)                                 *
=====================  ==========================================  ==========================

A lookup takes scopes in order of preference (the most specific first); the engine always ends
the list with ``*`` so that an override (every row ``*``) answers every lookup.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from invoicing.engine.types import Period
from invoicing.grids.fileformat import GridError, RateRow, overlaps, parse_grid

RATES_DIR = Path(__file__).resolve().parent.parent / "data" / "rates"
BEGINNING = dt.date(1900, 1, 1)
OVERRIDE_REFERENCE = "invoice_preview: rates given in the document"

Key = tuple[str, str, str]
Spec = tuple[str, Sequence[str], str, bool]  # code, scopes (most specific first), post, required
Part = tuple[Period, tuple[RateRow | None, ...]]
PARTITION_MEMO_SIZE = 50_000  # partitions kept per book (sites of a run share their periods)


class MissingRate(LookupError):
    """No row of the book covers a day the engine needs a rate for."""

    def __init__(self, code: str, scopes: Sequence[str], post: str, day: dt.date) -> None:
        tried = [s for s in scopes if s != "*"] or ["*"]
        super().__init__(
            f"no rate {code} for scope {' / '.join(tried)}"
            + (f" (post {post})" if post != "*" else "")
            + f" on {day.isoformat()}"
        )
        self.code = code
        self.scope = tried[0]
        self.post = post
        self.day = day


class RateOverrideError(ValueError):
    """A bad "rates" object in an invoice_preview document; `field` names the key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class _Series:
    """The rows of one key, sorted by start date (they never overlap)."""

    __slots__ = ("changes", "rows", "starts")

    def __init__(self, rows: list[RateRow]) -> None:
        self.rows = sorted(rows, key=lambda r: r.valid_from)
        self.starts = [r.valid_from for r in self.rows]
        # Every day on which the applicable row may change: a start, or the day after an end.
        ends = {r.valid_to + dt.timedelta(days=1) for r in self.rows if r.valid_to is not None}
        self.changes = sorted(set(self.starts) | ends)

    def at(self, day: dt.date) -> RateRow | None:
        index = bisect.bisect_right(self.starts, day) - 1
        if index < 0:
            return None
        row = self.rows[index]
        return row if row.valid_to is None or day <= row.valid_to else None

    def cuts(self, period: Period) -> list[dt.date]:
        """Days inside (period.first, period.last] where this key's row changes."""
        low = bisect.bisect_right(self.changes, period.first)
        high = bisect.bisect_right(self.changes, period.last)
        return self.changes[low:high]


class RateBook:
    """Rate rows indexed by (code, scope, post), with lookups by day and splits at changes."""

    def __init__(self, rows: Iterable[RateRow], *, tax_codes: tuple[str, ...] | None = None) -> None:
        grouped: dict[Key, list[RateRow]] = {}
        for row in rows:
            grouped.setdefault(row.key, []).append(row)
        self._series: dict[Key, _Series] = {key: _Series(group) for key, group in grouped.items()}
        self._found: dict[tuple[str, tuple[str, ...], str], list[_Series]] = {}  # candidates per lookup
        self._partitions: dict[tuple[Period, tuple[tuple[str, tuple[str, ...], str, bool], ...]], tuple[Part, ...]] = {}
        # Tax codes given by an override: each becomes a line (scope *, €/kWh) in place of
        # the excise / CSPE / local taxes chosen by date.
        self.tax_codes = tax_codes

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable[RateRow]) -> RateBook:
        return cls(rows)

    @classmethod
    def shipped(cls) -> RateBook:
        """The grids shipped in invoicing/data/rates/*.csv (read and indexed once per process)."""
        return _shipped_book()

    @classmethod
    def from_override(cls, data: Mapping[str, Any]) -> RateBook:
        """The book of an invoice_preview document's "rates" object (it replaces the shipped grids).

        Keys: ``network`` {``management_eur_year``, ``metering_eur_year``, ``fixed_eur_kva_year``
        (a number, or one per post for C4), ``fixed_eur_year`` (gas), ``variable_eur_kwh`` {post:
        rate}, ``meter_non_communicating_eur_2months``}, ``cta_percent``, ``taxes_eur_kwh`` {code:
        rate} and ``vat_reduced_on_fixed`` (true: 5.5 % on the fixed parts and the CTA; false: 20 %;
        absent: the shipped VAT rules). Every value holds from the beginning of time.
        """
        if not isinstance(data, Mapping):
            raise RateOverrideError("rates", "must be an object")
        unknown = set(data) - {"network", "cta_percent", "taxes_eur_kwh", "vat_reduced_on_fixed"}
        if unknown:
            raise RateOverrideError(f"rates.{sorted(unknown)[0]}", "unknown key")
        rows: list[RateRow] = []

        def add(code: str, post: str, unit: str, value: Any, field: str) -> None:
            rows.append(
                RateRow(code, "*", post, unit, _override_decimal(value, field), BEGINNING, None, OVERRIDE_REFERENCE)
            )

        network = data.get("network", {})
        if not isinstance(network, Mapping):
            raise RateOverrideError("rates.network", "must be an object")
        simple = {
            "management_eur_year": ("TURPE_CG", "EUR_YEAR"),
            "metering_eur_year": ("TURPE_CC", "EUR_YEAR"),
            "fixed_eur_year": ("ATRD_FIXED", "EUR_YEAR"),
            "meter_non_communicating_eur_2months": ("TURPE_CACNC", "EUR_2MONTHS"),
        }
        for key, value in network.items():
            field = f"rates.network.{key}"
            if key in simple:
                code, unit = simple[key]
                add(code, "*", unit, value, field)
            elif key == "fixed_eur_kva_year":
                if isinstance(value, Mapping):
                    for post, rate in value.items():
                        add("TURPE_CS_FIXED", _override_post(post, field), "EUR_KVA_YEAR", rate, f"{field}.{post}")
                else:
                    add("TURPE_CS_FIXED", "*", "EUR_KVA_YEAR", value, field)
            elif key == "variable_eur_kwh":
                if not isinstance(value, Mapping):
                    raise RateOverrideError(field, "must be an object {post: rate}")
                for post, rate in value.items():
                    checked = _override_post(post, field)
                    add("TURPE_CS_VARIABLE", checked, "EUR_KWH", rate, f"{field}.{post}")
                    add("ATRD_VARIABLE", checked, "EUR_KWH", rate, f"{field}.{post}")
            else:
                raise RateOverrideError(field, "unknown key")
        if "cta_percent" in data:
            add("CTA", "*", "PERCENT", data["cta_percent"], "rates.cta_percent")
        taxes = data.get("taxes_eur_kwh", {})
        if not isinstance(taxes, Mapping):
            raise RateOverrideError("rates.taxes_eur_kwh", "must be an object {code: rate}")
        codes: list[str] = []
        for code, rate in taxes.items():
            field = f"rates.taxes_eur_kwh.{code}"
            if not isinstance(code, str) or not code.isidentifier() or code.upper() != code:
                raise RateOverrideError(field, "a tax code is written in capitals (EXCISE, CSPE, TCCFE, TDCFE…)")
            add(code, "*", "EUR_KWH", rate, field)
            codes.append(code)
        if "vat_reduced_on_fixed" in data:
            reduced = data["vat_reduced_on_fixed"]
            if not isinstance(reduced, bool):
                raise RateOverrideError("rates.vat_reduced_on_fixed", "must be true or false")
            add("VAT_FIXED", "*", "PERCENT", "5.5" if reduced else "20", "rates.vat_reduced_on_fixed")
            add("VAT_STANDARD", "*", "PERCENT", "20", "rates.vat_reduced_on_fixed")
        else:
            rows.extend(r for r in cls.shipped().rows() if r.code in {"VAT_FIXED", "VAT_STANDARD"})
        return cls(rows, tax_codes=tuple(codes))

    # --- reading -----------------------------------------------------------------------------

    def rows(self) -> list[RateRow]:
        return [row for series in self._series.values() for row in series.rows]

    def _candidates(self, code: str, scopes: Sequence[str], post: str) -> list[_Series]:
        key = (code, tuple(scopes), post)
        cached = self._found.get(key)
        if cached is None:
            cached = self._found[key] = self._search(code, scopes, post)
        return cached

    def _search(self, code: str, scopes: Sequence[str], post: str) -> list[_Series]:
        found = []
        for scope in scopes:
            for candidate_post in (post, "*") if post != "*" else ("*",):
                series = self._series.get((code, scope, candidate_post))
                if series is not None:
                    found.append(series)
        return found

    def rate(self, code: str, scopes: Sequence[str], post: str, day: dt.date) -> RateRow | None:
        """The row in force on `day`: the first scope (then post, then post ``*``) that has one."""
        for series in self._candidates(code, scopes, post):
            row = series.at(day)
            if row is not None:
                return row
        return None

    def lookup(self, code: str, scope: str, post: str, day: dt.date) -> RateRow:
        """The row of exactly (code, scope, post) in force on `day` (no fallback), or `MissingRate`."""
        series = self._series.get((code, scope, post))
        row = series.at(day) if series is not None else None
        if row is None:
            raise MissingRate(code, [scope], post, day)
        return row

    def require(self, code: str, scopes: Sequence[str], post: str, day: dt.date) -> RateRow:
        row = self.rate(code, scopes, post, day)
        if row is None:
            raise MissingRate(code, scopes, post, day)
        return row

    def has(self, code: str) -> bool:
        return any(key[0] == code for key in self._series)

    def cuts(self, code: str, scopes: Sequence[str], post: str, period: Period) -> set[dt.date]:
        """Days inside the period (after its first) on which the applicable row may change."""
        days: set[dt.date] = set()
        for series in self._candidates(code, scopes, post):
            days.update(series.cuts(period))
        return days

    def partition(self, period: Period, specs: Sequence[Spec]) -> tuple[Part, ...]:
        """The period cut at every change of any of the rates `specs`, with their rows per part.

        A required rate missing on a part raises `MissingRate`; an optional one gives None.
        Adjacent parts with the very same rows are merged back. Remembered per (period, specs):
        the sites of a billing run share a handful of periods.
        """
        key = (period, tuple((code, tuple(scopes), post, required) for code, scopes, post, required in specs))
        known = self._partitions.get(key)
        if known is not None:
            return known
        cuts: set[dt.date] = set()
        for code, scopes, post, _required in specs:
            cuts |= self.cuts(code, scopes, post, period)
        result: list[Part] = []
        for part in split(period, cuts):
            rows: list[RateRow | None] = []
            for code, scopes, post, required in specs:
                row = self.rate(code, scopes, post, part.first)
                if row is None and required:
                    raise MissingRate(code, scopes, post, part.first)
                rows.append(row)
            found = tuple(rows)
            if result and all(a is b for a, b in zip(result[-1][1], found, strict=True)):
                result[-1] = (Period(result[-1][0].first, part.last), found)
            else:
                result.append((part, found))
        if len(self._partitions) >= PARTITION_MEMO_SIZE:
            self._partitions.clear()
        self._partitions[key] = frozen = tuple(result)
        return frozen

    def segments(
        self, code: str, scopes: Sequence[str], post: str, period: Period, *, required: bool = True
    ) -> list[tuple[Period, RateRow]]:
        """The period cut at every change of the applicable row: [(sub-period, row)].

        `required`: a day without a row raises `MissingRate`; otherwise such days are left out.
        """
        result: list[tuple[Period, RateRow]] = []
        for sub in split(period, self.cuts(code, scopes, post, period)):
            row = self.rate(code, scopes, post, sub.first)
            if row is None:
                if required:
                    raise MissingRate(code, scopes, post, sub.first)
                continue
            if result and result[-1][1] is row and result[-1][0].last + dt.timedelta(days=1) == sub.first:
                result[-1] = (Period(result[-1][0].first, sub.last), row)
            else:
                result.append((sub, row))
        return result


def split(period: Period, cuts: Iterable[dt.date]) -> list[Period]:
    """The period cut before each day of `cuts` that falls inside it (after its first day)."""
    inside = sorted({day for day in cuts if period.first < day <= period.last})
    parts = []
    first = period.first
    for day in inside:
        parts.append(Period(first, day - dt.timedelta(days=1)))
        first = day
    parts.append(Period(first, period.last))
    return parts


def _override_decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RateOverrideError(field, 'must be a decimal number written as a string, e.g. "16.80"')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RateOverrideError(field, f"« {value} » is not a decimal number") from None
    if not number.is_finite() or number < 0:
        raise RateOverrideError(field, "must be a number ≥ 0")
    return number


def _override_post(post: Any, field: str) -> str:
    if post not in {"BASE", "HP", "HC", "HPH", "HCH", "HPE", "HCE", "*"}:
        raise RateOverrideError(f"{field}.{post}", "unknown post (BASE, HP, HC, HPH, HCH, HPE, HCE)")
    return str(post)


def load_shipped_rows() -> list[RateRow]:
    """Every row of every shipped grid file (each file parsed all or nothing)."""
    rows: list[RateRow] = []
    for path in sorted(RATES_DIR.glob("*.csv")):
        try:
            rows.extend(parse_grid(path.read_text(encoding="utf-8")))
        except GridError as error:
            raise GridError([f"{path.name}: {message}" for message in error.messages]) from None
    problems = overlaps(rows)  # two files must not give the same key for the same day either
    if problems:
        raise GridError(problems)
    return rows


@functools.cache
def _shipped_book() -> RateBook:
    return RateBook(load_shipped_rows())
