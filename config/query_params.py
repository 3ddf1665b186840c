"""Reading loose query-string values (filters, pickers) the same way on every page."""

from __future__ import annotations


def int_or_none(value: str | None) -> int | None:
    """A whole number typed in a query string, or None when it is missing or not a number."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
