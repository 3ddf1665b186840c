"""'Mes exports': the user's export jobs, their progress, their files; direct small downloads."""

from __future__ import annotations

import tempfile
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_record
from accounts.models import User
from reports import services
from reports.choices import ExportStatus
from reports.links import LinkExpired, read_download_token
from reports.models import ExportJob
from reports.registry import definitions, get_definition
from reports.selectors import MY_EXPORTS_LIMIT, get_job_for, jobs_for
from tenants.db import current_schema


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _rows_context(user: User) -> dict[str, object]:
    # One query: the jobs; titles come from the registry, not the database.
    jobs = list(jobs_for(user)[:MY_EXPORTS_LIMIT])
    titles = {d.name: d.title for d in definitions()}
    for job in jobs:
        job.title = titles.get(job.report, job.report)  # type: ignore[attr-defined]
    polling = any(job.status in {ExportStatus.QUEUED, ExportStatus.RUNNING} for job in jobs)
    return {"jobs": jobs, "polling": polling, "now": timezone.now()}


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = _rows_context(user)
    context["reports"] = [d for d in definitions() if d.allowed_for(user)]
    return render(request, "reports/job_list.html", context)


@login_required
@require_GET
def job_rows(request: HttpRequest) -> HttpResponse:
    """The table body alone, polled by htmx every 2 s while a job is queued or running."""
    return render(request, "reports/_job_rows.html", _rows_context(_user(request)))


@login_required
@require_POST
def job_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    report = request.POST.get("report", "")
    params = {key: value for key, value in request.POST.items() if key not in {"report", "csrfmiddlewaretoken"}}
    params = {key: value for key, value in params.items() if value}
    try:
        services.export_request(user=user, report=report, params=params, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:job_list")
    messages.success(
        request, "Votre export est en préparation : il apparaît ci-dessous et vous sera envoyé par e-mail."
    )
    return redirect("reports:job_list")


@login_required
@require_GET
def direct_download(request: HttpRequest, report: str) -> HttpResponseBase:
    """A small export built in the request through the same definition (``?format=xlsx``)."""
    user = _user(request)
    definition = get_definition(report)
    if definition is None or request.GET.get("format", "xlsx") != "xlsx":
        raise Http404("No such report")
    params = {key: value for key, value in request.GET.items() if key != "format" and value}
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (closed by FileResponse)
    try:
        services.export_direct(user=user, report=report, params=params, out=out, request=request)
    except services.ExportTooLarge:
        out.close()
        services.export_request(user=user, report=report, params=params, request=request)
        messages.info(
            request, "Cet export est volumineux : il est préparé en arrière-plan et vous sera envoyé par e-mail."
        )
        return redirect("reports:job_list")
    except ValidationError as exc:
        out.close()
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    out.seek(0)
    filename = f"{definition.name}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=services.XLSX_CONTENT_TYPE)


def serve_job_file(
    request: HttpRequest, job: ExportJob, *, via: str, expired_template: str = "reports/expired.html"
) -> HttpResponseBase:
    """The job's file, audited in the current (the job's) schema; 410 once expired, 404 with no file."""
    if job.status != ExportStatus.DONE:
        raise Http404("This export has no file (yet)")
    if job.is_expired:  # its file may be gone already (exports_purge_expired): still "expired", not "unknown"
        return render(request, expired_template, {"job": job}, status=410)
    if not job.file_path:
        raise Http404("This export has no file")
    path = services.export_absolute_path(job)
    if not path.exists():
        raise Http404("File removed")
    audit_record(action="export.downloaded", request=request, target=job, details={"via": via})
    definition = get_definition(job.report)
    name = definition.name if definition is not None else job.report
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{name}-{job.created_at:%Y%m%d-%H%M}.xlsx",
        content_type=services.XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponseBase:
    return serve_job_file(request, get_job_for(_user(request), job_id), via="page")


@login_required
@require_GET
def link_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The link of the completion email: signed, expiring, and only for the job's own user."""
    try:
        target = read_download_token(token)
    except LinkExpired:
        return render(request, "reports/expired.html", {"job": None}, status=410)
    if target is None or target.schema != current_schema():
        raise Http404("Unknown link")
    return serve_job_file(request, get_job_for(_user(request), target.job_id), via="email_link")
