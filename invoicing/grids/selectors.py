"""The grid values in force: every row of the newest version of each family."""

from __future__ import annotations

from django.db.models import Max

from invoicing.grids.fileformat import RateRow
from invoicing.grids.models import RateGrid, RateValue

_cache: dict[tuple[int, ...], list[RateRow]] = {}


def grids_in_force() -> list[RateGrid]:
    newest = RateGrid.objects.values("family").annotate(version=Max("version"))
    wanted = {(row["family"], row["version"]) for row in newest}
    return [grid for grid in RateGrid.objects.order_by("family") if (grid.family, grid.version) in wanted]


def rate_rows_in_force() -> list[RateRow]:
    """The rows the engine bills with (cached per set of versions: a new version invalidates it)."""
    grids = grids_in_force()
    key = tuple(sorted(grid.pk for grid in grids))
    if key not in _cache:
        _cache.clear()
        _cache[key] = [
            RateRow(v.code, v.scope, v.post, v.unit, v.value, v.valid_from, v.valid_to, v.reference)
            for v in RateValue.objects.filter(grid__in=grids).order_by("code", "scope", "post", "valid_from")
        ]
    return _cache[key]
