"""Working days around French public holidays (from the ``holidays`` library)."""

from __future__ import annotations

import datetime as dt

from technical_requests.catalogue import TYPES_BY_CODE
from technical_requests.validation import earliest_date
from technical_requests.workdays import add_working_days, is_working_day


def test_weekends_and_public_holidays_are_not_working_days() -> None:
    assert not is_working_day(dt.date(2026, 5, 1))  # Fête du travail, a Friday
    assert not is_working_day(dt.date(2026, 5, 14))  # Ascension (moves with Easter)
    assert not is_working_day(dt.date(2026, 5, 25))  # Lundi de Pentecôte
    assert not is_working_day(dt.date(2026, 5, 2))  # Saturday
    assert is_working_day(dt.date(2026, 5, 4))


def test_five_working_days_skip_the_may_bridges() -> None:
    # From Thursday 30 April 2026: Fri 1 May (holiday), weekend, Mon 4 → Thu 7, Fri 8 May (holiday), Mon 11.
    assert add_working_days(dt.date(2026, 4, 30), 5) == dt.date(2026, 5, 11)
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)  # Christmas on Friday


def test_the_earliest_commissioning_date_follows_the_holidays() -> None:
    date_field = TYPES_BY_CODE["commissioning"].get_field("desired_date")
    assert earliest_date(date_field, dt.date(2026, 4, 30)) == dt.date(2026, 5, 11)
    assert earliest_date(date_field, dt.date(2026, 3, 2)) == dt.date(2026, 3, 9)
