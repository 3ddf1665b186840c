"""Back-office pages of the meter-data ingestion: per syndicate, the received files and an upload form.

Account managers only (public host). Each syndicate's schema is entered explicitly and
every look is written to the public audit trail; the file itself is recorded in the
syndicate's schema by ``consumption.services.meter_file_receive`` and ingested in the
background (the same job as the staff API), the report page following it with htmx.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from consumption.choices import FileKind
from consumption.models import IngestionReport
from consumption.selectors import ingestion_report_get, ingestion_reports_list, rejected_rows_file
from consumption.services import MAX_FILE_BYTES, IngestionRefused, meter_file_receive

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORTS_PER_PAGE = 25


class MeterFileUploadForm(forms.Form):
    meter_file = forms.FileField(
        label=gettext_lazy("Fichier du distributeur (CSV ou XML)"),
        help_text=gettext_lazy(
            "Index quotidiens, courbe de charge ou énergie quotidienne gaz ; %(max)d Mo au plus. "
            "Le fichier est intégré en arrière-plan : suivez son état sur la page du rapport."
        )
        % {"max": MAX_FILE_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xml,.txt"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type de fichier"),
        required=False,
        choices=[("", gettext_lazy("Détecté d'après le fichier")), *FileKind.choices],
    )


@login_required
@require_GET
def ingestion_home(request: HttpRequest) -> HttpResponse:
    require_account_manager(request)
    return render(request, "backoffice/ingestion_home.html", {"syndicates": list(syndicates_for_backoffice())})


@login_required
@require_http_methods(["GET", "POST"])
def ingestion_list(request: HttpRequest, code: str) -> HttpResponse:
    """The syndicate's received files (newest first, paginated) and the form to send one."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    form = MeterFileUploadForm(request.POST or None, request.FILES or None)
    report: IngestionReport | None = None
    with tenant_context(syndicate):
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["meter_file"]
            try:
                report = meter_file_receive(
                    upload=upload,
                    file_name=upload.name,
                    size=upload.size,
                    kind=form.cleaned_data["kind"] or None,
                    received_by=manager.email,
                )
            except IngestionRefused as refusal:
                form.add_error("meter_file", refusal.message)
        if report is None:
            page = Paginator(ingestion_reports_list(), REPORTS_PER_PAGE).get_page(request.GET.get("page"))
            response = render(
                request, "backoffice/ingestion_list.html", {"syndicate": syndicate, "form": form, "page": page}
            )
    # In the public schema, where the account manager's account lives.
    if report is not None:
        audit_record(
            action="backoffice.meter_file_sent",
            request=request,
            details={"schema": syndicate.schema_name, "report": report.pk, "file": report.file_name},
        )
        return redirect("backoffice:ingestion_report", code=syndicate.code, report_id=report.pk)
    audit_record(
        action="backoffice.ingestions_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "page": page.number},
    )
    return response


@login_required
@require_GET
def ingestion_report(request: HttpRequest, code: str, report_id: int) -> HttpResponse:
    """One file's report: its progress (polled by htmx while it runs), then its counts and rejected rows."""
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        report = ingestion_report_get(report_id)
        template = "backoffice/_ingestion_status.html" if request.htmx else "backoffice/ingestion_report.html"  # type: ignore[attr-defined]
        response = render(request, template, {"syndicate": syndicate, "report": report})
    if not request.htmx:  # type: ignore[attr-defined]
        audit_record(
            action="backoffice.ingestion_viewed",
            request=request,
            details={"schema": syndicate.schema_name, "report": report_id},
        )
    return response


@login_required
@require_GET
def ingestion_rejected_rows(request: HttpRequest, code: str, report_id: int) -> FileResponse:
    """The workbook of the file's rejected rows (line, column, value, message)."""
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        path = rejected_rows_file(ingestion_report_get(report_id))
    audit_record(
        action="backoffice.rejected_rows_downloaded",
        request=request,
        details={"schema": syndicate.schema_name, "report": report_id},
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"lignes-rejetees-{syndicate.code}-{report_id}.xlsx",
        content_type=XLSX,
    )
