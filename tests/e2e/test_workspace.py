"""An account manager searches a delivery point, opens the member, enters the read-only view of
its space, sees the banner and leaves it; axe-core on each page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from django_tenants.utils import tenant_context

from perimeter.demo import ACCOUNT_MANAGER_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET
from perimeter.models import Site
from tenants.models import Syndicate

pytestmark = pytest.mark.browser


def _accessible(page: Any) -> None:
    results = Axe().run(page)
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
    assert violations == [], page.url + "\n" + "\n".join(violations)


def test_search_open_the_member_and_see_its_space_read_only(page: Any, server_url: str) -> None:
    with tenant_context(Syndicate.objects.get(code="sdec")):
        site = Site.objects.filter(member__legal_name="Ville de Caen").order_by("pk").first()
        assert site is not None
        delivery_point = site.delivery_point
    parts = urlsplit(server_url)
    public = f"{parts.scheme}://localhost:{parts.port}"

    page.goto(public + "/backoffice/")
    page.get_by_label("Adresse e-mail").fill(ACCOUNT_MANAGER_EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.locator("input[name=code]").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(public + "/backoffice/")

    page.goto(public + "/backoffice/recherche/")
    page.get_by_label("PRM / PCE, SIRET / SIREN, numéro client, membre, site, adresse, e-mail").fill(delivery_point)
    result = page.locator("#search-results a").first
    result.wait_for()  # htmx answered as the user typed
    assert delivery_point in page.locator("#search-results").inner_text()
    _accessible(page)

    result.click()
    page.wait_for_url("**/backoffice/membres/sdec/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ville de Caen")
    _accessible(page)

    page.get_by_role("button", name="Voir l'espace du membre").click()
    page.get_by_role("link", name="Ouvrir l'espace en lecture seule").click()
    page.wait_for_url(server_url + "/")
    banner = page.get_by_role("region", name="Consultation en lecture seule")
    assert ACCOUNT_MANAGER_EMAIL in banner.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Ville de Caen"
    _accessible(page)

    page.get_by_role("button", name="Quitter la consultation").click()
    page.get_by_role("link", name="Retour à la fiche du membre (back-office)").click()
    page.wait_for_url("**/backoffice/membres/sdec/**")
    page.goto(server_url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion"  # the read-only session is gone
