"""Hooks that later apps fill in, so that billing perimeters never import them.

A new billing perimeter starts from the defaults of the member's data-collection campaign
(grouped invoice, paper delivery, bank transfer, PRODUCT.md §2): ``datacollection``
registers the provider at start-up (``DatacollectionConfig.ready``); without it the
model's own defaults apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from perimeter.models import Member

DefaultsProvider = Callable[[Member], dict[str, Any]]

_defaults_provider: DefaultsProvider | None = None


def register_perimeter_defaults(provider: DefaultsProvider) -> None:
    global _defaults_provider
    _defaults_provider = provider


def perimeter_defaults(member: Member) -> dict[str, Any]:
    """Field values a new perimeter of this member starts with (those the member does not give)."""
    return _defaults_provider(member) if _defaults_provider is not None else {}
