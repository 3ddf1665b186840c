"""Back-office pages of the billing runs: per syndicate, the runs, one run's progress and report, a start form.

Account managers only (public host). The syndicate's schema is entered explicitly; a run is
asked for through `invoicing.services.runs.billing_run_request` (idempotent: the same calendar
and issue date give back the same run) and billed in the background; its page follows the
progress with htmx and gives the report (sites skipped with their reason) as a workbook.
Every look and start is written to the public audit trail.
"""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import (
    billing_run_invoices,
    billing_run_skipped,
    billing_runs,
    get_billing_run,
    get_syndicate_for_backoffice,
    syndicates_for_backoffice,
)
from config.form_errors import add_service_errors
from invoicing.choices import RunCalendar, RunStatus
from invoicing.models import BillingRun
from invoicing.services.runs import billing_run_request
from spreadsheets.xlsx import DATE, DECIMAL, NUMBER, Column, Table, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNS_PER_PAGE = 25
# The run page lists this many skipped sites; the workbook has them all.
SKIPPED_SHOWN = 200

SKIPPED_COLUMNS = [
    Column("Point de livraison", 18),
    Column("Site", 30),
    Column("Membre", 30),
    Column("Motif", 60),
]
INVOICE_COLUMNS = [
    Column("Numéro", 18),
    Column("Membre", 30),
    Column("Périmètre de facturation", 30),
    Column("Sites", 8, NUMBER),
    Column("Date d'émission", 14, DATE),
    Column("Total HT (€)", 14, DECIMAL),
    Column("Total TTC (€)", 14, DECIMAL),
]


class RunStartForm(forms.Form):
    calendar = forms.ChoiceField(label=gettext_lazy("Calendrier"), choices=RunCalendar.choices)
    issue_date = forms.DateField(
        label=gettext_lazy("Date d'émission"),
        help_text=gettext_lazy(
            "Le 1er du mois pour le C5 et le gaz T1/T2, le 10 pour le gaz T3. Relancer une campagne déjà "
            "demandée (même calendrier, même date) ne facture rien deux fois ; une campagne en échec reprend."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def run_progress_percent(run: BillingRun) -> int:
    if run.status == RunStatus.DONE:
        return 100
    if not run.perimeters_total:
        return 0
    return min(100, run.perimeters_done * 100 // run.perimeters_total)


def next_issue_date(today: dt.date) -> dt.date:
    """The form's default: the next 1st of the month (the estimated calendar's issue day)."""
    if today.day == 1:
        return today
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@login_required
@require_GET
def run_home(request: HttpRequest) -> HttpResponse:
    require_account_manager(request)
    return render(request, "backoffice/run_home.html", {"syndicates": list(syndicates_for_backoffice())})


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest, code: str) -> HttpResponse:
    """The syndicate's runs (newest issue date first) and the form to start one."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    today = timezone.localdate()
    form = RunStartForm(
        request.POST or None, initial={"calendar": RunCalendar.ESTIMATED, "issue_date": next_issue_date(today)}
    )
    run: BillingRun | None = None
    with tenant_context(syndicate):
        if request.method == "POST" and form.is_valid():
            try:
                run = billing_run_request(
                    calendar=form.cleaned_data["calendar"],
                    issue_date=form.cleaned_data["issue_date"],
                    requested_by=manager.email,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        if run is None:
            page = Paginator(billing_runs(), RUNS_PER_PAGE).get_page(request.GET.get("page"))
            rows = [{"run": r, "percent": run_progress_percent(r)} for r in page.object_list]
            response = render(
                request,
                "backoffice/run_list.html",
                {"syndicate": syndicate, "form": form, "page": page, "rows": rows},
            )
    if run is not None:
        audit_record(
            action="backoffice.billing_run_requested",
            request=request,
            details={
                "schema": syndicate.schema_name,
                "run": run.pk,
                "calendar": run.calendar,
                "issue_date": run.issue_date.isoformat(),
            },
        )
        messages.success(
            request,
            _("Campagne de facturation du %(date)s demandée (%(calendar)s).")
            % {"date": run.issue_date.strftime("%d/%m/%Y"), "calendar": run.get_calendar_display()},
        )
        return redirect("backoffice:run_detail", code=syndicate.code, run_id=run.pk)
    audit_record(
        action="backoffice.billing_runs_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "page": page.number},
    )
    return response


@login_required
@require_GET
def run_detail(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    """One run: its progress (polled by htmx until it ends), then its figures and the skipped sites."""
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        run = get_billing_run(run_id)
        skipped = billing_run_skipped(run)
        context = {
            "syndicate": syndicate,
            "run": run,
            "percent": run_progress_percent(run),
            "finished": run.status in {RunStatus.DONE, RunStatus.FAILED},
            "skipped": skipped[:SKIPPED_SHOWN],
            "skipped_more": max(0, len(skipped) - SKIPPED_SHOWN),
        }
        template = "backoffice/_run_status.html" if request.htmx else "backoffice/run_detail.html"  # type: ignore[attr-defined]
        response = render(request, template, context)
    if not request.htmx:  # type: ignore[attr-defined]
        audit_record(
            action="backoffice.billing_run_viewed",
            request=request,
            details={"schema": syndicate.schema_name, "run": run_id},
        )
    return response


@login_required
@require_GET
def run_report(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    """The run report as a workbook: the invoices issued, and the sites skipped with their reason."""
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    with tenant_context(syndicate):
        run = get_billing_run(run_id)
        skipped = [
            [row["delivery_point"], row["site_name"], row["member"], row["reason"]] for row in billing_run_skipped(run)
        ]
        invoices = [
            [
                invoice.number,
                invoice.member.legal_name,
                invoice.perimeter.name,
                invoice.site_count,  # type: ignore[attr-defined]
                invoice.issue_date,
                invoice.total_excl_vat,
                invoice.total_incl_vat,
            ]
            for invoice in billing_run_invoices(run)
        ]
    buffer = io.BytesIO()
    write_workbook(
        buffer,
        tables=[
            Table("Sites non facturés", SKIPPED_COLUMNS, skipped),
            Table("Factures émises", INVOICE_COLUMNS, invoices),
        ],
    )
    audit_record(
        action="backoffice.billing_run_report_downloaded",
        request=request,
        details={"schema": syndicate.schema_name, "run": run_id},
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-facturation-{syndicate.code}-{run.issue_date.isoformat()}-{run.pk}.xlsx"'
    )
    return response
