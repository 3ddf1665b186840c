"""A member administrator makes a self-reading and looks at the consumption curves, in a real Chromium."""

from __future__ import annotations

import datetime as dt
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
