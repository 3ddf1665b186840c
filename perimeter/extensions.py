"""Hooks that later apps fill in, so that the park core never imports them.

The technical sheet shows the site's latest meter readings (PRODUCT.md §3), which belong
to ``consumption``: that app registers its provider when Django starts
(``ConsumptionConfig.ready``); without it the sheet says there is no reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from perimeter.models import Site

LastReadingsProvider = Callable[[Site, int], list[Any]]

_last_readings_provider: LastReadingsProvider | None = None


def register_last_readings(provider: LastReadingsProvider) -> None:
    global _last_readings_provider
    _last_readings_provider = provider


def last_readings(site: Site, n: int) -> list[Any]:
    return _last_readings_provider(site, n) if _last_readings_provider is not None else []
