"""Exports of the Consommation pages, read back: member-scoped, Excel dates without time zone, formula-safe."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.urls import reverse

from tests.conftest import ALPHA_HOST, TenantClient
from tests.consumption.meterdata import daily_load, load_curve_load_days, reading_add


def _download(user: Any, report: str, params: dict[str, Any]) -> Any:
    client = TenantClient(ALPHA_HOST)
    client.force_login(user)
    return client.get(reverse("reports:direct_download", args=[report]), params)


def _rows(response: Any) -> list[tuple[Any, ...]]:
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_monthly_export_of_the_home_page(world: Any) -> None:
    world.site_a.site_name = "=HYPERLINK(1)"
    world.site_a.save()
    daily_load([world.site_a.pk, world.site_b.pk], dt.date(2025, 3, 1), dt.date(2025, 4, 30), kwh=2.0)

    rows = _rows(_download(world.alice, "consumption_monthly", {"debut": "2025-03", "fin": "2025-04"}))

    assert rows[0][:6] == (
        "Membre",
        "Nom du site",
        "Point de livraison (PRM/PCE)",
        "Énergie",
        "Mois",
        "Consommation (kWh)",
    )
    assert [(r[2], r[4], r[5]) for r in rows[1:]] == [
        (world.site_a.delivery_point, dt.datetime(2025, 3, 1), 62.0),
        (world.site_a.delivery_point, dt.datetime(2025, 4, 1), 60.0),
    ]
    assert rows[1][1] == "'=HYPERLINK(1)"  # neutralised: a text, never a formula


def test_readings_and_daily_exports_refuse_another_members_site(world: Any) -> None:
    assert _download(world.alice, "consumption_readings", {"site": world.site_b.pk}).status_code == 404
    params = {"site": world.site_b.pk, "debut": "2025-01-01", "fin": "2025-01-31"}
    assert _download(world.alice, "consumption_daily", params).status_code == 404


def test_readings_export(world: Any) -> None:
    reading_add(world.site_a.pk, dt.date(2025, 1, 31), {"BASE": 1_234_500})

    rows = _rows(_download(world.alice, "consumption_readings", {"site": world.site_a.pk}))

    assert rows[1][2:] == (dt.datetime(2025, 1, 31), "Réel", "Relève périodique du distributeur", "BASE", 1234.5, "Non")


def test_period_too_long_is_refused(world: Any) -> None:
    response = _download(world.alice, "consumption_monthly", {"debut": "2024-01", "fin": "2025-06"})
    assert response.status_code == 400


def test_load_curve_export_has_naive_local_times(world: Any) -> None:
    load_curve_load_days(world.site_a.pk, dt.date(2025, 10, 26), 1, power_w=900)

    params = {"site": world.site_a.pk, "debut": "2025-10-26", "fin": "2025-10-26"}
    rows = _rows(_download(world.alice, "consumption_load_curve", params))

    assert len(rows) == 1 + 50  # the October day has 50 half-hours
    assert rows[1][1] == dt.datetime(2025, 10, 26, 0, 30)
    assert rows[-1][1:] == (dt.datetime(2025, 10, 27, 0, 0), 900, 30)
