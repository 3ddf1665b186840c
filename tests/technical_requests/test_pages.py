"""The member's pages: a request from a site, its confirmation and e-mail, the tracking table, the request page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.storage import media_path
from technical_requests.choices import RequestStatus
from technical_requests.models import TechnicalRequest
from technical_requests.workdays import add_working_days
from tests.conftest import logged_in
from tests.factories import SiteFactory
from tests.technical_requests.factories import make_request, move

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _power_form(**extra: Any) -> dict[str, Any]:
    from django.utils import timezone

    day = add_working_days(timezone.localdate(), 6)
    return {"new_power_kva": "9", "desired_date": day.isoformat(), "meter_access": "free", **extra}


def test_a_member_asks_for_a_power_change_from_a_site(
    world: Any, active_site: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(world.alice)
    sheet = client.get(reverse("perimeter:site_detail", kwargs={"pk": active_site.pk}))
    assert "Faire une demande technique" in sheet.content.decode()
    choose = client.get(reverse("technical_requests:new") + f"?site={active_site.pk}")
    assert "Modification de la puissance souscrite" in choose.content.decode()
    assert "Mise en service" not in choose.content.decode()  # the site is supplied already
    url = reverse("technical_requests:new") + f"?site={active_site.pk}&type=power_change"
    form = client.get(url)
    assert 'name="new_power_kva"' in form.content.decode()
    upload = SimpleUploadedFile("schema.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**_power_form(), "attachments": [upload]})
    tech_request = TechnicalRequest.objects.get()
    assert tech_request.reference is not None
    assert response.status_code == 302
    assert response["Location"] == reverse("technical_requests:created", kwargs={"pk": tech_request.pk})
    page = client.get(response["Location"]).content.decode()
    assert tech_request.reference in page
    assert tech_request.reference.startswith("DT-")
    assert [m.to for m in mailoutbox] == [["alice@a.test"]]
    assert tech_request.reference in mailoutbox[0].subject
    attachment = tech_request.attachments.get()
    assert attachment.file_path.startswith(f"technical_requests/{world.alpha.schema_name}/{tech_request.pk}/")
    assert media_path(attachment.file_path).read_bytes() == PDF
    listing = client.get(reverse("technical_requests:list")).content.decode()
    assert tech_request.reference in listing
    assert "Modification de la puissance souscrite" in listing


def test_the_form_shows_the_declarations_messages(world: Any, active_site: Any) -> None:
    client = logged_in(world.alice)
    url = reverse("technical_requests:new") + f"?site={active_site.pk}&type=power_change"
    response = client.post(url, _power_form(new_power_kva="", desired_date="2020-01-01"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in body
    assert "La date doit être au plus tard" not in body
    assert "La date doit être au plus tôt" in body
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    body = client.post(url, {**_power_form(), "attachments": [bad]}).content.decode()
    assert "ni un PDF ni une image PNG ou JPEG" in body
    assert not TechnicalRequest.objects.exists()


def test_other_members_get_404_on_request_and_attachment(world: Any, active_site: Any) -> None:
    from technical_requests.attachments import Upload
    from technical_requests.catalogue import TYPES_BY_CODE
    from technical_requests.samples import sample_data
    from technical_requests.services import request_create
    from tests.technical_requests.conftest import TODAY

    tech_request = request_create(
        author=world.alice,
        type_code="miscellaneous",
        site=active_site,
        data=sample_data(TYPES_BY_CODE["miscellaneous"], TODAY),
        uploads=[Upload("plan.pdf", PDF)],
        today=TODAY,
    )
    attachment = tech_request.attachments.get()
    kwargs = {"pk": tech_request.pk, "attachment_pk": attachment.pk}
    assert logged_in(world.alice).get(reverse("technical_requests:attachment", kwargs=kwargs)).status_code == 200
    charlie = logged_in(world.charlie)
    assert charlie.get(reverse("technical_requests:detail", kwargs={"pk": tech_request.pk})).status_code == 404
    assert charlie.get(reverse("technical_requests:attachment", kwargs=kwargs)).status_code == 404
    assert logged_in(world.carol).get(reverse("technical_requests:attachment", kwargs=kwargs)).status_code == 200
    assert logged_in(world.bob).get(reverse("technical_requests:list")).status_code == 403


def test_coordinator_counts_late_requests_and_filters_them(world: Any, active_site: Any) -> None:
    late = make_request(world.alice, active_site)
    TechnicalRequest.objects.filter(pk=late.pk).update(expected_by=dt.date(2020, 1, 1))
    on_time = make_request(world.alice, active_site)
    TechnicalRequest.objects.filter(pk=on_time.pk).update(expected_by=dt.date(2099, 1, 1))
    done = move(make_request(world.alice, active_site), RequestStatus.SENT, RequestStatus.DONE)
    TechnicalRequest.objects.filter(pk=done.pk).update(expected_by=dt.date(2020, 1, 1))
    client = logged_in(world.carol)
    response = client.get(reverse("technical_requests:list"))
    assert response.context["counts"] == {"total": 3, "open": 2, "late": 1}
    assert "3 demandes, dont 2 en cours de traitement et 1 en retard." in response.content.decode()
    only_late = client.get(reverse("technical_requests:list") + "?late=true")
    assert [row["reference"] for row in only_late.context["table"].page.object_list] == [late.reference]
    # The coordinator reads but does not write.
    assert (
        "Annuler cette demande"
        not in client.get(reverse("technical_requests:detail", kwargs={"pk": late.pk})).content.decode()
    )


def test_tracking_table_queries_do_not_grow_with_rows(world: Any, active_site: Any, max_queries: Any) -> None:
    for _ in range(30):
        make_request(world.alice, active_site)
    client = logged_in(world.carol)
    # Domain, session, user, table count and rows, members of the filter, counters, and the
    # session's save (savepoint, update, release): the same for 30 rows or 5,000.
    with max_queries(10):
        response = client.get(reverse("technical_requests:list") + "?sort=reference")
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 30


def test_cancel_and_message(
    world: Any, active_site: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.TECHNICAL_REQUESTS_TEAM_EMAIL = "equipe@fournisseur.test"
    tech_request = make_request(world.alice, active_site)
    client = logged_in(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("technical_requests:message", kwargs={"pk": tech_request.pk}),
            {"body": "Le compteur est au sous-sol."},
        )
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["equipe@fournisseur.test"]
    assert "Le compteur est au sous-sol." in mailoutbox[-1].body
    assert f"/backoffice/demandes-techniques/alpha/{tech_request.pk}/" in mailoutbox[-1].body
    client.post(reverse("technical_requests:cancel", kwargs={"pk": tech_request.pk}))
    tech_request.refresh_from_db()
    assert tech_request.status == RequestStatus.ABANDONED
    page = client.get(reverse("technical_requests:detail", kwargs={"pk": tech_request.pk})).content.decode()
    assert "Annulée par le demandeur" in page
    assert "Le compteur est au sous-sol." in page


def test_the_tracking_table_exports_what_it_lists(world: Any, active_site: Any) -> None:
    import io

    from openpyxl import load_workbook

    kept = make_request(world.alice, active_site)
    move(make_request(world.alice, active_site), RequestStatus.SENT)
    client = logged_in(world.alice)
    response = client.get(
        reverse("reports:direct_download", kwargs={"report": "technical_requests"}) + "?status=open&format=xlsx"
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Référence", "Type", "Date")
    assert [row[0] for row in rows[1:]] == [kept.reference]
    assert rows[1][6] == "Ouvert"


def test_the_technical_sheet_links_to_the_sites_requests(world: Any, active_site: Any) -> None:
    mine = make_request(world.alice, active_site)
    other_site = SiteFactory(member=world.member_a, status="active")
    other = make_request(world.alice, other_site)
    sheet = logged_in(world.carol).get(reverse("perimeter:site_detail", kwargs={"pk": active_site.pk})).content.decode()
    assert "Demandes techniques de ce site" in sheet
    assert "Faire une demande technique" not in sheet  # the coordinator reads only
    listing = logged_in(world.alice).get(reverse("technical_requests:list") + f"?site={active_site.pk}")
    assert [row["reference"] for row in listing.context["table"].page.object_list] == [mine.reference]
    assert other.reference is not None
    assert other.reference not in listing.content.decode()
