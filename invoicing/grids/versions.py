"""A grid version beside the one it follows, and a version written back in its file format.

Pure functions over `RateRow` lists (no ORM): the back-office shows the comparison after an
upload and for any version, and serves a version as the same CSV the upload reads.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from invoicing.grids.fileformat import COLUMNS, RateRow

ADDED = "added"
CLOSED = "closed"
CHANGED = "changed"
REMOVED = "removed"
UNCHANGED = "unchanged"
CHANGES = (ADDED, CLOSED, CHANGED, REMOVED, UNCHANGED)


@dataclass(frozen=True)
class ComparedRow:
    """One value's line in the side-by-side view: its row in the previous and in the new version."""

    change: str
    previous: RateRow | None
    new: RateRow | None

    @property
    def row(self) -> RateRow:
        row = self.new or self.previous
        assert row is not None
        return row


def grid_compare(previous: list[RateRow], new: list[RateRow]) -> list[ComparedRow]:
    """Match the rows of two versions by (code, scope, post, start date) and say what changed.

    - ``added``: a value the previous version did not have;
    - ``closed``: the same value whose open period now has an end;
    - ``changed``: the same start with another value, unit, end or reference (a value not yet
      in force when the version was loaded);
    - ``removed``: a value of the previous version the new one no longer has;
    - ``unchanged``: identical.
    """
    old_by_start = {(row.key, row.valid_from): row for row in previous}
    new_by_start = {(row.key, row.valid_from): row for row in new}
    compared = []
    for start in sorted(old_by_start.keys() | new_by_start.keys()):
        old, kept = old_by_start.get(start), new_by_start.get(start)
        if old is None:
            change = ADDED
        elif kept is None:
            change = REMOVED
        elif old == kept:
            change = UNCHANGED
        elif (
            old.valid_to is None
            and kept.valid_to is not None
            and (old.unit, old.value, old.reference) == (kept.unit, kept.value, kept.reference)
        ):
            change = CLOSED
        else:
            change = CHANGED
        compared.append(ComparedRow(change, old, kept))
    return compared


def change_counts(compared: list[ComparedRow]) -> dict[str, int]:
    counts = Counter(row.change for row in compared)
    return {change: counts.get(change, 0) for change in CHANGES}


def _number(value: Decimal) -> str:
    """The stored value without the trailing zeros of its six decimal places (16.800000 → 16.8)."""
    return format(value.normalize(), "f")


def grid_csv(rows: list[RateRow]) -> str:
    """The version in the file format of `invoicing.grids.fileformat` (reloading it gives the same rows)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.code,
                row.scope,
                row.post,
                row.unit,
                _number(row.value),
                row.valid_from.isoformat(),
                row.valid_to.isoformat() if row.valid_to else "",
                row.reference,
            ]
        )
    return out.getvalue()
