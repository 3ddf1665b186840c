"""The demo requests: made through the services, in every status, some late, idempotent."""

from __future__ import annotations

from typing import Any

from technical_requests.choices import RequestStatus
from technical_requests.demo import create_demo_requests
from technical_requests.models import TechnicalRequest
from technical_requests.selectors import late_q
from tests.factories import SiteFactory


def test_demo_requests_cover_every_status(world: Any) -> None:
    SiteFactory.create_batch(5, member=world.member_a, status="active")
    SiteFactory.create_batch(2, member=world.member_a, status="terminated")
    made = create_demo_requests(count=80, seed="sdec")
    assert made >= 70
    statuses = set(TechnicalRequest.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    assert TechnicalRequest.objects.filter(late_q()).exists()
    done = TechnicalRequest.objects.filter(status=RequestStatus.DONE).first()
    assert done is not None
    timeline = list(done.status_changes.values_list("to_status", "at"))
    assert timeline[0][0] == "open"
    assert timeline[-1][0] == "done"
    assert [at for _s, at in timeline] == sorted(at for _s, at in timeline)
