"""Matrix entries of the export pages (reports app): jobs are personal, files member-scoped."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings

from accounts.choices import Module
from tests.isolation.matrix import MEMBER_PERSONAS, Route, any_member_user, member_scoped

# One job per target, owned by that target's member administrator.
_JOB_IDS = {
    "member_a": uuid.UUID("00000000-0000-4000-8000-00000000000a"),
    "member_b": uuid.UUID("00000000-0000-4000-8000-00000000000b"),
    "beta": uuid.UUID("00000000-0000-4000-8000-0000000000be"),
}
_OWNERS = {"member_a": "alice", "member_b": "charlie", "beta": "dave"}


def _job(world: Any, target: str) -> Any:
    from django.utils import timezone

    from reports.choices import ExportStatus
    from reports.links import LINK_VALIDITY
    from reports.models import ExportJob
    from spreadsheets.xlsx import Column, write_xlsx
    from tenants.db import current_schema

    owner = getattr(world, _OWNERS[target])
    relative = f"exports/{current_schema()}/{owner.member_id}/{_JOB_IDS[target]}.xlsx"
    path = Path(settings.MEDIA_ROOT) / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(path, columns=[Column("A")], rows=iter([("x",)]))
    job, _ = ExportJob.objects.get_or_create(
        pk=_JOB_IDS[target],
        defaults={
            "requested_by": owner,
            "member_id": owner.member_id,
            "report": "perimeter_file",
            "status": ExportStatus.DONE,
            "row_count": 1,
            "file_path": relative,
            "finished_at": timezone.now(),
            "expires_at": timezone.now() + LINK_VALIDITY,
        },
    )
    return job


# One job per syndicate asked by mallory from the back-office (alpha's under "member_a", beta's under "beta").
STAFF_JOB_IDS = {
    "member_a": uuid.UUID("00000000-0000-4000-8000-0000000005a1"),
    "member_b": uuid.UUID("00000000-0000-4000-8000-0000000005a2"),
    "beta": uuid.UUID("00000000-0000-4000-8000-0000000005be"),
}


def staff_job(world: Any, target: str) -> Any:
    """Mallory's syndicate-wide export job in the current schema (built, not expired)."""
    from django.utils import timezone

    from reports.choices import ExportStatus
    from reports.links import LINK_VALIDITY
    from reports.models import ExportJob
    from spreadsheets.xlsx import Column, write_xlsx
    from tenants.db import current_schema

    relative = f"exports/{current_schema()}/all/{STAFF_JOB_IDS[target]}.xlsx"
    path = Path(settings.MEDIA_ROOT) / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(path, columns=[Column("A")], rows=iter([("x",)]))
    job, _ = ExportJob.objects.get_or_create(
        pk=STAFF_JOB_IDS[target],
        defaults={
            "requested_by_staff": world.mallory.email,
            "report": "campaign_followup",
            "parameters": {"campaign": 1},
            "status": ExportStatus.DONE,
            "row_count": 1,
            "file_path": relative,
            "finished_at": timezone.now(),
            "expires_at": timezone.now() + LINK_VALIDITY,
        },
    )
    return job


def _job_kwargs(world: Any, target: str) -> dict[str, Any]:
    return {"job_id": _job(world, target).pk}


def _link_kwargs(world: Any, target: str) -> dict[str, Any]:
    from reports.links import download_token
    from tenants.db import current_schema

    return {"token": download_token(schema=current_schema(), job_id=str(_job(world, target).pk))}


def own_job_only(persona: str, target: str) -> int | set[int]:
    """Only the user who asked for the export gets it; everyone else in the syndicate: 404."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302  # not logged in on alpha's address
    return 200 if _OWNERS.get(target) == persona else 404


def park_report(persona: str, target: str) -> int | set[int]:
    """Exports of the perimeter file need the Parc right (bob has not)."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302
    return 403 if persona == "bob" else 200


def park_report_request(persona: str, target: str) -> int | set[int]:
    return 403 if persona == "bob" else 302  # redirected to "Mes exports" (or to the login)


