"""The park page (filters, sorting, pagination, htmx, bounded queries) and the technical sheet."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from perimeter.choices import SiteStatus
from perimeter.models import Site
from perimeter.services import site_change_status
from tests.conftest import TenantClient

PARK = "/parc/"


def _names(response: Any) -> list[str]:
    return [row["site_name"] for row in response.context["table"].page.object_list]


def test_park_url() -> None:
    assert reverse("perimeter:park") == PARK


def test_member_sees_only_own_sites_without_member_column(
    world: Any, alice_client: TenantClient, make_sites: Callable[..., list[Site]]
) -> None:
    make_sites(1, member=world.member_b, site_name="Piscine de Bravo")
    response = alice_client.get(PARK)
    body = response.content.decode()
    assert response.status_code == 200
    assert world.site_a.delivery_point in body
    assert world.site_b.delivery_point not in body
    assert "Piscine de Bravo" not in body
    assert reverse("perimeter:site_detail", kwargs={"pk": world.site_a.pk}) in body
    assert "Membre" not in [str(h.column.label) for h in response.context["table"].headers]


def test_coordinator_sees_every_member_with_member_column_and_filter(world: Any, carol_client: TenantClient) -> None:
    response = carol_client.get(PARK)
    body = response.content.decode()
    assert world.site_a.delivery_point in body
    assert world.site_b.delivery_point in body
    assert "Commune de Bravo" in body
    assert world.site_beta.delivery_point not in body
    assert '<select name="member" id="id_member">' in body
    response = carol_client.get(PARK, {"member": world.member_b.pk})
    assert _names(response) == [world.site_b.site_name]


def test_coordinator_has_no_edit_link(world: Any, carol_client: TenantClient) -> None:
    response = carol_client.get(reverse("perimeter:site_detail", kwargs={"pk": world.site_b.pk}))
    assert response.status_code == 200
    assert reverse("perimeter:site_labels", kwargs={"pk": world.site_b.pk}) not in response.content.decode()


def test_user_without_park_right_is_refused(world: Any, bob_client: TenantClient) -> None:
    assert bob_client.get(PARK).status_code == 403
    assert bob_client.get(reverse("perimeter:site_detail", kwargs={"pk": world.site_a.pk})).status_code == 403


def test_filters(world: Any, alice_client: TenantClient, make_sites: Callable[..., list[Site]]) -> None:
    make_sites(1, site_name="Gymnase gaz", gas=True, city="Bayeux")
    make_sites(1, site_name="École Jules Ferry", segment="C4", tariff_formula="BTSUPCU", city="Hérouville")
    make_sites(1, site_name="Mairie annexe", status=SiteStatus.TERMINATED, address_line="3 rue des Lilas")
    assert _names(alice_client.get(PARK, {"fluid": "gas"})) == ["Gymnase gaz"]
    assert _names(alice_client.get(PARK, {"segment": "C4"})) == ["École Jules Ferry"]
    assert _names(alice_client.get(PARK, {"status": SiteStatus.TERMINATED})) == ["Mairie annexe"]
    assert _names(alice_client.get(PARK, {"commune": "bayeux"})) == ["Gymnase gaz"]
    assert _names(alice_client.get(PARK, {"q": "lilas"})) == ["Mairie annexe"]
    assert _names(alice_client.get(PARK, {"q": "jules ferry"})) == ["École Jules Ferry"]
    # The member filter never widens a member user's scope.
    assert _names(alice_client.get(PARK, {"member": world.member_b.pk})) == []
    # An invalid value empties the list with a message rather than ignoring the filter.
    response = alice_client.get(PARK, {"status": "bogus"})
    assert _names(response) == []
    assert "Certains filtres sont invalides" in response.content.decode()


def test_sorting_whitelisted(world: Any, alice_client: TenantClient, make_sites: Callable[..., list[Site]]) -> None:
    Site.objects.filter(pk=world.site_a.pk).update(site_name="Mairie", city="Caen")
    make_sites(1, site_name="Abattoir", city="Vire")
    make_sites(1, site_name="Zoo", city="Bayeux")
    assert _names(alice_client.get(PARK)) == ["Abattoir", "Mairie", "Zoo"]
    assert _names(alice_client.get(PARK, {"sort": "-site_name"})) == ["Zoo", "Mairie", "Abattoir"]
    response = alice_client.get(PARK, {"sort": "city"})
    assert _names(response) == ["Zoo", "Mairie", "Abattoir"]
    assert 'aria-sort="ascending"' in response.content.decode()
    # An unknown key (or an attempt at another field) falls back to the default order.
    assert _names(alice_client.get(PARK, {"sort": "member__siret"})) == ["Abattoir", "Mairie", "Zoo"]


def test_pagination_50_per_page_keeps_filters(
    world: Any, alice_client: TenantClient, make_sites: Callable[..., list[Site]]
) -> None:
    make_sites(120, city="Caen")
    response = alice_client.get(PARK, {"commune": "Caen", "page": "3"})
    table = response.context["table"]
    assert table.page.paginator.count == 121
    assert table.page.number == 3
    assert len(table.page.object_list) == 21
    body = response.content.decode()
    assert "Page 3 sur 3" in body
    assert "?commune=Caen&amp;page=2" in body
    assert len(alice_client.get(PARK, {"page": 1}).context["table"].page.object_list) == 50
    assert alice_client.get(PARK, {"page": "999"}).context["table"].page.number == 3  # last page, not an error


def test_htmx_filter_change_returns_the_table_alone(world: Any, alice_client: TenantClient) -> None:
    htmx = {"HX-Request": "true", "HX-Target": "park-table"}
    response = alice_client.get(PARK, {"q": world.site_a.site_name}, headers=htmx)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="park-table"')
    assert "<html" not in body
    assert "park-chart" not in body
    assert world.site_a.delivery_point in body


def test_page_works_without_javascript(world: Any, alice_client: TenantClient) -> None:
    body = alice_client.get(PARK).content.decode()
    assert '<form method="get" action="/parc/" class="filters"' in body
    assert 'href="?sort=-site_name"' in body


def test_export_buttons_use_the_reports_framework(world: Any, alice_client: TenantClient) -> None:
    body = alice_client.get(PARK).content.decode()
    assert f'action="{reverse("reports:job_create")}"' in body
    assert '<input type="hidden" name="report" value="perimeter_file">' in body
    assert reverse("reports:direct_download", kwargs={"report": "perimeter_file"}) in body


def test_export_request_from_the_park_page_creates_a_job(world: Any, alice_client: TenantClient) -> None:
    from reports.models import ExportJob

    response = alice_client.post(reverse("reports:job_create"), {"report": "perimeter_file"})
    assert response.status_code == 302
    assert ExportJob.objects.filter(report="perimeter_file").exists()


@pytest.mark.parametrize("n_sites", [10, 300])
def test_park_page_queries_do_not_grow_with_sites(
    world: Any,
    alice_client: TenantClient,
    carol_client: TenantClient,
    make_sites: Callable[..., list[Site]],
    n_sites: int,
    max_queries: Any,
) -> None:
    make_sites(n_sites - 1)
    make_sites(n_sites // 3, gas=True)
    # Every request: the tenant's domain, the session, the user, and the session's idle
    # timestamp written back (savepoint, update, release) = 6.
    # Member user: + the table's count and page, the chart's aggregate, the header's member = 10.
    with max_queries(10):
        response = alice_client.get(PARK, {"page": 2})
    assert response.status_code == 200
    # Coordinator: + count, page, chart, the members of the member filter (no member in the header) = 10.
    with max_queries(10):
        response = carol_client.get(PARK, {"fluid": "elec", "sort": "city"})
    assert response.status_code == 200
    # htmx partial: + count and page = 8.
    with max_queries(8):
        alice_client.get(PARK, {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="park-table")


def test_technical_sheet_shows_technical_data_history_and_labels(
    world: Any, alice_client: TenantClient, max_queries: Any
) -> None:
    site = world.site_a
    Site.objects.filter(pk=site.pk).update(
        meter_serial="021765432109",
        meter_communicating=False,
        internal_reference="BAT-12",
        other_reference="Budget eau",
    )
    site_change_status(site=site, to_status=SiteStatus.SWITCH_CONFIRMED, by=world.alice)
    site_change_status(
        site=site, to_status=SiteStatus.ACTIVE, by_label="Enedis (flux)", effective_date=dt.date(2025, 1, 1)
    )
    # The 6 of every request (domain, session, user, session write-back) + the site with
    # its member, lot and contact, its history, its readings, the header's member = 10.
    with max_queries(10):
        response = alice_client.get(reverse("perimeter:site_detail", kwargs={"pk": site.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        site.delivery_point,
        "021765432109",
        "Non communicant",
        "C5",
        "Base",
        "BTINFCUST",
        "12,0 kVA" if "12,0 kVA" in body else "12.0 kVA",
        "8000 kWh",
        "Enedis",
        "BAT-12",
        "Budget eau",
        "Bascule confirmée",
        "En service",
        "01/01/2025",
        "alice@a.test",
        "Enedis (flux)",
        "Aucune relève disponible",
        "Modifier les libellés",
    ]:
        assert text in body, text
    history = response.context["history"]
    assert [c.to_status for c in history] == [SiteStatus.ACTIVE, SiteStatus.SWITCH_CONFIRMED]


def test_technical_sheet_of_another_member_is_404(world: Any, alice_client: TenantClient) -> None:
    assert alice_client.get(reverse("perimeter:site_detail", kwargs={"pk": world.site_b.pk})).status_code == 404


def test_table_export_gives_the_filtered_sites_with_the_table_columns(
    world: Any, alice_client: TenantClient, make_sites: Callable[..., list[Site]]
) -> None:
    make_sites(1, site_name="Gymnase gaz", gas=True, city="Bayeux")
    make_sites(2, city="Vire")
    page = alice_client.get(PARK, {"commune": "Vire", "sort": "-site_name"}).content.decode()
    url = reverse("reports:direct_download", kwargs={"report": "park_sites"})
    assert f"{url}?commune=Vire&amp;sort=-site_name&amp;format=xlsx" in page
    response = alice_client.get(url, {"commune": "Vire", "sort": "-site_name", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    rows: list[Any] = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Énergie", "Membre", "Nom du site")
    assert len(rows) == 3
    assert {row[6] for row in rows[1:]} == {"Vire"}
    assert [row[1] for row in rows[1:]] == ["Ville d'Alpha", "Ville d'Alpha"]
    assert rows[1][2] > rows[2][2]  # sorted as the table


def test_table_export_never_widens_the_scope(world: Any, alice_client: TenantClient) -> None:
    url = reverse("reports:direct_download", kwargs={"report": "park_sites"})
    response = alice_client.get(url, {"member": world.member_b.pk, "format": "xlsx"})
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))  # type: ignore[attr-defined,union-attr]
    assert len(rows) == 1  # the header alone
    assert alice_client.get(url, {"bogus": "1", "format": "xlsx"}).status_code == 400


def test_technical_sheet_shows_the_latest_readings_from_consumption(world: Any, alice_client: TenantClient) -> None:
    """The readings come from the consumption app through perimeter.extensions (no import of it here)."""
    import datetime as dt

    from tests.consumption.meterdata import reading_add

    reading_add(world.site_a.pk, dt.date(2025, 10, 31), {"BASE": 12_345_000})
    body = alice_client.get(f"/parc/sites/{world.site_a.pk}/").content.decode()
    assert "31/10/2025" in body
    assert "12345" in body
    assert "Aucune relève disponible" not in body
