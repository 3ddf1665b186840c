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
