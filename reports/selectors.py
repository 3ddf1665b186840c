"""Reads of export jobs: a user sees only the jobs it asked for (a foreign id gives 404).

Supplier staff's jobs (asked from the back-office) are read by e-mail, in the syndicate
the back-office entered; a syndicate's user never sees them, nor staff a user's job.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from reports.models import ExportJob

MY_EXPORTS_LIMIT = 50


def jobs_for(user: User) -> QuerySet[ExportJob]:
    """The user's own export jobs, newest first.

    Jobs are personal: the file holds what its requester may see, so even another user
    of the same member does not get it (that user can ask for the same export).
    """
    if not user.is_authenticated:
        return ExportJob.objects.none()
    jobs = ExportJob.objects.filter(requested_by_id=user.pk)
    if user.member_id is not None:  # a user moved to another member loses the old member's files
        jobs = jobs.filter(member_id=user.member_id)
    return jobs.order_by("-created_at")


def get_job_for(user: User, job_id: uuid.UUID | str) -> ExportJob:
    try:
        return jobs_for(user).get(pk=job_id)
    except (ExportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such export") from exc


def staff_jobs_for(email: str) -> QuerySet[ExportJob]:
    """An account manager's export jobs in the current syndicate, newest first (one query)."""
    if not email:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by__isnull=True, requested_by_staff=email).order_by("-created_at")


def get_staff_job_for(email: str, job_id: uuid.UUID | str) -> ExportJob:
    try:
        return staff_jobs_for(email).get(pk=job_id)
    except (ExportJob.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such export") from exc
