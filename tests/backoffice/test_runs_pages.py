"""Back-office pages of the billing runs: list, start (idempotent), htmx progress, report workbook."""

from __future__ import annotations

import datetime as dt
import html
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.models import AuditEvent
from invoicing.choices import RunCalendar, RunStatus
from invoicing.models import BillingRun, Invoice
from tenants.db import connection
from tests.conftest import ALPHA_HOST, TenantClient
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs or None, urlconf=PUBLIC)


def _call(
    client: TenantClient, world: Any, method: str, url: str, data: dict[str, Any] | None = None, **extra: Any
) -> Any:
    response = getattr(client, method)(url, data or {}, **extra)
    connection.set_tenant(world.alpha)
    return response


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def finished_run(world: Any) -> BillingRun:
    now = timezone.now()
    return BillingRun.objects.create(
        calendar=RunCalendar.ESTIMATED,
        issue_date=dt.date(2026, 3, 1),
        status=RunStatus.DONE,
        requested_by="calendrier",
        started_at=now - dt.timedelta(minutes=3),
        finished_at=now,
        perimeters_total=12,
        perimeters_done=12,
        invoices_issued=12,
        sites_billed=40,
        sites_skipped=2,
        skipped=[
            {"site": world.site_a.pk, "delivery_point": world.site_a.delivery_point, "reason": "Aucun index réel"},
            {"site": 999999, "delivery_point": "30000000000999", "reason": "Pas de prix pour le lot au 01/03/2026"},
        ],
    )


def test_the_home_links_to_the_run_pages(staff: TenantClient, world: Any) -> None:
    assert _url("run_home") in _call(staff, world, "get", _url("home")).content.decode()
    page = _call(staff, world, "get", _url("run_home")).content.decode()
    assert _url("run_list", code="alpha") in page
    assert _url("run_list", code="beta") in page


def test_the_list_shows_each_run_with_its_progress(staff: TenantClient, world: Any, finished_run: BillingRun) -> None:
    running = BillingRun.objects.create(
        calendar=RunCalendar.GAS_T3,
        issue_date=dt.date(2026, 3, 10),
        status=RunStatus.RUNNING,
        requested_by="mallory@fournisseur.test",
        started_at=timezone.now(),
        perimeters_total=8,
        perimeters_done=2,
    )

    page = _text(_call(staff, world, "get", _url("run_list", code="alpha")))

    rows = page[page.index("<tbody>") :].split("</tr>")
    assert _url("run_detail", code="alpha", run_id=running.pk) in rows[0]  # newest issue date first
    assert "Gaz T3 sur index réels (le 10)" in rows[0]
    assert "En cours" in rows[0]
    assert "2 / 8 (25 %)" in rows[0]
    assert "Terminée" in rows[1]
    assert "12 / 12 (100 %)" in rows[1]
    assert "calendrier" in rows[1]
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.billing_runs_viewed", actor=world.mallory).exists()


def test_starting_a_run_twice_for_the_same_date_gives_one_run(
    staff: TenantClient, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = _url("run_list", code="alpha")
    data = {"calendar": "estimated", "issue_date": "2026-04-01"}

    with django_capture_on_commit_callbacks(execute=False):
        first = _call(staff, world, "post", url, data)
        second = _call(staff, world, "post", url, data)

    run = BillingRun.objects.get()
    assert (run.calendar, run.issue_date, run.requested_by) == (
        "estimated",
        dt.date(2026, 4, 1),
        "mallory@fournisseur.test",
    )
    assert first["Location"] == second["Location"] == _url("run_detail", code="alpha", run_id=run.pk)
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.billing_run_requested", actor=world.mallory).count() == 2


def test_a_bad_start_form_says_why_and_starts_nothing(staff: TenantClient, world: Any) -> None:
    page = _text(_call(staff, world, "post", _url("run_list", code="alpha"), {"calendar": "someday", "issue_date": ""}))
    assert "Sélectionnez un choix valide." in page
    assert "Ce champ est obligatoire." in page
    # The service's rule, under its field: gas T3 is issued on the 10th.
    page = _text(
        _call(staff, world, "post", _url("run_list", code="alpha"), {"calendar": "gas_t3", "issue_date": "2026-04-01"})
    )
    field = page[page.index('name="issue_date"') - 400 : page.index('name="issue_date"')]
    assert "Ce calendrier émet ses factures le 10 du mois." in field
    assert not BillingRun.objects.exists()


def test_a_running_run_is_polled_by_htmx_until_it_ends(staff: TenantClient, world: Any) -> None:
    run = BillingRun.objects.create(
        calendar=RunCalendar.ESTIMATED,
        issue_date=dt.date(2026, 5, 1),
        status=RunStatus.RUNNING,
        perimeters_total=10,
        perimeters_done=4,
    )
    url = _url("run_detail", code="alpha", run_id=run.pk)

    full = _text(_call(staff, world, "get", url))
    assert 'hx-trigger="every 2s"' in full
    assert 'value="40"' in full
    assert "4 périmètres facturés sur 10" in full
    partial = _text(_call(staff, world, "get", url, HTTP_HX_REQUEST="true"))
    assert partial.lstrip().startswith('<div id="run-status"')
    assert "<html" not in partial

    BillingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, perimeters_done=10, invoices_issued=10, sites_billed=31, finished_at=timezone.now()
    )
    done = _text(_call(staff, world, "get", url, HTTP_HX_REQUEST="true"))
    assert "Terminée" in done
    assert "hx-trigger" not in done
    assert _url("run_report", code="alpha", run_id=run.pk) in done
    connection.set_schema_to_public()
    # The polls are not audited, the page is.
    assert AuditEvent.objects.filter(action="backoffice.billing_run_viewed", actor=world.mallory).count() == 1


