"""Reads of technical requests, member-scoped through the park's selectors (a foreign id gives 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from perimeter.selectors import members_for
from technical_requests.choices import CLOSED_STATUSES
from technical_requests.models import RequestAttachment, TechnicalRequest


def requests_for(user: User | Any) -> QuerySet[TechnicalRequest]:
    """The requests a user may read: its member's; every member's for the coordinator."""
    requests = TechnicalRequest.objects.select_related("member", "site")
    # The park's scoping decides which members the user sees (one rule for every object).
    return requests.filter(member__in=members_for(user).order_by().values("pk"))


def get_request_for(user: User | Any, pk: int | str) -> TechnicalRequest:
    try:
        return requests_for(user).get(pk=int(pk))
    except (TechnicalRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such technical request") from exc


def get_attachment_for(user: User | Any, request_pk: int | str, pk: int | str) -> RequestAttachment:
    tech_request = get_request_for(user, request_pk)
    try:
        return tech_request.attachments.get(pk=int(pk))
    except (RequestAttachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such attachment") from exc


def late_q() -> Q:
    """Requests still open past their expected completion date."""
    return Q(expected_by__lt=timezone.localdate()) & ~Q(status__in=sorted(CLOSED_STATUSES))


def with_lateness(requests: QuerySet[TechnicalRequest]) -> QuerySet[TechnicalRequest]:
    return requests.annotate(is_late=ExpressionWrapper(late_q(), output_field=BooleanField()))


def request_counts(requests: QuerySet[TechnicalRequest]) -> dict[str, int]:
    """Open and late requests, in one aggregate (the coordinator's counters)."""
    return requests.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status__in=sorted(CLOSED_STATUSES))),
        late=Count("pk", filter=late_q()),
    )
