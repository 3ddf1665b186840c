"""Back-office home: every syndicate with its pending sign-up requests, the oldest first, in bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AccessRequest
from tenants.db import connection
from tests.backoffice.test_followup import _call, _url

pytestmark = pytest.mark.django_db


def _pending(world: Any, count: int) -> None:
    now = timezone.now()
    AccessRequest.objects.bulk_create(
        [
            AccessRequest(
                first_name="Dana",
                last_name=f"Demande {n:02d}",
                email=f"dana{n}@commune.test",
                customer_number=world.member_a.customer_number,
                delivery_point=world.site_a.delivery_point,
                member=world.member_a,
                created_at=now - dt.timedelta(minutes=count - n),
            )
            for n in range(count)
        ]
    )


def test_the_oldest_requests_are_listed_and_the_rest_counted(staff: Any, world: Any, max_queries: Any) -> None:
    from backoffice.selectors import syndicates_for_backoffice

    _pending(world, 25)
    connection.set_schema_to_public()
    syndicates = syndicates_for_backoffice().count()  # alpha, beta, and any other this test run made
    # domain, session, user, the syndicates, the audit event, the session save (savepoint, update,
    # release); per syndicate: the oldest pending requests with their member, their count (only when
    # 20 are shown), its address. Not one per request. The work queue's counts: the portfolio and the
    # items' states once, then per syndicate one query per registered kind (7) and per campaign
    # closing soon (none here).
    with max_queries(10 + 10 * syndicates):
        page = _call(world, staff, "get", _url("home")).content.decode()
    assert "Demande 00" in page  # the oldest first
    assert "Demande 19" in page
    assert "Demande 20" not in page
    assert "et 5 autres demandes, plus récentes" in page
    assert "<td>25</td>" in page  # alpha's pending count in the syndicates table
