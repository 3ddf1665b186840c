"""The work queue's kinds of the apps that exist today, registered by the back-office at start-up
(``BackofficeConfig.ready``): each lists, inside one syndicate, what waits for an account manager."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse as django_reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspace.registry import QueueItem, QueueKind, register_queue_kind

# A member that has not started its journey shows up this many days before the campaign closes.
DEADLINE_WARNING_DAYS = 14


def reverse(name: str, kwargs: dict[str, object]) -> str:
    """A back-office link, built inside a syndicate (whose requests use the tenant URL conf)."""
    return django_reverse(name, kwargs=kwargs, urlconf="config.urls_public")


def _code() -> str:
    from tenants.db import connection

    return str(connection.tenant.code)


def _access_requests(limit: int) -> list[QueueItem]:
    from accounts.selectors import pending_access_requests

    code = _code()
    return [
        QueueItem(
            key=str(r.pk),
            label=f"{r.first_name} {r.last_name} <{r.email}> — {r.member.legal_name if r.member else ''}",
            since=r.created_at,
            url=reverse("backoffice:access_request_decide", kwargs={"code": code, "pk": r.pk}),
            member_id=r.member_id,
        )
        for r in pending_access_requests().order_by("created_at", "pk")[:limit]
    ]


def _failed_imports(limit: int) -> list[QueueItem]:
    from perimeter.importing.choices import ImportStatus
    from perimeter.importing.models import ImportJob

    code = _code()
    jobs = ImportJob.objects.filter(status=ImportStatus.FAILED).order_by("created_at")[:limit]
    return [
        QueueItem(
            key=str(job.pk),
            label=f"{job.original_name} — {job.get_status_display()}",
            since=job.finished_at or job.created_at,
            url=reverse("backoffice:import_job", kwargs={"code": code, "job_id": job.pk}),
        )
        for job in jobs
    ]


def _failed_exports(limit: int) -> list[QueueItem]:
    from reports.choices import ExportStatus
    from reports.models import ExportJob

    jobs = ExportJob.objects.filter(status=ExportStatus.FAILED).order_by("created_at")[:limit]
    return [
        QueueItem(
            key=str(job.pk),
            label=f"{job.report} — {job.requested_by_staff or (job.requested_by.email if job.requested_by else '')}",
            since=job.finished_at or job.created_at,
            member_id=job.member_id,
        )
        for job in jobs.select_related("requested_by")
    ]


def _failed_ingestions(limit: int) -> list[QueueItem]:
    from consumption.choices import IngestionStatus
    from consumption.models import IngestionReport

    code = _code()
    reports = IngestionReport.objects.filter(status=IngestionStatus.FAILED).order_by("created_at")[:limit]
    return [
        QueueItem(
            key=str(report.pk),
            label=report.file_name,
            since=report.finished_at or report.created_at,
            url=reverse("backoffice:ingestion_report", kwargs={"code": code, "report_id": report.pk}),
        )
        for report in reports
    ]


def _journeys_not_started(limit: int) -> list[QueueItem]:
    from datacollection.followup.selectors import campaign_members
    from datacollection.models import Campaign, Journey

    today = timezone.localdate()
    soon = today + dt.timedelta(days=DEADLINE_WARNING_DAYS)
    items: list[QueueItem] = []
    code = _code()
    for campaign in Campaign.objects.filter(opens_on__lte=today, closes_on__gte=today, closes_on__lte=soon):
        started = Journey.objects.filter(campaign=campaign, started_at__isnull=False).values("member_id")
        since = timezone.make_aware(dt.datetime.combine(campaign.opens_on, dt.time()))
        for member in campaign_members(campaign).exclude(pk__in=started).order_by("legal_name")[:limit]:
            items.append(
                QueueItem(
                    key=f"{campaign.pk}:{member.pk}",
                    label=f"{member.legal_name} — {campaign.name} (clôture le {campaign.closes_on:%d/%m/%Y})",
                    since=since,
                    url=reverse("backoffice:followup_table", kwargs={"code": code, "campaign_id": campaign.pk}),
                    member_id=member.pk,
                )
            )
    return items[:limit]


def register() -> None:
    register_queue_kind(QueueKind("access_request", _("Demandes d'inscription"), _access_requests))
    register_queue_kind(QueueKind("failed_import", _("Imports en échec"), _failed_imports))
    register_queue_kind(QueueKind("failed_export", _("Exports en échec"), _failed_exports))
    register_queue_kind(QueueKind("failed_ingestion", _("Fichiers de comptage en échec"), _failed_ingestions))
    register_queue_kind(
        QueueKind("journey_not_started", _("Parcours non démarrés avant clôture"), _journeys_not_started)
    )
