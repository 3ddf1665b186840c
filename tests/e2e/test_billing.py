"""A member finds an invoice in the search, opens it and downloads its PDF, in a real Chromium.

The invoice is written (committed) in the seeded ``sdec`` syndicate for Ville de Caen by the
module's fixture, the way a billing run writes one (INSERTs only); the PDF's text, read back,
carries its number and its amount. Every page passes axe-core.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from tests.e2e.test_consumption import ADMIN, login

pytestmark = pytest.mark.browser

NUMBER = "FE2E-000042"


def _assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
    assert violations == [], "\n".join(violations)
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


@pytest.fixture(scope="module")
def caen_invoice(e2e_syndicate: str, django_db_blocker: Any) -> dict[str, Any]:
    """An issued two-site invoice of Ville de Caen, last month (committed: the server must see it)."""
    from invoicing.models import Invoice
    from perimeter.models import Site
    from tenants.models import Syndicate
    from tests.invoicing.factories import make_invoice, perimeter_for

    with django_db_blocker.unblock():
        syndicate = Syndicate.objects.get(code=e2e_syndicate)
        with tenant_context(syndicate):
            invoice = Invoice.objects.filter(number=NUMBER).first()
            if invoice is None:
                sites = list(Site.objects.filter(member__legal_name="Ville de Caen", fluid="elec").order_by("pk")[:2])
                member = sites[0].member
                this_month = timezone.localdate().replace(day=1)
                invoice = make_invoice(
                    member=member,
                    sites=sites,
                    number=NUMBER,
                    perimeter=perimeter_for(member, "Bâtiments communaux (test)"),
                    accounting_date=(this_month - dt.timedelta(days=1)).replace(day=1),
                )
            site_id = invoice.sites.order_by("position").values_list("site_id", flat=True).first()
            return {"pk": invoice.pk, "number": invoice.number, "total": invoice.total_incl_vat, "site_id": site_id}


def _french_amount(value: Any) -> str:
    """12345.67 → "12 345,67" as the PDF prints it (narrow no-break space between thousands)."""
    whole, _, cents = f"{value:.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return "\u202f".join(groups) + "," + cents


def test_a_member_finds_an_invoice_and_downloads_its_pdf(page: Any, server_url: str, caen_invoice: dict) -> None:
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Facturation").click()
    page.wait_for_url(server_url + "/facturation/")
    assert page.get_by_role("heading", level=1).inner_text() == "Facturation"
    page.locator(".chart[data-rendered='true']").wait_for()  # the plotly chart drew
    _assert_accessible(page)

    page.get_by_label("Type").select_option("invoice")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/facturation/?*kind=invoice*")
    page.get_by_role("link", name=caen_invoice["number"]).click()

    page.wait_for_url(f"{server_url}/facturation/factures/{caen_invoice['pk']}/")
    assert caen_invoice["number"] in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("#recapitulatif tbody tr").count() == 2
    _assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Télécharger le PDF de {caen_invoice['number']}").click()
    download = download_info.value
    assert download.suggested_filename == f"facture-{caen_invoice['number']}.pdf"
    text = "".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert caen_invoice["number"] in text
    assert _french_amount(caen_invoice["total"]) in text.replace(" ", "\u202f")


def test_the_per_site_tracking_page_is_accessible(page: Any, server_url: str, caen_invoice: dict) -> None:
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")
    page.goto(f"{server_url}/facturation/sites/{caen_invoice['site_id']}/")
    assert "Suivi des factures" in page.get_by_role("heading", level=1).inner_text()
    assert caen_invoice["number"] in page.locator("#suivi-site").inner_text()
    _assert_accessible(page)
