"""The Facturation pages: search (chart, table, export link), invoice, per-site tracking; home panels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from invoicing.filtersets import add_months
from tests.conftest import logged_in
from tests.factories import SiteFactory
from tests.invoicing.factories import make_credit_note, make_invoice


def _this_month(day: int = 1) -> dt.date:
    return timezone.localdate().replace(day=day)


def test_the_search_lists_the_members_invoices_with_the_chart_and_its_table(world: Any, alice_client: Any) -> None:
    first = add_months(_this_month(), -2)
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=first)
    credit = make_credit_note(invoice, accounting_date=add_months(first, 1))
    kept = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=add_months(first, 2))
    foreign = make_invoice(member=world.member_b, sites=[world.site_b], accounting_date=first)

    response = alice_client.get(reverse("invoicing:home"))

    assert response.status_code == 200
    body = response.content.decode()
    for number in (invoice.number, credit.number, kept.number):
        assert number in body
    assert foreign.number not in body
    assert "Annulée par" in body
    rows = response.context["month_rows"]
    assert len(rows) == 12  # the last twelve months, one line each
    assert rows[-3].amount_incl_vat == invoice.total_incl_vat
    assert rows[-2].amount_incl_vat == -invoice.total_incl_vat  # the credit note's month
    assert rows[-1].amount_incl_vat == kept.total_incl_vat
    assert response.context["total_amount"] == kept.total_incl_vat
    assert response.context["figure"]["data"][0]["type"] == "bar"
    assert 'id="montants-mensuels"' in body  # the chart's accessible table
    assert "/exports/direct/invoices/?" in body


def test_a_period_over_twelve_months_shows_the_message_and_no_invoice(world: Any, alice_client: Any) -> None:
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 6, 1))

    response = alice_client.get(reverse("invoicing:home"), {"first": "2024-01", "last": "2025-12"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "La période de recherche est limitée à 12 mois" in body
    assert response.context["table"].page.paginator.count == 0


def test_the_search_pages_and_sorts_the_table(world: Any, alice_client: Any) -> None:
    for day in range(1, 28):
        make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 6, day))
    for day in range(1, 28):
        make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 7, day))

    response = alice_client.get(reverse("invoicing:home"), {"first": "2025-06", "last": "2025-07", "page": "2"})

    table = response.context["table"]
    assert table.page.paginator.count == 54
    assert len(table.page.object_list) == 4
    assert table.page.object_list[0]["accounting_date"] == dt.date(2025, 6, 4)  # newest first by default
    ascending = alice_client.get(
        reverse("invoicing:home"), {"first": "2025-06", "last": "2025-07", "sort": "accounting_date"}
    )
    assert ascending.context["table"].page.object_list[0]["accounting_date"] == dt.date(2025, 6, 1)


def test_the_search_takes_a_bounded_number_of_queries(world: Any, alice_client: Any, max_queries: Any) -> None:
    sites = [SiteFactory(member=world.member_a) for _ in range(5)]
    for month in range(1, 13):
        for site in sites:
            make_invoice(member=world.member_a, sites=[site], accounting_date=dt.date(2025, month, 1))

    # Domain, session, user, the header's member, the session's save (3): 7 whatever the page; then
    # the chart, the count, the rows, the perimeters and the sites of the form.
    with max_queries(12):
        response = alice_client.get(reverse("invoicing:home"), {"first": "2025-01", "last": "2025-12"})

    assert response.context["table"].page.paginator.count == 60


def test_a_user_without_the_billing_right_is_refused(world: Any) -> None:
    from accounts.choices import Module, Role
    from tests.factories import UserFactory

    eve = UserFactory(email="eve@a.test", role=Role.MEMBER_USER, member=world.member_a, modules=[Module.PARK])
    assert logged_in(eve).get(reverse("invoicing:home")).status_code == 403


def test_the_invoice_page_shows_the_recap_per_site_and_each_sites_lines(world: Any, alice_client: Any) -> None:
    second = SiteFactory(member=world.member_a, site_name="École Jules Ferry")
    invoice = make_invoice(member=world.member_a, sites=[world.site_a, second], accounting_date=dt.date(2025, 6, 1))
    credit = make_credit_note(invoice)

    response = alice_client.get(reverse("invoicing:invoice_detail", kwargs={"pk": invoice.pk}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "École Jules Ferry" in body
    assert world.site_a.delivery_point in body
    assert "TVA 5,5 %" in body
    assert "TVA 20 %" in body
    assert "Part fixe de soutirage" in body
    assert reverse("invoicing:invoice_detail", kwargs={"pk": credit.pk}) in body  # cancelled by
    recap_rows = response.context["recap_rows"]
    assert [site.part.site_name for site, _vats in recap_rows] == [world.site_a.site_name, "École Jules Ferry"]
    # Amounts excluding VAT add up; the VAT is rounded per rate on the invoice's whole base.
    assert sum(site.part.total_excl_vat for site, _ in recap_rows) == invoice.total_excl_vat

    credit_page = alice_client.get(reverse("invoicing:invoice_detail", kwargs={"pk": credit.pk}))
    assert reverse("invoicing:invoice_detail", kwargs={"pk": invoice.pk}) in credit_page.content.decode()


def test_the_page_of_a_500_site_invoice_takes_a_bounded_number_of_queries(
    world: Any, alice_client: Any, max_queries: Any
) -> None:
    from perimeter.models import Site

    sites = Site.objects.bulk_create(SiteFactory.build(member=world.member_a, lot=world.site_a.lot) for _ in range(500))
    invoice = make_invoice(member=world.member_a, sites=sites)

    # 7 whatever the page (domain, session, user, member, session save); then the invoice, its
    # sites, the sums per site and rate, the lines of the page's sites, the VAT per rate.
    with max_queries(12):
        response = alice_client.get(reverse("invoicing:invoice_detail", kwargs={"pk": invoice.pk}), {"page": "3"})

    assert response.status_code == 200
    assert len(response.context["recap_rows"]) == 500
    assert len(response.context["detail_sites"]) == 20
    assert response.context["detail_sites"][0].part.position == 41


def test_another_members_invoice_is_not_found(world: Any, alice_client: Any) -> None:
    foreign = make_invoice(member=world.member_b, sites=[world.site_b])

    assert alice_client.get(reverse("invoicing:invoice_detail", kwargs={"pk": foreign.pk})).status_code == 404
    assert alice_client.get(reverse("invoicing:site_invoices", kwargs={"pk": world.site_b.pk})).status_code == 404


def test_the_coordinator_reads_every_members_invoice(world: Any, carol_client: Any) -> None:
    foreign = make_invoice(member=world.member_b, sites=[world.site_b])

    assert carol_client.get(reverse("invoicing:invoice_detail", kwargs={"pk": foreign.pk})).status_code == 200
    body = carol_client.get(reverse("invoicing:home")).content.decode()
    assert foreign.number in body
    assert world.member_b.legal_name in body  # the member column


def test_the_per_site_page_gives_the_sites_invoices_and_the_cumulated_amount(world: Any, alice_client: Any) -> None:
    other = SiteFactory(member=world.member_a)
    first = make_invoice(member=world.member_a, sites=[world.site_a, other], accounting_date=dt.date(2025, 5, 1))
    second = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 6, 1))
    credit = make_credit_note(second, accounting_date=dt.date(2025, 6, 15))

    response = alice_client.get(reverse("invoicing:site_invoices", kwargs={"pk": world.site_a.pk}))

    assert response.status_code == 200
    part_of_first = first.sites.get(site=world.site_a)
    assert response.context["total_incl_vat"] == part_of_first.total_incl_vat  # second and its credit note cancel out
    parts = list(response.context["page"].object_list)
    assert [p.invoice_id for p in parts] == [credit.pk, second.pk, first.pk]
    assert parts[-1].cumulated == part_of_first.total_incl_vat
    assert parts[1].cumulated == part_of_first.total_incl_vat + second.total_incl_vat


def test_the_technical_sheet_links_to_the_sites_invoices(world: Any, alice_client: Any) -> None:
    body = alice_client.get(reverse("perimeter:site_detail", kwargs={"pk": world.site_a.pk})).content.decode()

    assert reverse("invoicing:site_invoices", kwargs={"pk": world.site_a.pk}) in body


def test_the_home_page_shows_the_amount_and_volume_billed_over_three_months(world: Any, bob_client: Any) -> None:
    this_month = _this_month()
    recent = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=this_month, kwh=1500)
    older = make_invoice(
        member=world.member_a, sites=[world.site_a], accounting_date=add_months(this_month, -2), kwh=500
    )
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=add_months(this_month, -3), kwh=9999)

    response = bob_client.get(reverse("ui:home"))

    billing = response.context["billing"]
    assert billing["amount"] == recent.total_incl_vat + older.total_incl_vat
    assert billing["kwh"] == Decimal("2000")
    assert len(billing["months"]) == 3
    assert "Facturation des trois derniers mois" in response.content.decode()


def test_the_home_page_has_no_billing_panel_without_the_right(world: Any) -> None:
    from accounts.choices import Module, Role
    from tests.factories import UserFactory

    eve = UserFactory(email="eve@a.test", role=Role.MEMBER_USER, member=world.member_a, modules=[Module.PARK])
    response = logged_in(eve).get(reverse("ui:home"))

    assert response.context["billing"] is None
    assert "Facturation des trois derniers mois" not in response.content.decode()


def test_the_consumption_home_shows_the_billed_consumption_beside_the_metered_one(world: Any, bob_client: Any) -> None:
    from consumption.partitions import add_months as consumption_add_months
    from tests.consumption.meterdata import daily_load

    this_month = _this_month()
    first = consumption_add_months(this_month, -11)
    daily_load([world.site_a.pk], first, timezone.localdate() - dt.timedelta(days=1), kwh=10.0)
    make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=add_months(this_month, -1), kwh=321)

    response = bob_client.get(reverse("consumption:home"))

    table = response.context["tables"][0]
    assert table["billed"] is True
    billed = {row.month: value for row, value in table["lines"]}
    assert billed[add_months(this_month, -1)] == Decimal("321")
    assert billed[this_month] is None
    assert "Consommation facturée (kWh)" in response.content.decode()


def test_the_pdf_downloads_as_an_attachment_named_after_the_number(world: Any, alice_client: Any) -> None:
    import io

    from pypdf import PdfReader

    invoice = make_invoice(member=world.member_a, sites=[world.site_a], accounting_date=dt.date(2025, 6, 1))

    response = alice_client.get(reverse("invoicing:invoice_pdf", kwargs={"pk": invoice.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="facture-{invoice.number}.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert invoice.number in text
    assert world.site_a.delivery_point in text


def test_the_pdf_of_a_500_site_invoice_takes_a_bounded_number_of_queries(world: Any, max_queries: Any) -> None:
    from invoicing.pdf_build import invoice_document
    from invoicing.selectors import get_invoice_for
    from perimeter.models import Site

    sites = Site.objects.bulk_create(SiteFactory.build(member=world.member_a, lot=world.site_a.lot) for _ in range(500))
    make_invoice(member=world.member_a, sites=sites, accounting_date=dt.date(2026, 2, 1), kwh=700)
    later = make_invoice(member=world.member_a, sites=sites, accounting_date=dt.date(2026, 3, 1), kwh=900)
    invoice = get_invoice_for(world.alice, later.pk)

    with max_queries(4):  # sites, lines, history, VAT
        document = invoice_document(invoice)

    assert len(document.sites) == 500
    assert document.totals.incl_vat == invoice.total_incl_vat
    history = {m.month: m.kwh for m in document.sites[0].history}
    assert len(history) == 13
    assert history[dt.date(2026, 1, 1)] == Decimal("700")  # the earlier invoice's consumption (January)
    assert history[dt.date(2026, 2, 1)] == Decimal("900")


def test_the_api_gives_the_pdf(world: Any, alice_client: Any) -> None:
    invoice = make_invoice(member=world.member_a, sites=[world.site_a])

    response = alice_client.get(f"/api/v1/invoices/{invoice.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert invoice.number in response["Content-Disposition"]


def test_the_search_at_the_ends_of_the_calendar_answers(world: Any, alice_client: Any) -> None:
    for query in ({"first": "9999-12"}, {"last": "0001-01-01"}, {"first": "9999-01", "last": "9999-12"}):
        assert alice_client.get(reverse("invoicing:home"), query).status_code == 200


def test_the_search_form_keeps_the_chosen_site_and_perimeter(world: Any, alice_client: Any) -> None:
    from tests.invoicing.factories import perimeter_for

    perimeter = perimeter_for(world.member_a, "Écoles <primaires>")
    response = alice_client.get(reverse("invoicing:home"), {"site": world.site_a.pk, "perimeter": perimeter.pk})

    body = response.content.decode()
    assert f'<option value="{world.site_a.pk}" selected>' in body
    assert f'<option value="{perimeter.pk}" selected>Écoles &lt;primaires&gt;</option>' in body
