"""Hooks a later app fills at start-up, so that ``invoicing`` never imports it.

``invoicing.grids`` (the regulated grids in the public schema) builds on the engine's grid
format (``invoicing.engine.grid``), so ``invoicing`` may not import it back: the grids app
registers the rows in force (``RateGridsConfig.ready``) and billing runs read them here.
"""

from __future__ import annotations

from collections.abc import Callable

from invoicing.engine.grid import RateRow

RateRowsProvider = Callable[[], list[RateRow]]

_rate_rows_provider: RateRowsProvider | None = None


def register_rate_rows(provider: RateRowsProvider) -> None:
    global _rate_rows_provider
    _rate_rows_provider = provider


def rate_rows_in_force() -> list[RateRow]:
    """Every grid row in force (the newest version of each family)."""
    if _rate_rows_provider is None:
        raise RuntimeError("No rate grids registered: is invoicing.grids in INSTALLED_APPS?")
    return _rate_rows_provider()
