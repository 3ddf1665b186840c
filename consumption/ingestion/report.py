"""Collects the rejected rows of one file with their reason (French, shown to staff)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MAX_DETAILED_REJECTIONS = 1000  # counts stay exact beyond; the detail list is capped
# Column named in the report (the file's own header) -> column of the working frame.
FRAME_COLUMNS = {
    "horodate": "timestamp",
    "puissance_w": "power_w",
    "pas_minutes": "step",
    "poste": "post",
    "calendrier": "calendar",
    "jour_gazier": "gas_day",
    "coefficient": "coef",
}


@dataclass
class Rejections:
    """Rejected lines of a file: the detail of the first ones, the count of all."""

    details: list[dict[str, Any]] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)

    def add(self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, *, column: str, reason: str) -> pd.DataFrame:
        """Record the rows of ``frame`` under ``mask`` as rejected; return the rows kept."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            bad = frame.loc[mask]
            self.lines.update(int(line) for line in bad["line"])
            room = MAX_DETAILED_REJECTIONS - len(self.details)
            if room > 0:
                source = FRAME_COLUMNS.get(column, column)
                values = bad[source].astype(str) if source in bad else pd.Series([""] * len(bad), index=bad.index)
                for line, value in zip(bad["line"].head(room), values.head(room), strict=True):
                    self.details.append({"line": int(line), "column": column, "value": value[:100], "reason": reason})
        return frame.loc[~mask]

    def add_one(self, *, line: int, column: str, value: str, reason: str) -> None:
        self.lines.add(line)
        if len(self.details) < MAX_DETAILED_REJECTIONS:
            self.details.append({"line": line, "column": column, "value": value[:100], "reason": reason})

    @property
    def count(self) -> int:
        return len(self.lines)

    def sorted_details(self) -> list[dict[str, Any]]:
        return sorted(self.details, key=lambda item: (item["line"], item["column"]))
