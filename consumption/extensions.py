"""Hooks later apps fill in, so that consumption never imports them.

- The consumption home shows, beside the metered consumption per month, the consumption
  billed per invoice month (PRODUCT.md §5): invoices belong to ``invoicing``, which
  registers its provider when Django starts (``InvoicingConfig.ready``). The provider
  answers None for a user without the Facturation right; without a provider the page
  shows no billed column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

# (user, first month, last month, fluid) → kWh billed per month (first days of months), or None.
BilledConsumptionProvider = Callable[[Any, dt.date, dt.date, str], dict[dt.date, Decimal] | None]

_billed_consumption_provider: BilledConsumptionProvider | None = None


def register_billed_consumption(provider: BilledConsumptionProvider) -> None:
    global _billed_consumption_provider
    _billed_consumption_provider = provider


def billed_consumption(user: Any, first: dt.date, last: dt.date, fluid: str) -> dict[dt.date, Decimal] | None:
    """The consumption billed per invoice month, or None (no provider, or no Facturation right)."""
    if _billed_consumption_provider is None:
        return None
    return _billed_consumption_provider(user, first, last, fluid)
