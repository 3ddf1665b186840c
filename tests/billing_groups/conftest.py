from __future__ import annotations

from typing import Any

import pytest

from billing_groups import services


@pytest.fixture(autouse=True)
def _no_journey_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start with an editable journey, whatever the datacollection app says."""
    monkeypatch.setattr(services, "_journey_lock_check", lambda: None)


@pytest.fixture
def locked_journey(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a validated journey: the datacollection check refuses every write."""
    from django.core.exceptions import PermissionDenied

    def check(member: Any) -> None:
        raise PermissionDenied("validated")

    monkeypatch.setattr(services, "_journey_lock_check", lambda: check)


@pytest.fixture
def max_queries() -> Any:
    """Like django_assert_max_num_queries, ignoring django-tenants' ``SET search_path``.

    Prints the statements on failure (as Zulip's query-count assertions do).
    """
    from collections.abc import Iterator
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def check(limit: int) -> Iterator[list[str]]:
        statements: list[str] = []
        with CaptureQueriesContext(connection) as context:
            yield statements
        statements[:] = [q["sql"][:140] for q in context.captured_queries if "search_path" not in q["sql"]]
        assert len(statements) <= limit, f"{len(statements)} queries > {limit}:\n" + "\n".join(statements)

    return check
