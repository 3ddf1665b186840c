"""A member asks for a power change from a site; the account manager plans and completes it in the
back-office; the member sees the request in the tracking table and the new power on the site.
axe-core finds no violation on any page of the way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from django_tenants.utils import tenant_context

from perimeter.demo import ACCOUNT_MANAGER_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.e2e.test_consumption import ADMIN, login

pytestmark = pytest.mark.browser


def _no_violations(page: Any) -> None:
    results = Axe().run(page)
    violations = [
        f"{page.url} {v['id']}: {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]
    assert violations == [], "\n".join(violations)


def _caen_supplied_site(code: str) -> Any:
    from perimeter.models import Site
    from tenants.models import Syndicate

    with tenant_context(Syndicate.objects.get(code=code)):
        site = (
            Site.objects.filter(
                member__legal_name="Ville de Caen",
                fluid="elec",
                status__in=["active", "to_confirm", "switch_confirmed"],
            )
            .order_by("pk")
            .first()
        )
        assert site is not None, "the small seed has a supplied electricity site in Caen"
        return site


def test_power_change_from_request_to_the_park(page: Any, server_url: str, e2e_syndicate: str) -> None:
    from technical_requests.workdays import add_working_days

    site = _caen_supplied_site(e2e_syndicate)
    new_power = "30" if site.subscribed_power_kva == 36 else "36"
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")

    page.goto(f"{server_url}/parc/sites/{site.pk}/")
    page.get_by_role("link", name="Faire une demande technique").click()
    page.wait_for_url(re.compile(r"/demandes-techniques/nouvelle/"))
    _no_violations(page)
    page.get_by_role("link", name="Modification de la puissance souscrite").click()
    page.locator("#id_new_power_kva").select_option(new_power)
    page.locator("#id_desired_date").fill(add_working_days(dt.date.today(), 6).isoformat())
    page.locator("#id_meter_access").select_option("free")
    _no_violations(page)
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_url(re.compile(r"/enregistree/$"))
    reference = page.locator(".message.success strong").inner_text()
    assert reference.startswith("DT-")
    _no_violations(page)

    page.goto(f"{server_url}/demandes-techniques/?q={reference}")
    row = page.locator("#requests-table tbody tr").first
    assert reference in row.inner_text()
    assert "Ouvert" in row.inner_text()
    _no_violations(page)
    row.get_by_role("link", name=re.compile("Voir")).click()
    _no_violations(page)

    # The account manager, on the supplier's address, with the second factor.
    public = server_url.replace(f"{e2e_syndicate}.localhost", "localhost")
    staff = page.context.browser.new_context().new_page()
    staff.goto(f"{public}/backoffice/demandes-techniques/")
    staff.locator("#id_email").fill(ACCOUNT_MANAGER_EMAIL)
    staff.locator("#id_password").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="Se connecter").click()
    staff.locator("#id_code").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    staff.get_by_role("button", name="Valider").click()
    staff.goto(f"{public}/backoffice/demandes-techniques/")
    _no_violations(staff)
    staff.get_by_role("link", name=reference).click()
    _no_violations(staff)
    staff.get_by_role("button", name="Transmettre au distributeur").click()
    staff.locator("#id_ref").fill("A12345678")
    staff.locator("#id_rdv").fill(add_working_days(dt.date.today(), 8).isoformat())
    staff.get_by_role("button", name=re.compile("Enregistrer")).click()
    assert "Planifiée" in staff.locator(".lead").inner_text()
    staff.get_by_role("button", name=re.compile("Terminer")).click()
    assert "Terminée" in staff.locator(".lead").inner_text()
    _no_violations(staff)

    page.goto(f"{server_url}/demandes-techniques/?q={reference}")
    assert "Terminée" in page.locator("#requests-table tbody tr").first.inner_text()
    page.goto(f"{server_url}/parc/sites/{site.pk}/")
    assert re.search(rf"Puissance souscrite\s+{new_power}([.,]0)? kVA", page.locator("dl.sheet").first.inner_text())
    _no_violations(page)
