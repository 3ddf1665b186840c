from __future__ import annotations

import datetime as dt
from typing import Any

from perimeter.choices import SiteStatus
from technical_requests.catalogue import TYPES_BY_CODE
from technical_requests.choices import RequestStatus
from technical_requests.models import TechnicalRequest
from technical_requests.samples import sample_data
from technical_requests.services import request_create
from tests.technical_requests.conftest import TODAY


def make_request(author: Any, site: Any, type_code: str = "power_change", **data: Any) -> TechnicalRequest:
    """A request of ``author`` through the service (the site made supplied when the type needs it)."""
    rtype = TYPES_BY_CODE[type_code]
    if site is not None and site.status not in rtype.site_statuses:
        site.status = (
            sorted(rtype.site_statuses)[0] if SiteStatus.ACTIVE not in rtype.site_statuses else SiteStatus.ACTIVE
        )
        site.save(update_fields=["status"])
    payload = {**sample_data(rtype, TODAY, new_site=site is None), **data}
    return request_create(author=author, type_code=type_code, site=site, data=payload, today=TODAY)


def move(tech_request: TechnicalRequest, *path: str, by: str = "mallory@fournisseur.test") -> TechnicalRequest:
    from technical_requests.services import request_change_status

    for status in path:
        extra: dict[str, Any] = {}
        if status == RequestStatus.PLANNED:
            extra["appointment_date"] = dt.date(2026, 3, 12)
        if status in {RequestStatus.REFUSED, RequestStatus.ABANDONED}:
            extra["reason"] = "Point introuvable"
        tech_request = request_change_status(tech_request=tech_request, to_status=status, by_label=by, **extra)
    return tech_request
