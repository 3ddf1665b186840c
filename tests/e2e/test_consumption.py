"""A member administrator makes a self-reading and looks at the consumption curves, in a real Chromium."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.e2e.test_home import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "admin@caen.demo"


def login(page: Any, server_url: str, email: str) -> None:
    page.goto(server_url + "/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _caen_sites(syndicate_code: str) -> dict[str, Any]:
    from consumption.models import LoadCurvePoint, MonthlyEnergy
    from consumption.selfreading import last_indexes
    from perimeter.models import Site
    from tenants.models import Syndicate

    syndicate = Syndicate.objects.get(code=syndicate_code)
    with tenant_context(syndicate):
        sites = Site.objects.filter(member__legal_name="Ville de Caen", fluid="elec").order_by("pk")
        manual = sites.filter(meter_communicating=False).first()
        assert manual is not None, "the small seed has a non-communicating meter in Caen"
        communicating = sites.filter(meter_communicating=True).first()
        assert communicating is not None, "the small seed has a communicating meter in Caen"
        with_data = sites.filter(pk__in=MonthlyEnergy.objects.values("site_id")).first()
        curve_site_id = (
            LoadCurvePoint.objects.filter(site__in=sites).order_by("site_id").values_list("site_id", flat=True).first()
        )
        assert curve_site_id is not None, "the small seed gives some of Caen's sites a load curve"
        last = last_indexes(manual.pk, before=timezone.localdate() + dt.timedelta(days=1))
        return {
            "manual": manual,
            "communicating": communicating,
            "last": {post: index.index_wh // 1000 for post, index in last.items()},
            "with_data": with_data,
            "curve_site_id": curve_site_id,
        }


@pytest.fixture
def caen(e2e_syndicate: str, django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return _caen_sites(e2e_syndicate)


def test_admin_makes_a_self_reading_on_a_non_communicating_meter(page: Any, server_url: str, caen: dict) -> None:
    site = caen["manual"]
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")

    page.goto(f"{server_url}/consommation/sites/{site.pk}/auto-releve/")
    assert page.get_by_role("heading", name="Faire une auto-relève").is_visible()
    for field in page.locator("input[name^=index_]").all():
        post = field.get_attribute("name").removeprefix("index_")
        field.fill(str(caen["last"].get(post, 0) + 12))
    page.get_by_label("Contact supplémentaire en copie").fill("elu@caen.demo")
    page.get_by_label("Je confirme que ma saisie est exacte en date du").check()
    page.get_by_role("button", name="Envoyer l'auto-relève").click()

    page.wait_for_url(f"{server_url}/consommation/sites/{site.pk}/releves/")
    assert "Auto-relève enregistrée" in page.locator(".messages").inner_text()
    first_row = page.locator("#releves tbody tr").first
    assert "Auto-relève" in first_row.inner_text()

    results = Axe().run(page)
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
    assert violations == [], "\n".join(violations)


def test_a_communicating_meter_is_refused_in_the_browser(page: Any, server_url: str, caen: dict) -> None:
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")
    page.goto(f"{server_url}/consommation/sites/{caen['communicating'].pk}/auto-releve/")

    assert "Ce compteur est communicant" in page.get_by_role("alert").inner_text()
    assert page.locator("input[name^=index_]").count() == 0
    assert page.get_by_role("button", name="Envoyer l'auto-relève").count() == 0
    # Its readings page offers no self-reading either.
    page.goto(f"{server_url}/consommation/sites/{caen['communicating'].pk}/releves/")
    assert page.get_by_role("link", name="Faire une auto-relève").count() == 0


def test_curves_page_draws_the_chart_and_has_its_data_table(page: Any, server_url: str, caen: dict) -> None:
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")

    page.goto(f"{server_url}/consommation/courbes/?site={caen['with_data'].pk}&comparer=on")
    page.wait_for_selector("#consumption-chart[data-rendered=true] .main-svg", timeout=15_000)
    assert page.locator("#consumption-chart .bars path").count() > 0
    table = page.locator("#donnees-mensuelles")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 12
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors

    results = Axe().run(page)
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
    assert violations == [], "\n".join(violations)


def test_consumption_home_draws_the_monthly_chart_with_its_cumulated_line(
    page: Any, server_url: str, caen: dict
) -> None:
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")

    page.goto(f"{server_url}/consommation/")
    chart = "#graphique-mensuel-elec"
    page.wait_for_selector(f"{chart}[data-rendered=true] .main-svg", timeout=15_000)
    assert page.locator(f"{chart} .bars path").count() > 0
    assert page.locator(f"{chart} .scatterlayer .trace").count() == 1  # the running total
    assert page.locator(f"{chart} .g-y2title").text_content() == "kWh cumulés"
    assert page.locator("#donnees-mensuelles-elec tbody tr").count() == 12
    assert not page.console_errors, page.console_errors

    results = Axe().run(page)
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
    assert violations == [], "\n".join(violations)


def test_load_curve_page_draws_the_curve_with_a_range_slider(page: Any, server_url: str, caen: dict) -> None:
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")

    page.goto(f"{server_url}/consommation/sites/{caen['curve_site_id']}/courbe-de-charge/")
    page.wait_for_selector("#load-curve-chart[data-rendered=true]", timeout=15_000)
    assert page.locator("#load-curve-chart .rangeslider-container").count() == 1
    assert page.locator("#donnees-courbe").count() == 1
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors

    results = Axe().run(page)
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
    assert violations == [], "\n".join(violations)


# The last Sunday of October 2019: Paris goes back from UTC+2 to UTC+1 at 01:00 UTC, so
# the local hour 02:00-03:00 happens twice (50 half-hours that day). Far from the seed's dates.
OCTOBER_CHANGE = dt.date(2019, 10, 27)


@pytest.fixture(scope="session")
def october_curve_site(e2e_syndicate: str, django_db_blocker: Any) -> int:
    """A Caen site with a flat half-hourly curve on the October change (committed: the server reads it)."""
    from tenants.models import Syndicate
    from tests.consumption.meterdata import load_curve_load_days

    with django_db_blocker.unblock():
        site_id = int(_caen_sites(e2e_syndicate)["curve_site_id"])
        with tenant_context(Syndicate.objects.get(code=e2e_syndicate)):
            load_curve_load_days(site_id, OCTOBER_CHANGE, 1, power_w=1200)
    return site_id


@pytest.fixture
def paris_page(browser: Any) -> Iterator[Any]:
    """A page in a browser set to Paris time, as the members' are (plotly reads dates in the browser's zone)."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def test_load_curve_draws_the_october_repeated_hour_twice_with_distinct_labels(
    paris_page: Any, server_url: str, october_curve_site: int
) -> None:
    page = paris_page
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")
    day = OCTOBER_CHANGE.isoformat()

    page.goto(f"{server_url}/consommation/sites/{october_curve_site}/courbe-de-charge/?debut={day}&fin={day}")
    page.wait_for_selector("#load-curve-chart[data-rendered=true]", timeout=15_000)

    curve = page.evaluate(
        """() => {
          const trace = document.getElementById("load-curve-chart").data.find((t) => t.name === "Puissance (W)");
          return { x: Array.from(trace.x), text: Array.from(trace.text) };
        }"""
    )
    assert len(curve["x"]) == len(set(curve["x"])) == 50
    assert curve["x"] == sorted(curve["x"])
    twos = [label for label in curve["text"] if "27/10/2019 02:00" in label]
    assert twos == ["27/10/2019 02:00 (UTC+2)", "27/10/2019 02:00 (UTC+1)"]
    assert "27/10/2019 04:00" in curve["text"]  # no offset where the local time is unambiguous

    # Zoomed on the change, the axis ticks are Paris times, the repeated ones with their offset.
    start = int(dt.datetime(2019, 10, 26, 23, 30, tzinfo=dt.UTC).timestamp() * 1000)
    end = int(dt.datetime(2019, 10, 27, 2, 30, tzinfo=dt.UTC).timestamp() * 1000)
    page.evaluate(f"() => Plotly.relayout('load-curve-chart', {{'xaxis.range': [{start}, {end}]}})")
    page.wait_for_function(
        "() => (document.getElementById('load-curve-chart').layout.xaxis.ticktext || []).includes('01:30')"
    )
    ticks = page.evaluate("() => document.getElementById('load-curve-chart').layout.xaxis.ticktext")
    assert ticks == ["01:30", "02:00 (UTC+2)", "02:30 (UTC+2)", "02:00 (UTC+1)", "02:30 (UTC+1)", "03:00", "03:30"]
    drawn = page.locator("#load-curve-chart .xaxislayer-above .xtick text").all_text_contents()
    assert "02:00 (UTC+1)" in drawn, drawn
    assert not page.console_errors, page.console_errors
