"""Fixtures of the import tests: a lot, a clean media folder, and running a listing through the service."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perimeter.models import Lot
from tests.factories import LotFactory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lot(alpha: Any) -> Lot:
    lot: Any = LotFactory(number=1)
    return lot


@pytest.fixture
def run_listing(lot: Lot, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Upload bytes as a listing (the task runs eagerly on commit) and return the refreshed job."""
    from perimeter.importing.services import import_request

    def run(content: bytes, name: str = "listing.xlsx") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            job = import_request(
                lot=lot,
                upload=io.BytesIO(content),
                original_name=name,
                size=len(content),
                requested_by_email="m@f.test",
            )
        job.refresh_from_db()
        return job

    return run
