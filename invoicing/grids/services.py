"""Loading a grid version: the shipped files at migration time, a staff upload in the back-office.

Both go through `grid_load`: parsed all or nothing (`invoicing.grids.fileformat.parse_grid`), checked
against the version it follows, written in one transaction, audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from invoicing.grids.fileformat import GridError, RateRow, parse_grid
from invoicing.grids.models import GridSource, RateGrid, RateValue

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "rates"


def rows_of(grid: RateGrid) -> list[RateRow]:
    return [
        RateRow(v.code, v.scope, v.post, v.unit, v.value, v.valid_from, v.valid_to, v.reference)
        for v in grid.values.order_by("code", "scope", "post", "valid_from")
    ]


def history_changes(previous: list[RateRow], new: list[RateRow], *, today: dt.date) -> list[str]:
    """Why `new` may not follow `previous`: a value that has started to apply is never edited.

    Every row of the previous version whose period has begun (valid_from ≤ today) must be in the
    new version unchanged; the only change allowed to it is closing an open period (valid_to set,
    not before today). Rows that have not begun may change freely.
    """
    by_start = {(row.key, row.valid_from): row for row in new}
    problems = []
    for old in previous:
        if old.valid_from > today:
            continue
        label = f"{'/'.join(old.key)} du {old.valid_from.isoformat()}"
        kept = by_start.get((old.key, old.valid_from))
        if kept is None:
            problems.append(f"{label} : cette valeur s'applique déjà et ne peut pas être retirée.")
            continue
        closing = old.valid_to is None and kept.valid_to is not None and kept.valid_to >= today
        same = (kept.unit, kept.value, kept.reference) == (old.unit, old.value, old.reference)
        if not same or (kept.valid_to != old.valid_to and not closing):
            problems.append(
                f"{label} : cette valeur s'applique déjà et ne peut pas être modifiée ; "
                "ajoutez une nouvelle valeur avec sa date d'effet."
            )
    return problems


@transaction.atomic
def grid_load(
    *,
    family: str,
    text: str,
    file_name: str,
    source: str = GridSource.UPLOAD,
    loaded_by: User | None = None,
    today: dt.date | None = None,
) -> RateGrid:
    """Load a new version of a grid family; raise ValidationError listing every problem."""
    try:
        rows = parse_grid(text)
    except GridError as error:
        raise ValidationError(error.messages) from error
    if not rows:
        raise ValidationError(["Le fichier ne contient aucune valeur."])
    # Versions of one family are numbered under a lock: two uploads never get the same number.
    RateGrid.objects.select_for_update().filter(family=family).exists()
    previous = RateGrid.objects.filter(family=family).order_by("-version").first()
    if previous is not None:
        problems = history_changes(rows_of(previous), rows, today=today or timezone.localdate())
        if problems:
            raise ValidationError(problems)
    grid = RateGrid.objects.create(
        family=family,
        version=(previous.version + 1) if previous else 1,
        source=source,
        file_name=file_name[:200],
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        loaded_by=loaded_by.email if loaded_by else "",
    )
    RateValue.objects.bulk_create(
        RateValue(
            grid=grid,
            code=row.code,
            scope=row.scope,
            post=row.post,
            unit=row.unit,
            value=row.value,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            reference=row.reference,
        )
        for row in rows
    )
    audit_record(
        action="rate_grid.loaded",
        actor=loaded_by,
        target=grid,
        details={"family": family, "version": grid.version, "rows": len(rows), "source": source},
    )
    return grid


def grids_sync_shipped() -> list[RateGrid]:
    """Load each shipped grid file whose content differs from its family's newest shipped version.

    A family whose newest version was uploaded by staff is left alone: the upload is newer
    knowledge than the file the platform was built with.
    """
    loaded = []
    for path in sorted(SHIPPED_DIR.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        latest = RateGrid.objects.filter(family=path.stem).order_by("-version").first()
        if latest is not None and (
            latest.source == GridSource.UPLOAD or latest.sha256 == hashlib.sha256(text.encode()).hexdigest()
        ):
            continue
        loaded.append(grid_load(family=path.stem, text=text, file_name=path.name, source=GridSource.SHIPPED))
    return loaded
