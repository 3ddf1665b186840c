"""Back-office exports: the syndicate-wide export jobs account managers ask for ("Mes exports").

A job lives in its syndicate's schema and is built, retried and e-mailed by the reports
framework like a member's (``reports.services.export_request_staff``); these pages follow
it and serve its file on the public host. Staff only; each syndicate is entered
explicitly; every look and download is written to the public audit trail (downloads to
the syndicate's too). A job is its requester's: another manager's job, a member's job
or another syndicate's job id answers 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from datacollection.models import Campaign
from reports.choices import ExportStatus
from reports.links import LinkExpired, read_download_token
from reports.models import ExportJob
from reports.registry import get_definition
from reports.selectors import get_staff_job_for, staff_jobs_for
from reports.views import serve_job_file
from tenants.models import Syndicate

# "Mes exports" shows the newest jobs across syndicates, at most this many (and as many per syndicate).
EXPORTS_SHOWN = 50
EXPIRED_TEMPLATE = "backoffice/export_expired.html"


def _title(job: ExportJob) -> str:
    definition = get_definition(job.report)
    return definition.title if definition is not None else job.report


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """The manager's export jobs in every syndicate, newest first; polled by htmx while one runs."""
    manager = require_account_manager(request)
    syndicates = list(syndicates_for_backoffice())
    rows: list[dict[str, Any]] = []
    for syndicate in syndicates:
        with tenant_context(syndicate):  # one query per syndicate: its newest jobs
            jobs = list(staff_jobs_for(manager.email)[:EXPORTS_SHOWN])
        rows.extend({"syndicate": syndicate, "job": job, "title": _title(job)} for job in jobs)
    rows.sort(key=lambda row: row["job"].created_at, reverse=True)
    rows = rows[:EXPORTS_SHOWN]
    context = {
        "rows": rows,
        "polling": any(row["job"].status in {ExportStatus.QUEUED, ExportStatus.RUNNING} for row in rows),
        "now": timezone.now(),
        "shown": EXPORTS_SHOWN,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "backoffice/_export_rows.html", context)
    audit_record(
        action="backoffice.exports_viewed",
        request=request,
        details={"schemas": [s.schema_name for s in syndicates], "jobs": len(rows)},
    )
    return render(request, "backoffice/export_list.html", context)


@login_required
@require_GET
def export_job(request: HttpRequest, code: str, job_id: uuid.UUID) -> HttpResponse:
    """One job: its progress (polled by htmx until it ends), then its file or its failure."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        job = get_staff_job_for(manager.email, job_id)
        context: dict[str, Any] = {"syndicate": syndicate, "job": job, "title": _title(job), "now": timezone.now()}
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "backoffice/_export_status.html", context)
        campaign_id = job.parameters.get("campaign")
        context["campaign"] = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
        response = render(request, "backoffice/export_job.html", context)
    audit_record(
        action="backoffice.export_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "job": str(job.pk), "report": job.report},
    )
    return response


def _serve(request: HttpRequest, syndicate: Syndicate, job_id: uuid.UUID | str, *, via: str) -> HttpResponseBase:
    manager = require_account_manager(request)
    with tenant_context(syndicate):
        job = get_staff_job_for(manager.email, job_id)
        # Written to the syndicate's trail (by the manager's e-mail) when the file goes out.
        response = serve_job_file(request, job, via=via, expired_template=EXPIRED_TEMPLATE)
    audit_record(
        action="backoffice.export_downloaded" if response.status_code == 200 else "backoffice.export_expired",
        request=request,
        details={"schema": syndicate.schema_name, "job": str(job.pk), "report": job.report, "via": via},
    )
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, code: str, job_id: uuid.UUID) -> HttpResponseBase:
    require_account_manager(request)
    return _serve(request, get_syndicate_for_backoffice(code), job_id, via="backoffice")


@login_required
@require_GET
def export_link_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The link of the completion e-mail: signed (syndicate + job), expiring, for the manager who asked."""
    require_account_manager(request)
    try:
        target = read_download_token(token)
    except LinkExpired:
        return render(request, EXPIRED_TEMPLATE, {"job": None}, status=410)
    if target is None:
        raise Http404("Unknown link")
    syndicate = syndicates_for_backoffice().filter(schema_name=target.schema).first()
    if syndicate is None:
        raise Http404("Unknown link")
    return _serve(request, syndicate, target.job_id, via="email_link")
