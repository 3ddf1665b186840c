"""Exports of the Consommation pages, read back: member-scoped, Excel dates without time zone, formula-safe."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import openpyxl
from django.urls import reverse

from billing_groups.models import BillingPerimeter, BillingPerimeterSite
from reports.models import ExportJob
from tests.conftest import ALPHA_HOST, TenantClient, logged_in
from tests.consumption.meterdata import daily_load, load_curve_load_days, reading_add
from tests.factories import SiteFactory


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

    rows = _rows(_download(world.alice, "consumption_monthly", {"first": "2025-03", "last": "2025-04"}))

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
    params = {"site": world.site_b.pk, "first": "2025-01-01", "last": "2025-01-31"}
    assert _download(world.alice, "consumption_daily", params).status_code == 404


def test_readings_export(world: Any) -> None:
    reading_add(world.site_a.pk, dt.date(2025, 1, 31), {"BASE": 1_234_500})

    rows = _rows(_download(world.alice, "consumption_readings", {"site": world.site_a.pk}))

    assert rows[1][2:] == (dt.datetime(2025, 1, 31), "Réel", "Relève périodique du distributeur", "BASE", 1234.5, "Non")


def test_period_too_long_is_refused(world: Any) -> None:
    response = _download(world.alice, "consumption_monthly", {"first": "2024-01", "last": "2025-06"})
    assert response.status_code == 400


def test_load_curve_export_has_naive_local_times(world: Any) -> None:
    load_curve_load_days(world.site_a.pk, dt.date(2025, 10, 26), 1, power_w=900)

    params = {"site": world.site_a.pk, "first": "2025-10-26", "last": "2025-10-26"}
    rows = _rows(_download(world.alice, "consumption_load_curve", params))

    assert len(rows) == 1 + 50  # the October day has 50 half-hours
    assert rows[0][1:3] == ("Fin de l'intervalle (heure locale)", "Décalage UTC (heures)")
    assert rows[1][1:3] == (dt.datetime(2025, 10, 26, 0, 30), 2)
    # The repeated hour: 02:00 and 02:30 twice, told apart by their offset.
    assert [r[1:3] for r in rows[4:8]] == [
        (dt.datetime(2025, 10, 26, 2, 0), 2),
        (dt.datetime(2025, 10, 26, 2, 30), 2),
        (dt.datetime(2025, 10, 26, 2, 0), 1),
        (dt.datetime(2025, 10, 26, 2, 30), 1),
    ]
    assert rows[-1][1:] == (dt.datetime(2025, 10, 27, 0, 0), 1, 900, 30)


# --- The curves page's export: the page's scope, member-scoped ---------------------------


def _export_link(page: Any) -> str:
    """The "Exporter (Excel)" link of a curves page (unescaped)."""
    match = re.search(r'href="([^"]+)">Exporter \(Excel\)</a>', page.content.decode())
    assert match, "the curves page offers no export"
    return html.unescape(match.group(1))


def _perimeter(member: Any, *sites: Any) -> Any:
    perimeter = BillingPerimeter.objects.create(member=member, name=f"Périmètre {member.pk}", segment="C5")
    for site in sites:
        BillingPerimeterSite.objects.create(perimeter=perimeter, site=site)
    return perimeter


def _read(client: Any, url: str) -> list[tuple[Any, ...]]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return _rows(response)


def test_the_curves_page_exports_its_site_perimeter_or_member(world: Any) -> None:
    other, in_perimeter = SiteFactory(member=world.member_a), SiteFactory(member=world.member_a)
    perimeter = _perimeter(world.member_a, in_perimeter)
    daily_load([world.site_a.pk, other.pk, in_perimeter.pk, world.site_b.pk], dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    client = logged_in(world.alice)
    curves = reverse("consumption:curves")
    period = {"debut": "2025-03", "fin": "2025-03"}  # the page's query string (French, as its form)

    site_rows = _read(client, _export_link(client.get(curves, {"site": world.site_a.pk, **period})))
    assert [(r[2], r[4], r[5]) for r in site_rows[1:]] == [
        (world.site_a.delivery_point, dt.datetime(2025, 3, 1), 310.0)
    ]

    perimeter_rows = _read(client, _export_link(client.get(curves, {"perimetre": perimeter.pk, **period})))
    assert [r[2] for r in perimeter_rows[1:]] == [in_perimeter.delivery_point]

    member_rows = _read(client, _export_link(client.get(curves, period)))
    assert sorted(r[2] for r in member_rows[1:]) == sorted(
        s.delivery_point for s in (world.site_a, other, in_perimeter)
    )
    assert {r[0] for r in member_rows[1:]} == {world.member_a.legal_name}


def test_a_coordinator_exports_the_member_chosen_on_the_page(world: Any) -> None:
    daily_load([world.site_a.pk, world.site_b.pk], dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    client = logged_in(world.carol)
    page = client.get(
        reverse("consumption:curves"), {"membre": world.member_b.pk, "debut": "2025-03", "fin": "2025-03"}
    )

    rows = _read(client, _export_link(page))

    assert [r[2] for r in rows[1:]] == [world.site_b.delivery_point]


def test_the_monthly_export_refuses_another_members_site_perimeter_or_member(world: Any) -> None:
    perimeter_b = _perimeter(world.member_b, world.site_b)
    period = {"first": "2025-03", "last": "2025-03"}
    for scope in ({"site": world.site_b.pk}, {"perimeter": perimeter_b.pk}, {"member": world.member_b.pk}):
        assert _download(world.alice, "consumption_monthly", {**scope, **period}).status_code == 404, scope
    # In the background too: no job is queued for a foreign site.
    response = logged_in(world.alice).post(
        reverse("reports:job_create"), {"report": "consumption_monthly", "site": world.site_b.pk, **period}
    )
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_the_monthly_export_takes_one_scope_at_most(world: Any) -> None:
    params = {"site": world.site_a.pk, "perimeter": 1, "first": "2025-03", "last": "2025-03"}
    response = _download(world.alice, "consumption_monthly", params)
    assert response.status_code == 400
    assert "pas plusieurs" in response.content.decode()