def test_the_run_page_lists_the_skipped_sites_with_their_reason(
    staff: TenantClient, world: Any, finished_run: BillingRun
) -> None:
    page = _text(_call(staff, world, "get", _url("run_detail", code="alpha", run_id=finished_run.pk)))
    skipped = page[page.index("Sites non facturés</caption>") :]
    assert world.site_a.delivery_point in skipped
    assert world.site_a.site_name in skipped
    assert world.member_a.legal_name in skipped
    assert "Aucun index réel" in skipped
    assert "30000000000999" in skipped
    assert "Pas de prix pour le lot au 01/03/2026" in skipped


def test_the_report_downloads_as_a_workbook(staff: TenantClient, world: Any, finished_run: BillingRun) -> None:
    response = _call(staff, world, "get", _url("run_report", code="alpha", run_id=finished_run.pk))

    assert response.status_code == 200
    assert f'filename="rapport-facturation-alpha-2026-03-01-{finished_run.pk}.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Sites non facturés", "Factures émises"]
    assert list(book["Sites non facturés"].iter_rows(values_only=True)) == [
        ("Point de livraison", "Site", "Membre", "Motif"),
        (world.site_a.delivery_point, world.site_a.site_name, world.member_a.legal_name, "Aucun index réel"),
        ("30000000000999", None, None, "Pas de prix pour le lot au 01/03/2026"),
    ]
    assert next(book["Factures émises"].iter_rows(values_only=True)) == (
        "Numéro",
        "Membre",
        "Périmètre de facturation",
        "Sites",
        "Date d'émission",
        "Total HT (€)",
        "Total TTC (€)",
    )
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.billing_run_report_downloaded", actor=world.mallory).exists()


def test_another_syndicates_run_is_404(staff: TenantClient, world: Any, finished_run: BillingRun) -> None:
    assert _call(staff, world, "get", _url("run_detail", code="beta", run_id=finished_run.pk)).status_code == 404
    assert _call(staff, world, "get", _url("run_report", code="beta", run_id=finished_run.pk)).status_code == 404


def test_pages_refuse_everybody_but_staff(world: Any, public_client: TenantClient, finished_run: BillingRun) -> None:
    urls = [
        _url("run_home"),
        _url("run_list", code="alpha"),
        _url("run_detail", code="alpha", run_id=finished_run.pk),
        _url("run_report", code="alpha", run_id=finished_run.pk),
    ]
    data = {"calendar": "estimated", "issue_date": "2026-04-01"}
    for url in urls:
        assert _call(public_client, world, "get", url).status_code == 302  # anonymous: to the login page
    connection.set_schema_to_public()
    outsider: Any = UserFactory(email="not-staff@public.test", role=Role.COORDINATOR, member=None)
    public_client.force_login(outsider)
    connection.set_tenant(world.alpha)
    for url in urls:
        assert _call(public_client, world, "get", url).status_code == 403
    assert _call(public_client, world, "post", urls[1], data).status_code == 403
    alice = TenantClient(ALPHA_HOST)
    alice.force_login(world.alice)
    assert alice.post(urls[1], data).status_code == 404  # no back-office on a syndicate's address
    assert BillingRun.objects.count() == 1


def test_a_real_run_started_from_the_page_reports_its_invoices_and_skipped_sites(
    staff: TenantClient, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from invoicing.services.runs import billing_run_execute
    from tests.invoicing.runworld import elec_lot, elec_site, month_end_readings, perimeter

    elec_lot()
    member = MemberFactory(legal_name="Commune de Run")
    billed = elec_site(member, site_name="Mairie")
    month_end_readings(billed, 1_000, 300, [dt.date(2025, 12, 31), dt.date(2026, 1, 31)])
    no_index = elec_site(member, site_name="Salle des fêtes", car_kwh=None)
    perimeter(member, "Bâtiments", [billed, no_index])
    with django_capture_on_commit_callbacks(execute=False):
        response = _call(
            staff, world, "post", _url("run_list", code="alpha"), {"calendar": "estimated", "issue_date": "2026-02-01"}
        )
    run = billing_run_execute(BillingRun.objects.get().pk)  # what the queued task does
    assert response["Location"] == _url("run_detail", code="alpha", run_id=run.pk)

    page = _text(_call(staff, world, "get", response["Location"]))
    assert "Terminée" in page
    assert "Salle des fêtes" in page
    assert "aucun index réel connu" in page
    book = load_workbook(
        io.BytesIO(_call(staff, world, "get", _url("run_report", code="alpha", run_id=run.pk)).content)
    )
    invoice = Invoice.objects.get(run=run)
    assert list(book["Factures émises"].iter_rows(min_row=2, values_only=True)) == [
        (
            invoice.number,
            "Commune de Run",
            "Bâtiments",
            1,
            dt.datetime(2026, 2, 1),
            float(invoice.total_excl_vat),
            float(invoice.total_incl_vat),
        )
    ]
    # The world's own sites have no readings either: they are skipped too.
    skipped = list(book["Sites non facturés"].iter_rows(min_row=2, values_only=True))
    assert (no_index.delivery_point, "Salle des fêtes", "Commune de Run", "aucun index réel connu") in skipped
    assert len(skipped) == run.sites_skipped
