"""Download links sent by email: signed (schema + job), expiring, and still behind the login."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing

LINK_VALIDITY = dt.timedelta(days=7)
_SALT = "reports.download-link"


@dataclass(frozen=True)
class LinkTarget:
    schema: str
    job_id: str


class LinkExpired(Exception):
    """The link was genuine but is older than its validity."""


def download_token(*, schema: str, job_id: str) -> str:
    return signing.dumps({"s": schema, "j": job_id}, salt=_SALT, compress=True)


def read_download_token(token: str, *, max_age: dt.timedelta = LINK_VALIDITY) -> LinkTarget | None:
    """The link's target; None when forged; ``LinkExpired`` when too old."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), str) or not isinstance(data.get("j"), str):
        return None
    return LinkTarget(schema=data["s"], job_id=data["j"])
