"""The consumption-class chart of the park page and its data table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from perimeter.charts import consumption_class_distribution, distribution_figure
from perimeter.choices import SiteStatus
from perimeter.models import Site
from tests.conftest import TenantClient


def test_classes_are_counted_by_car_and_fluid_and_terminated_sites_left_out(
    world: Any, make_sites: Callable[..., list[Site]], max_queries: Any
) -> None:
    Site.objects.filter(pk=world.site_a.pk).update(car_kwh=None)  # "CAR non renseignée"
    make_sites(2, car_kwh=2_999)  # < 3 MWh
    make_sites(1, car_kwh=3_000)  # 3 to 10 (lower bound included)
    make_sites(3, car_kwh=9_999)  # 3 to 10
    make_sites(1, car_kwh=300_000)  # > 300
    make_sites(2, car_kwh=50_000, gas=True)  # 30 to 100, gas
    make_sites(1, car_kwh=2_000, status=SiteStatus.TERMINATED)
    make_sites(1, car_kwh=2_000, status=SiteStatus.OUT_OF_MARKET)
    make_sites(1, car_kwh=2_000, status=SiteStatus.ALREADY_TERMINATED)
    make_sites(4, member=world.member_b, car_kwh=2_000)  # another member: not in A's scope

    with max_queries(1):  # the one aggregate query
        distribution = consumption_class_distribution(Site.objects.filter(member=world.member_a))

    assert distribution.count("< 3 MWh", "elec") == 2
    assert distribution.count("3 à 10 MWh", "elec") == 4
    assert distribution.count("> 300 MWh", "elec") == 1
    assert distribution.count("30 à 100 MWh", "gas") == 2
    assert distribution.count("CAR non renseignée", "elec") == 1
    assert distribution.totals == {"elec": 8, "gas": 2}
    assert distribution.total == 10
    assert distribution.fluids == [("elec", "Électricité"), ("gas", "Gaz naturel")]

    figure = distribution_figure(distribution)
    assert [trace["name"] for trace in figure["data"]] == ["Électricité", "Gaz naturel"]
    assert figure["data"][0]["y"] == [2, 4, 0, 0, 0, 1, 1]
    assert figure["data"][1]["y"] == [0, 0, 0, 2, 0, 0, 0]


def test_a_park_without_gas_shows_only_electricity(world: Any) -> None:
    distribution = consumption_class_distribution(Site.objects.filter(member=world.member_a))
    assert distribution.fluids == [("elec", "Électricité")]
    assert [row.cells for row in distribution.rows][1] == [1]  # the world's site: 8,000 kWh


def test_page_embeds_the_figure_and_its_accessible_data_table(
    world: Any, alice_client: TenantClient, make_sites: Callable[..., list[Site]]
) -> None:
    make_sites(2, car_kwh=150_000)
    make_sites(5, car_kwh=150_000, status=SiteStatus.TERMINATED)
    response = alice_client.get(reverse("perimeter:park"))
    body = response.content.decode()
    assert response.status_code == 200
    # The figure travels as JSON data drawn by a static script (no inline script: CSP).
    assert '<script id="park-chart-figure" type="application/json">' in body
    assert "/static/vendor/plotly/plotly-basic.min.js" in body
    assert "/static/perimeter/park_chart.js" in body
    assert "<script>" not in body
    # Its data table alternative, right under it.
    assert "<caption>Nombre de sites par classe de consommation (3 sites fournis)</caption>" in body
    assert '<th scope="row">100 à 300 MWh</th>' in body
    assert response.context["distribution"].count("100 à 300 MWh", "elec") == 2
