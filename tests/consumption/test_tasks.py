"""Scheduled tasks: partitions ahead of need in every syndicate, the inbox of distributor files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from consumption.models import IngestionReport, LoadCurvePoint
from consumption.tasks import inbox_process, partitions_ensure_all
from tenants.db import connection

CURVE = "point;horodate;puissance_w;pas_minutes\n{p};2025-01-15T10:00:00+01:00;1000;30\n"


def test_inbox_files_are_ingested_and_moved(base_site: Any, alpha: Any, tmp_path: Path, settings: Any) -> None:
    settings.METER_DATA_INBOX = str(tmp_path)
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "cdc.csv").write_text(CURVE.format(p=base_site.delivery_point))

    assert inbox_process(alpha) == 1
    connection.set_tenant(alpha)
    assert (tmp_path / "alpha" / "done" / "cdc.csv").exists()
    assert IngestionReport.objects.get().received_by == "inbox"
    assert LoadCurvePoint.objects.count() == 1
    assert inbox_process(alpha) == 0


def test_partitions_task_visits_every_syndicate(alpha: Any) -> None:
    created = partitions_ensure_all.delay(ahead_months=60).get()
    assert set(created) >= {"alpha", "beta"}
    assert created["alpha"] > 0


def test_an_inbox_file_over_the_limit_waits_in_failed_unread(
    base_site: Any, alpha: Any, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    import consumption.services

    monkeypatch.setattr(consumption.services, "MAX_FILE_BYTES", 10)
    settings.METER_DATA_INBOX = str(tmp_path)
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "gros.csv").write_text(CURVE.format(p=base_site.delivery_point))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))

    assert inbox_process(alpha) == 1
    connection.set_tenant(alpha)
    assert (tmp_path / "alpha" / "failed" / "gros.csv").exists()
    assert not IngestionReport.objects.exists()