def nobody_in_the_syndicate(persona: str, target: str) -> int | set[int]:
    """Supplier staff's jobs: no user of the syndicate gets one (the coordinator neither)."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302  # not logged in on alpha's address
    return 404


def _staff_link_kwargs(world: Any, target: str) -> dict[str, Any]:
    from reports.links import download_token
    from tenants.db import current_schema

    return {"token": download_token(schema=current_schema(), job_id=str(staff_job(world, target).pk))}


ROUTES = [
    Route("reports:job_list", any_member_user()),
    Route("reports:job_rows", any_member_user()),
    Route("reports:job_create", park_report_request, method="post", data=lambda w, t: {"report": "perimeter_file"}),
    Route("reports:direct_download", park_report, kwargs=lambda w, t: {"report": "perimeter_file"}),
    Route("reports:job_download", own_job_only, kwargs=_job_kwargs),
    Route("reports:link_download", own_job_only, kwargs=_link_kwargs),
    Route("reports:job_download", nobody_in_the_syndicate, kwargs=lambda w, t: {"job_id": staff_job(w, t).pk}),
    Route("reports:link_download", nobody_in_the_syndicate, kwargs=_staff_link_kwargs),
]


def own_job_only_api(persona: str, target: str) -> int | set[int]:
    if persona in {"mallory", "dave", "anonymous"}:
        return {401, 403}
    return 200 if _OWNERS.get(target) == persona else 404


def park_report_api_create(persona: str, target: str) -> int | set[int]:
    if persona in {"mallory", "dave", "anonymous"}:
        return {401, 403}
    return 403 if persona == "bob" else 201


ROUTES += [
    Route("api:export-list", any_member_user(api=True), api=True),
    Route(
        "api:export-list",
        park_report_api_create,
        method="post",
        api=True,
        data=lambda w, t: {"report": "perimeter_file", "params": {}},
    ),
    Route("api:export-detail", own_job_only_api, kwargs=lambda w, t: {"pk": _job(w, t).pk}, api=True),
    Route("api:export-download", own_job_only_api, kwargs=lambda w, t: {"pk": _job(w, t).pk}, api=True),
]


# --- Consommation exports: a site, a billing perimeter or a member of the target ---------
#
# The same routes as the perimeter file, with the target's object in the parameters: a
# foreign site, perimeter or member is a 404 for a direct download, for an export job
# asked for on "Mes exports" (no job is queued) and through the API alike. The
# coordinator reads (and so exports) every member of its syndicate.

_PERIOD_DAYS = {"first": "2025-01-01", "last": "2025-01-07"}
_PERIOD_MONTHS = {"first": "2025-01", "last": "2025-03"}


def _site_of(world: Any, target: str) -> Any:
    return {"member_a": world.site_a, "member_b": world.site_b, "beta": world.site_beta}[target]


def _member_of(world: Any, target: str) -> Any:
    return {"member_a": world.member_a, "member_b": world.member_b, "beta": world.member_beta}[target]


def _perimeter_of(world: Any, target: str) -> Any:
    from tests.isolation.routes_billing_groups import _perimeter

    return _perimeter(world, target)


CONSUMPTION_REPORT_PARAMS = {
    "consumption_monthly": lambda w, t: {"site": _site_of(w, t).pk, **_PERIOD_MONTHS},
    "consumption_monthly:perimeter": lambda w, t: {"perimeter": _perimeter_of(w, t).pk, **_PERIOD_MONTHS},
    "consumption_monthly:member": lambda w, t: {"member": _member_of(w, t).pk, **_PERIOD_MONTHS},
    "consumption_daily": lambda w, t: {"site": _site_of(w, t).pk, **_PERIOD_DAYS},
    "consumption_readings": lambda w, t: {"site": _site_of(w, t).pk},
    "consumption_load_curve": lambda w, t: {"site": _site_of(w, t).pk, **_PERIOD_DAYS},
}


def _report(key: str) -> str:
    return key.split(":")[0]


def consumption_report_request(persona: str, target: str) -> int | set[int]:
    """Asking for an export job: redirected to "Mes exports" (302) for one's own objects, else 404."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302  # to the login page of alpha's address
    if target == "beta":
        return 404
    if persona == "carol":
        return 302
    return 302 if MEMBER_PERSONAS[persona] == target else 404


def consumption_report_api_create(persona: str, target: str) -> int | set[int]:
    if persona in {"mallory", "dave", "anonymous"}:
        return {401, 403}
    expected = consumption_report_request(persona, target)
    return 201 if expected == 302 else expected


def _direct_download(key: str) -> Route:
    params = CONSUMPTION_REPORT_PARAMS[key]
    return Route(
        "reports:direct_download",
        member_scoped(Module.CONSUMPTION),
        kwargs=lambda w, t: {"report": _report(key)},
        data=params,
    )


def _job_request(key: str) -> Route:
    params = CONSUMPTION_REPORT_PARAMS[key]
    return Route(
        "reports:job_create",
        consumption_report_request,
        method="post",
        kwargs=lambda w, t: {},
        data=lambda w, t: {"report": _report(key), **params(w, t)},
    )


def _api_job_request(key: str) -> Route:
    params = CONSUMPTION_REPORT_PARAMS[key]
    return Route(
        "api:export-list",
        consumption_report_api_create,
        method="post",
        api=True,
        kwargs=lambda w, t: {},
        data=lambda w, t: {"report": _report(key), "params": params(w, t)},
    )


ROUTES += [_direct_download(key) for key in CONSUMPTION_REPORT_PARAMS]
ROUTES += [_job_request(key) for key in CONSUMPTION_REPORT_PARAMS]
ROUTES += [_api_job_request(key) for key in ("consumption_load_curve", "consumption_monthly:perimeter")]
