"""REST API of exports: create, status, download; own jobs only."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from reports.choices import ExportStatus
from reports.models import ExportJob
from tests.conftest import ALPHA_HOST, TenantClient, logged_in


def test_create_follow_and_download(world, django_capture_on_commit_callbacks):
    client = logged_in(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api:export-list"), {"report": "perimeter_file", "params": {}}, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    status = client.get(reverse("api:export-detail", kwargs={"pk": job_id})).json()
    assert status["status"] == ExportStatus.DONE
    assert status["row_count"] == 1
    assert status["title"] == "Fichier périmètre"
    download = client.get(status["download_url"])
    assert download.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(download.getvalue())).worksheets[0]
    assert ws["E2"].value == world.site_a.delivery_point
    listing = client.get(reverse("api:export-list")).json()
    assert [j["id"] for j in listing["results"]] == [job_id]


def test_others_jobs_are_404_and_bad_requests_refused(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(world.charlie).post(
            reverse("api:export-list"), {"report": "perimeter_file"}, content_type="application/json"
        )
    job = ExportJob.objects.get(pk=response.json()["id"])
    alice = logged_in(world.alice)
    assert alice.get(reverse("api:export-detail", kwargs={"pk": job.pk})).status_code == 404
    assert alice.get(reverse("api:export-download", kwargs={"pk": job.pk})).status_code == 404
    assert alice.get(reverse("api:export-list")).json()["results"] == []
    bad = alice.post(reverse("api:export-list"), {"report": "nope"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json() == {"report": ["Rapport inconnu."]}
    bob = logged_in(world.bob).post(
        reverse("api:export-list"), {"report": "perimeter_file"}, content_type="application/json"
    )
    assert bob.status_code == 403
    anonymous = TenantClient(ALPHA_HOST).get(reverse("api:export-list"))
    assert anonymous.status_code in {401, 403}
