"""Export jobs asked from the back-office: the follow-up table and the collected data of a campaign.

Mallory (account manager) asks from the public host; the job lives in the syndicate's schema
and goes through the reports framework (build task, retries, one e-mail); the file is read
back. Alice (member), Carol (coordinator) and another manager must never get Mallory's job.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.models import AuditEvent
from perimeter.models import Site
from reports import services, tasks
from reports.choices import ExportStatus
from reports.definitions_followup import CAMPAIGN_COLLECTED_DATA, CAMPAIGN_FOLLOWUP
from reports.links import download_token
from reports.models import ExportJob
from reports.registry import StaffRequester
from tenants.db import connection
from tests.conftest import ALPHA_HOST, PUBLIC_HOST, TenantClient
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs or None, urlconf=PUBLIC)


def _call(world: Any, client: TenantClient, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    response = getattr(client, method)(url, data or {}, **extra)
    connection.set_tenant(world.alpha)
    return response


def _ask(world: Any, staff: TenantClient, campaign: Any, kind: str, capture: Any) -> tuple[Any, ExportJob]:
    """Click "Exporter…" on the follow-up table; the build task runs when the request commits."""
    url = _url("followup_export", code="alpha", campaign_id=campaign.pk, kind=kind)
    with capture(execute=True):
        response = _call(world, staff, "post", url)
    job = ExportJob.objects.order_by("-created_at").first()
    assert job is not None
    return response, job


def _public_events(**filters: Any) -> list[AuditEvent]:
    connection.set_schema_to_public()
    events = list(AuditEvent.objects.filter(**filters))
    return events


def _workbook_rows(data: bytes) -> list[tuple[Any, ...]]:
    sheet: Any = load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))


def test_collected_data_is_a_staff_job_built_and_read_back(
    staff: TenantClient,
    world: Any,
    three_members: dict[str, Any],
    campaign: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    newcomer = MemberFactory(legal_name="Commune sans site")
    newcomer.lots.add(campaign.lot)
    response, job = _ask(world, staff, campaign, "donnees", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == _url("export_job", code="alpha", job_id=job.pk)
    assert job.report == CAMPAIGN_COLLECTED_DATA.name
    assert job.parameters == {"campaign": campaign.pk}
    assert job.requested_by is None
    assert job.requested_by_staff == "mallory@fournisseur.test"
    assert job.member_id is None  # the whole syndicate
    assert job.status == ExportStatus.DONE
    assert job.file_path == f"exports/alpha/all/{job.id}.xlsx"

    rows = _workbook_rows((Path(settings.MEDIA_ROOT) / job.file_path).read_bytes())
    header = rows[0]
    assert len(rows) == 1 + Site.objects.filter(lot=campaign.lot).count() + 1  # + the member without a site
    assert job.row_count == len(rows) - 1
    by_member = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_member) == {"Ville d'Alpha", "Commune de Bravo", "Zeta Syndicat des eaux", "Commune sans site"}
    zeta = by_member["Zeta Syndicat des eaux"]
    assert zeta["Interlocuteur facturation"] == "Martin billing — billing@a.test"
    assert zeta["Statut"] == "Bascule confirmée"
    assert zeta["Périmètre de facturation"] == "Périmètre de facture N° 01"
    assert zeta["Type de facturation"] == "Multi-sites (plusieurs sites sur une facture)"
    assert isinstance(zeta["Parcours validé le"], dt.datetime)
    assert by_member["Commune sans site"]["Point de livraison"] is None

    # Audited in the syndicate's trail (by e-mail: no row for staff there) and in the public one.
    tenant_actions = set(
        AuditEvent.objects.filter(target_id=str(job.id), actor_email="mallory@fournisseur.test").values_list(
            "action", flat=True
        )
    )
    assert tenant_actions == {"export.requested", "export.completed"}
    assert AuditEvent.objects.filter(target_id=str(job.id), actor__isnull=False).count() == 0
    requested = _public_events(action="backoffice.export_requested")
    assert [e.details["job"] for e in requested] == [str(job.id)]
    assert requested[0].actor_email == "mallory@fournisseur.test"
    connection.set_tenant(world.alpha)


def test_follow_up_table_is_exported_the_same_way(
    staff: TenantClient,
    world: Any,
    three_members: dict[str, Any],
    campaign: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _response, job = _ask(world, staff, campaign, "suivi", django_capture_on_commit_callbacks)
    assert job.report == CAMPAIGN_FOLLOWUP.name
    rows = _workbook_rows((Path(settings.MEDIA_ROOT) / job.file_path).read_bytes())
    assert rows[0][:5] == ("Membre", "N° client", "Commune", "État", "Progression (%)")
    states = {row[0]: row[3] for row in rows[1:]}
    assert set(states) == {"Ville d'Alpha", "Commune de Bravo", "Zeta Syndicat des eaux"}
    assert states["Zeta Syndicat des eaux"] != states["Ville d'Alpha"]


def test_the_table_offers_the_exports_as_buttons_and_no_longer_builds_in_the_request(
    staff: TenantClient, world: Any, campaign: Any
) -> None:
    page = _call(world, staff, "get", _url("followup_table", code="alpha", campaign_id=campaign.pk)).content.decode()
    assert f'action="{_url("followup_export", code="alpha", campaign_id=campaign.pk, kind="donnees")}"' in page
    assert "Exporter le suivi (.xlsx)" in page
    url = _url("followup_export", code="alpha", campaign_id=campaign.pk, kind="suivi")
    assert _call(world, staff, "get", url).status_code == 405
    assert _call(world, staff, "post", url.replace("/suivi/", "/x/")).status_code == 404
    assert ExportJob.objects.count() == 0


def test_small_file_is_mailed_attached_to_the_staff_address(
    staff: TenantClient, world: Any, campaign: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _response, job = _ask(world, staff, campaign, "suivi", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mallory@fournisseur.test"]
    assert message.subject == "Votre export « Suivi de la collecte » est prêt (Syndicat Alpha)"
    assert len(message.attachments) == 1
    name, content, _mimetype = message.attachments[0]
    assert name.startswith("campaign_followup-")
    assert _workbook_rows(content)[0][0] == "Membre"
    # "Mes exports" of the mail is the back-office's, on the public host.
    assert f"http://{PUBLIC_HOST}:8000{_url('export_list')}" in message.body
    job.refresh_from_db()
    assert job.emailed_at is not None


def test_large_file_is_mailed_as_an_expiring_back_office_link(
    staff: TenantClient,
    world: Any,
    campaign: Any,
    settings: Any,
    time_machine: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EXPORT_ATTACHMENT_MAX_BYTES = 10
    _response, job = _ask(world, staff, campaign, "suivi", django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.attachments == []
    found = re.search(r"http://localhost:8000(/backoffice/exports/lien/[^/\s]+/)", str(message.body))
    assert found is not None, message.body
    link = found.group(1)
    response = _call(world, staff, "get", link)
    assert response.status_code == 200
    assert _workbook_rows(b"".join(response.streaming_content))[0][0] == "Membre"
    assert AuditEvent.objects.filter(
        action="export.downloaded", target_id=str(job.id), actor_email="mallory@fournisseur.test"
    ).exists()
    downloaded = _public_events(action="backoffice.export_downloaded")
    assert [(e.details["job"], e.details["via"]) for e in downloaded] == [(str(job.id), "email_link")]
    connection.set_tenant(world.alpha)

    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    connection.set_schema_to_public()
    staff.force_login(world.mallory)  # the old session has expired by now
    expired = _call(world, staff, "get", link)
    assert expired.status_code == 410
    assert "plus disponible" in expired.content.decode()
    page = _call(world, staff, "get", _url("export_download", code="alpha", job_id=job.pk))
    assert page.status_code == 410


def test_running_the_task_twice_sends_one_mail(
    staff: TenantClient, world: Any, campaign: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _response, job = _ask(world, staff, campaign, "suivi", django_capture_on_commit_callbacks)
    first = (job.file_path, job.finished_at)
    assert tasks.build_export.delay(str(job.id), "alpha").get() == ExportStatus.DONE
    tasks.build_export.apply(args=[str(job.id), "alpha"])
    job.refresh_from_db()
    assert (job.file_path, job.finished_at) == first  # not rebuilt
    assert len(mail.outbox) == 1


def test_job_page_polls_while_it_runs_then_offers_the_file(
    staff: TenantClient, world: Any, campaign: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = services.export_request_staff(
        manager=world.mallory, report=CAMPAIGN_FOLLOWUP.name, params={"campaign": campaign.pk}
    )  # on_commit not run: still queued
    url = _url("export_job", code="alpha", job_id=job.pk)
    body = _call(world, staff, "get", url).content.decode()
    assert f'hx-get="{url}"' in body
    assert 'hx-trigger="every 2s"' in body
    assert "Collecte lot 1" in body  # the campaign, with a link back to its follow-up
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress_rows=1234)
    partial = _call(world, staff, "get", url, HTTP_HX_REQUEST="true").content.decode()
    assert "<h1>" not in partial
    assert "1234 lignes écrites" in partial or "1\u202f234 lignes écrites" in partial
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)

    tasks.build_export.apply(args=[str(job.id), "alpha"])
    done = _call(world, staff, "get", url, HTTP_HX_REQUEST="true").content.decode()
    download = _url("export_download", code="alpha", job_id=job.pk)
    assert f'href="{download}"' in done
    assert "hx-trigger" not in done  # finished: polling stops
    response = _call(world, staff, "get", download)
    assert response.status_code == 200
    assert response["Content-Type"] == services.XLSX_CONTENT_TYPE
    assert _workbook_rows(b"".join(response.streaming_content))[0][0] == "Membre"


def test_a_failed_job_says_so(staff: TenantClient, world: Any) -> None:
    job = ExportJob.objects.create(
        requested_by_staff="mallory@fournisseur.test",
        report=CAMPAIGN_FOLLOWUP.name,
        status=ExportStatus.FAILED,
        error_message="L'export n'a pas pu être produit.",
        finished_at=timezone.now(),
    )
    body = _call(world, staff, "get", _url("export_job", code="alpha", job_id=job.pk)).content.decode()
    assert "Échec" in body
    assert "hx-trigger" not in body
    assert _call(world, staff, "get", _url("export_download", code="alpha", job_id=job.pk)).status_code == 404


def _staff_job(email: str = "mallory@fournisseur.test", **fields: Any) -> ExportJob:
    values: dict[str, Any] = {"report": CAMPAIGN_FOLLOWUP.name, "parameters": {"campaign": 1}} | fields
    return ExportJob.objects.create(requested_by_staff=email, **values)


def test_my_exports_lists_the_managers_jobs_across_syndicates_in_bounded_queries(
    staff: TenantClient, world: Any, max_queries: Any
) -> None:
    url = _url("export_list")
    alpha_job = _staff_job(status=ExportStatus.DONE, row_count=3, expires_at=timezone.now() + dt.timedelta(days=1))
    _staff_job("trudy@fournisseur.test")  # another manager's
    ExportJob.objects.create(requested_by=world.alice, member=world.member_a, report="perimeter_file")
    connection.set_tenant(world.beta)
    beta_job = _staff_job(report=CAMPAIGN_COLLECTED_DATA.name, status=ExportStatus.RUNNING, progress_rows=7)
    connection.set_tenant(world.alpha)

    body = _call(world, staff, "get", url).content.decode()
    assert _url("export_download", code="alpha", job_id=alpha_job.pk) in body
    assert _url("export_job", code="beta", job_id=beta_job.pk) in body
    assert "Syndicat Beta" in body
    assert body.count("<tr>") == 1 + 2  # header + Mallory's two jobs, nobody else's
    assert f'hx-get="{url}"' in body  # beta's job runs: the rows are polled
    rows = _call(world, staff, "get", url, HTTP_HX_REQUEST="true").content.decode()
    assert rows.lstrip().startswith("<tbody")
    assert "<h1>" not in rows

    # tenant domain, session, user, the syndicates, one query per syndicate (its newest jobs:
    # two here), the public audit event, session save (savepoint, update, release): none per job.
    with max_queries(10) as queries:
        _call(world, staff, "get", url)
    few = len(queries)
    for _ in range(20):
        _staff_job()
    with max_queries(few):
        _call(world, staff, "get", url)
    assert "backoffice.exports_viewed" in {e.action for e in _public_events()}
    connection.set_tenant(world.alpha)


def test_only_the_manager_who_asked_gets_the_job(staff: TenantClient, world: Any) -> None:
    job = _staff_job(status=ExportStatus.DONE, file_path="exports/alpha/all/x.xlsx")
    member_job = ExportJob.objects.create(requested_by=world.alice, member=world.member_a, report="perimeter_file")
    connection.set_tenant(world.beta)
    beta_job = _staff_job()
    connection.set_tenant(world.alpha)

    for job_id in (member_job.pk, beta_job.pk, "00000000-0000-4000-8000-000000000000"):
        assert _call(world, staff, "get", _url("export_job", code="alpha", job_id=job_id)).status_code == 404
        assert _call(world, staff, "get", _url("export_download", code="alpha", job_id=job_id)).status_code == 404
    # A link naming alpha with beta's job, a forged link, a member's job: unknown.
    for token in (
        download_token(schema="alpha", job_id=str(beta_job.pk)),
        download_token(schema="alpha", job_id=str(job.pk)) + "x",
        download_token(schema="alpha", job_id=str(member_job.pk)),
        download_token(schema="public", job_id=str(job.pk)),
    ):
        assert _call(world, staff, "get", _url("export_link_download", token=token)).status_code == 404

    connection.set_schema_to_public()
    trudy = UserFactory(email="trudy@fournisseur.test", role=Role.ACCOUNT_MANAGER, member=None)
    other = TenantClient(PUBLIC_HOST)
    other.force_login(trudy)
    connection.set_tenant(world.alpha)
    assert _call(world, other, "get", _url("export_job", code="alpha", job_id=job.pk)).status_code == 404


def test_member_users_and_the_coordinator_never_get_a_staff_job(
    staff: TenantClient, world: Any, campaign: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _response, job = _ask(world, staff, campaign, "donnees", django_capture_on_commit_callbacks)
    token = download_token(schema="alpha", job_id=str(job.pk))
    for user in (world.alice, world.carol):
        client = TenantClient(ALPHA_HOST)
        client.force_login(user)
        assert client.get(reverse("reports:job_download", kwargs={"job_id": job.pk})).status_code == 404
        assert client.get(reverse("reports:link_download", kwargs={"token": token})).status_code == 404
        assert str(job.pk) not in client.get(reverse("reports:job_list")).content.decode()
        assert client.get(reverse("api:export-detail", kwargs={"pk": job.pk})).status_code == 404


def test_staff_may_ask_only_for_syndicate_wide_reports(world: Any, campaign: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.export_request_staff(manager=world.mallory, report="perimeter_file")
    with pytest.raises(PermissionDenied):  # a syndicate's user is not supplier staff
        services.export_request_staff(
            manager=world.carol, report=CAMPAIGN_FOLLOWUP.name, params={"campaign": campaign.pk}
        )
    assert ExportJob.objects.count() == 0


def test_row_sources_take_staff_and_still_refuse_member_users(world: Any, campaign: Any) -> None:
    params = {"campaign": campaign.pk}
    assert list(CAMPAIGN_FOLLOWUP.rows(StaffRequester(email="mallory@fournisseur.test"), params))
    assert list(CAMPAIGN_FOLLOWUP.rows(world.carol, params))
    for definition in (CAMPAIGN_FOLLOWUP, CAMPAIGN_COLLECTED_DATA):
        with pytest.raises(PermissionDenied):
            definition.rows(world.alice, params)
        with pytest.raises(PermissionDenied):
            definition.count(world.alice, params)
        with pytest.raises(PermissionDenied):
            services.export_request(user=world.alice, report=definition.name, params=params)


def test_the_database_wants_exactly_one_requester_and_staff_jobs_syndicate_wide(world: Any) -> None:
    for fields in (
        {"requested_by": world.alice, "requested_by_staff": "mallory@fournisseur.test"},
        {},
        {"requested_by_staff": "mallory@fournisseur.test", "member": world.member_a},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ExportJob.objects.create(report=CAMPAIGN_FOLLOWUP.name, **fields)


def test_the_coordinators_own_export_is_unchanged(
    world: Any, campaign: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(user=world.carol, report=CAMPAIGN_FOLLOWUP.name, params={"campaign": campaign.pk})
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.requested_by == world.carol
    assert job.requested_by_staff == ""
    assert job.member_id is None
    assert mail.outbox[0].to == [world.carol.email]
    assert "http://alpha.localhost:8000/exports/" in mail.outbox[0].body
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.carol)
    response: Any = client.get(reverse("reports:job_download", kwargs={"job_id": job.pk}))
    assert response.status_code == 200
    assert _workbook_rows(b"".join(response.streaming_content))[0][0] == "Membre"


@pytest.fixture
def broken_syndicate_report() -> Any:
    from reports.registry import SyndicateReportDefinition, register, unregister
    from spreadsheets.xlsx import Column

    def rows(requester: Any, params: Any) -> Any:
        raise RuntimeError("database on fire")

    definition = register(
        SyndicateReportDefinition(
            name="broken_syndicate", title="Rapport cassé", columns=[Column("A")], rows=rows, count=lambda r, p: 0
        )
    )
    yield definition
    unregister(definition.name)


def test_a_staff_job_that_fails_ends_failed_and_tells_the_manager(
    staff: TenantClient, world: Any, broken_syndicate_report: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request_staff(manager=world.mallory, report=broken_syndicate_report.name)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert mail.outbox == []
    assert AuditEvent.objects.filter(
        action="export.failed", target_id=str(job.id), actor_email="mallory@fournisseur.test"
    ).exists()
    body = _call(world, staff, "get", _url("export_job", code="alpha", job_id=job.pk)).content.decode()
    assert "n&#x27;a pas pu être produit" in body
