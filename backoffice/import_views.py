"""Back-office pages of the pre-filled import: choose a syndicate and a lot, upload, follow, read the outcome.

Account managers only (public host). Each syndicate's schema is entered explicitly and
every action is written to the public audit trail; the import itself audits in the
syndicate's schema (perimeter.importing.services).
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from perimeter.importing.models import ImportJob
from perimeter.importing.reading import MAX_FILE_BYTES, ListingRefused
from perimeter.importing.report import template_workbook
from perimeter.importing.services import absolute_path, import_request
from perimeter.models import Lot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10


class ListingUploadForm(forms.Form):
    lot = forms.TypedChoiceField(label=gettext_lazy("Lot"), coerce=int)
    listing = forms.FileField(
        label=gettext_lazy("Listing du marché (.xlsx)"),
        help_text=gettext_lazy("Classeur Excel .xlsx, %(max)d Mo au plus ; les fichiers avec macros sont refusés.")
        % {"max": MAX_FILE_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: object, lots: list[Lot], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["lot"].choices = [(lot.pk, str(lot)) for lot in lots]  # type: ignore[attr-defined]


@login_required
@require_GET
def import_home(request: HttpRequest) -> HttpResponse:
    require_account_manager(request)
    return render(request, "backoffice/import_home.html", {"syndicates": list(syndicates_for_backoffice())})


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The sample listing: headers, one example row per sheet, an instructions sheet."""
    require_account_manager(request)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="modele-listing-marche.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, code: str) -> HttpResponse:
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    job: ImportJob | None = None
    with tenant_context(syndicate):
        lots = list(Lot.objects.all())
        form = ListingUploadForm(request.POST or None, request.FILES or None, lots=lots)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["listing"]
            lot = next(lot for lot in lots if lot.pk == form.cleaned_data["lot"])
            try:
                job = import_request(
                    lot=lot,
                    upload=upload,
                    original_name=upload.name,
                    size=upload.size,
                    requested_by_email=manager.email,
                )
            except ListingRefused as refusal:
                form.add_error("listing", refusal.message)
        jobs = list(ImportJob.objects.select_related("lot")[:RECENT_JOBS])
        response = render(
            request, "backoffice/import_upload.html", {"syndicate": syndicate, "form": form, "jobs": jobs, "lots": lots}
        )
    if job is not None:
        # In the public schema, where the account manager's account lives.
        audit_record(
            action="backoffice.import_requested",
            request=request,
            details={"schema": syndicate.schema_name, "job": str(job.pk), "lot": job.lot.number},
        )
        return redirect("backoffice:import_job", code=syndicate.code, job_id=job.pk)
    return response


def _job(job_id: uuid.UUID) -> ImportJob:
    job = ImportJob.objects.select_related("lot").filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def import_job(request: HttpRequest, code: str, job_id: uuid.UUID) -> HttpResponse:
    """The job's progress (polled by htmx while it runs), then its summary or its errors."""
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        job = _job(job_id)
        template = "backoffice/_import_status.html" if request.htmx else "backoffice/import_job.html"  # type: ignore[attr-defined]
        response = render(request, template, {"syndicate": syndicate, "job": job})
    if not request.htmx:  # type: ignore[attr-defined]
        audit_record(
            action="backoffice.import_viewed",
            request=request,
            details={"schema": syndicate.schema_name, "job": str(job_id)},
        )
    return response


@login_required
@require_GET
def import_errors(request: HttpRequest, code: str, job_id: uuid.UUID) -> FileResponse:
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        job = _job(job_id)
    if not job.error_report_path:
        raise Http404
    path = absolute_path(job.error_report_path)
    if not path.exists():
        raise Http404
    audit_record(
        action="backoffice.import_errors_downloaded",
        request=request,
        details={"schema": syndicate.schema_name, "job": str(job_id)},
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"erreurs-import-{syndicate.code}.xlsx")
