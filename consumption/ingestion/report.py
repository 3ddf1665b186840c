"""Collects the rejected rows of one file with their reason (French, shown to staff), and writes them out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spreadsheets.xlsx import NUMBER, Column, write_xlsx

# Counts stay exact beyond these caps. The report's JSON keeps the first rows (API
# answers, the screens); the downloadable error workbook keeps many more.
MAX_DETAILED_REJECTIONS = 1000
MAX_REPORTED_REJECTIONS = 100_000
# Column named in the report (the file's own header) -> column of the working frame.
FRAME_COLUMNS = {
    "horodate": "timestamp",
    "puissance_w": "power_w",
    "pas_minutes": "step",
    "poste": "post",
    "calendrier": "calendar",
    "jour_gazier": "gas_day",
    "coefficient": "coef",
    "date_releve": "date",
    "passage_zero": "turnover",
}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


@dataclass
class Rejections:
    """Rejected lines of a file: the detail of the first ones, the count of all."""

    details: list[dict[str, Any]] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, *, column: str, reason: str) -> pd.DataFrame:
        """Record the rows of ``frame`` under ``mask`` as rejected; return the rows kept."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return frame  # nothing rejected: no copy of the frame
        bad = frame.loc[mask]
        self.lines.update(bad["line"].astype("int64").tolist())
        self.reasons[(column, reason)] += len(bad)
        room = MAX_REPORTED_REJECTIONS - len(self.details)
        if room > 0:
            shown = bad.head(room)
            source = FRAME_COLUMNS.get(column, column)
            values = [_text(value) for value in shown[source]] if source in shown else [""] * len(shown)
            for line, value in zip(shown["line"], values, strict=True):
                self.details.append({"line": int(line), "column": column, "value": value[:100], "reason": reason})
        return frame.loc[~mask]

    @property
    def count(self) -> int:
        return len(self.lines)

    def sorted_details(self) -> list[dict[str, Any]]:
        """Every detailed rejection (up to ``MAX_REPORTED_REJECTIONS``), by line then column."""
        return sorted(self.details, key=lambda item: (item["line"], item["column"]))

    def summary(self) -> list[dict[str, Any]]:
        """Exact counts per (column, reason), most frequent first."""
        return [
            {"column": column, "reason": reason, "count": count}
            for (column, reason), count in sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        ]


REJECTED_ROW_COLUMNS = (
    Column("Ligne", 10, NUMBER),
    Column("Colonne", 18),
    Column("Valeur lue", 30),
    Column("Message", 90),
)


def rejected_rows_write(target: Path, details: Iterable[dict[str, Any]]) -> int:
    """The downloadable report of rejected rows (line, column, value, message); returns the number of rows."""
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = ([item["line"], item["column"], item["value"], item["reason"]] for item in details)
    return write_xlsx(target, columns=REJECTED_ROW_COLUMNS, rows=rows, sheet_title="Lignes rejetées").rows
