"""Hooks that later apps fill in, so that accounts never imports them.

A "Demande d'inscription" names a member by its customer number and one of its delivery
points; members and sites belong to ``perimeter``, which registers the lookup at start-up
(``PerimeterConfig.ready``). Without it no member matches and every request is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (customer_number, delivery_point) -> the member holding both (a ``perimeter.Member``), or
# None. Typed ``Any``: naming the class would import the park.
MemberLookup = Callable[[str, str], Any]

_member_lookup: MemberLookup | None = None


def register_access_request_member(lookup: MemberLookup) -> None:
    global _member_lookup
    _member_lookup = lookup


def access_request_member(*, customer_number: str, delivery_point: str) -> Any:
    """The member a sign-up request names (its customer number and one of its delivery points)."""
    return _member_lookup(customer_number, delivery_point) if _member_lookup is not None else None
