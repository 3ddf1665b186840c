"""Matrix entries of the supplier's back-office (public host): account managers only."""

from __future__ import annotations

from typing import Any

from tests.isolation.matrix import Route, staff_only, staff_only_own_syndicate


def _access_request_kwargs(world: Any, target: str) -> dict[str, Any]:
    from accounts.models import AccessRequest
    from tenants.db import connection

    member = world.member_beta if target == "beta" else getattr(world, target)
    site = {"member_a": world.site_a, "member_b": world.site_b, "beta": world.site_beta}[target]
    access_request, _ = AccessRequest.objects.get_or_create(
        pk={"member_a": 900011, "member_b": 900012, "beta": 900013}[target],
        defaults={
            "email": f"bo-{target}@matrix.test",
            "first_name": "Dana",
            "last_name": "Demande",
            "customer_number": member.customer_number,
            "delivery_point": site.delivery_point,
            "member": member,
        },
    )
    return {"code": connection.tenant.code, "pk": access_request.pk}


ROUTES = [
    Route("backoffice:home", staff_only(), host="public"),
    Route("backoffice:access_request_decide", staff_only(), host="public", kwargs=_access_request_kwargs),
    # A refusal with its reason: mallory's 302 is the redirect after the decision.
    Route(
        "backoffice:access_request_decide",
        lambda persona, target: 302,
        host="public",
        kwargs=_access_request_kwargs,
        method="post",
        data=lambda w, t: {"decision": "refuse", "reason": "Inconnu"},
    ),
]


# --- Pre-filled import (perimeter.importing) ---------------------------------------------

_IMPORT_JOB_IDS = {
    "member_a": "00000000-0000-4000-8000-0000000001aa",
    "member_b": "00000000-0000-4000-8000-0000000001bb",
    "beta": "00000000-0000-4000-8000-0000000001be",
}


def _syndicate_kwargs(world: Any, target: str) -> dict[str, Any]:
    from tenants.db import connection

    return {"code": connection.tenant.code}


def _import_job_kwargs(world: Any, target: str) -> dict[str, Any]:
    from perimeter.importing.models import ImportJob
    from perimeter.importing.reading import CellError
    from perimeter.importing.report import error_report_write
    from perimeter.importing.services import absolute_path
    from tenants.db import connection, current_schema
    from tests.factories import LotFactory

    lot: Any = LotFactory(number=1)
    relative = f"imports/{current_schema()}/{_IMPORT_JOB_IDS[target]}-erreurs.xlsx"
    if not absolute_path(relative).exists():
        error_report_write(absolute_path(relative), [CellError("Sites", 2, "Segment", "T9", "Valeur inconnue")])
    job, _ = ImportJob.objects.get_or_create(
        pk=_IMPORT_JOB_IDS[target],
        defaults={
            "lot": lot,
            "requested_by_email": "mallory@fournisseur.test",
            "original_name": "listing.xlsx",
            "file_path": f"imports/{current_schema()}/{_IMPORT_JOB_IDS[target]}.xlsx",
            "status": "rejected",
            "error_report_path": relative,
            "error_count": 1,
        },
    )
    return {"code": connection.tenant.code, "job_id": job.pk}


ROUTES += [
    Route("backoffice:import_home", staff_only(), host="public"),
    Route("backoffice:import_template", staff_only(), host="public"),
    Route("backoffice:import_upload", staff_only(), host="public", kwargs=_syndicate_kwargs),
    Route("backoffice:import_job", staff_only(), host="public", kwargs=_import_job_kwargs),
    Route("backoffice:import_errors", staff_only(), host="public", kwargs=_import_job_kwargs),
]


# --- Campaign follow-up (datacollection.followup) ----------------------------------------


def _campaign_kwargs(world: Any, target: str) -> dict[str, Any]:
    import datetime as dt

    from datacollection.models import Campaign, Journey
    from tenants.db import connection
    from tests.factories import LotFactory

    member = world.member_beta if target == "beta" else getattr(world, target)
    lot: Any = LotFactory(number=1)
    campaign, _ = Campaign.objects.get_or_create(
        lot=lot,
        name="Collecte matrice",
        defaults={
            "opens_on": dt.date(2020, 1, 1),
            "closes_on": dt.date(2099, 1, 1),
            "switch_date": dt.date(2099, 1, 1),
        },
    )
    Journey.objects.get_or_create(campaign=campaign, member=member)
    return {"code": connection.tenant.code, "campaign_id": campaign.pk, "member_id": member.pk}


def _table_kwargs(world: Any, target: str) -> dict[str, Any]:
    kwargs = _campaign_kwargs(world, target)
    del kwargs["member_id"]
    return kwargs


def _export_kwargs(world: Any, target: str) -> dict[str, Any]:
    return {**_table_kwargs(world, target), "kind": "suivi"}


def _coordinator_only(persona: str, target: str) -> int:
    if persona == "carol":
        return 200
    if persona in {"alice", "bob", "charlie"}:
        return 403
    return 302  # not logged in on this syndicate's address


ROUTES += [
    Route("backoffice:followup_campaigns", staff_only(), host="public"),
    Route("backoffice:followup_table", staff_only(), host="public", kwargs=_table_kwargs),
    # Success redirects to the table (302) like the login redirect: the staff check is in tests/backoffice.
    Route(
        "backoffice:followup_remind",
        lambda persona, target: 302,
        host="public",
        kwargs=_table_kwargs,
        method="post",
        data=lambda world, target: {"tous": "1"},
    ),
    Route("backoffice:followup_unlock", staff_only(), host="public", kwargs=_campaign_kwargs),
    # Asking for an export job redirects to its page (302), like the login redirect: the staff
    # check is in tests/backoffice/test_exports.py.
    Route(
        "backoffice:followup_export",
        lambda persona, target: 302,
        host="public",
        kwargs=_export_kwargs,
        method="post",
    ),
    Route("datacollection:followup", _coordinator_only),
]


ROUTES += [
    Route("backoffice:campaign_create", staff_only(), host="public", kwargs=_syndicate_kwargs),
    # An empty form: the staff user gets the form back with its errors (200), nothing is written.
    Route("backoffice:campaign_create", staff_only(), host="public", kwargs=_syndicate_kwargs, method="post"),
    Route("backoffice:campaign_edit", staff_only(), host="public", kwargs=_table_kwargs),
    Route("backoffice:campaign_edit", staff_only(), host="public", kwargs=_table_kwargs, method="post"),
    # Without a reason the unlock is refused on the form (200); without a file, the upload too.
    Route("backoffice:followup_unlock", staff_only(), host="public", kwargs=_campaign_kwargs, method="post"),
    Route("backoffice:import_upload", staff_only(), host="public", kwargs=_syndicate_kwargs, method="post"),
]


# --- Meter-data ingestion (consumption) -------------------------------------------------


def _ingestion_report_kwargs(world: Any, target: str) -> dict[str, Any]:
    from tests.isolation.routes_consumption import ingestion_report_pk

    # Always under alpha's code: the other syndicate's report id must be unknown there.
    return {"code": "alpha", "report_id": ingestion_report_pk(world, target)}


ROUTES += [
    Route("backoffice:ingestion_home", staff_only(), host="public"),
    Route("backoffice:ingestion_list", staff_only(), host="public", kwargs=_syndicate_kwargs),
    # Without a file the form comes back with its error (200); nothing is stored.
    Route("backoffice:ingestion_list", staff_only(), host="public", kwargs=_syndicate_kwargs, method="post"),
    Route("backoffice:ingestion_report", staff_only_own_syndicate(), host="public", kwargs=_ingestion_report_kwargs),
    Route(
        "backoffice:ingestion_rejected_rows",
        staff_only_own_syndicate(),
        host="public",
        kwargs=_ingestion_report_kwargs,
    ),
]


# --- Export jobs asked from the back-office (reports framework) --------------------------
#
# Under alpha's code: mallory's own job (member_a), a member's job of alpha (member_b:
# charlie's, never served by the back-office) and beta's job id (unknown in alpha) → 404.
# The e-mail link carries its syndicate: it names alpha for each of these three jobs.


def _staff_job_id(world: Any, target: str) -> Any:
    from tests.isolation.routes_reports import _job, staff_job

    return _job(world, target).pk if target == "member_b" else staff_job(world, target).pk


def _staff_job_kwargs(world: Any, target: str) -> dict[str, Any]:
    return {"code": "alpha", "job_id": _staff_job_id(world, target)}


def _staff_link_kwargs(world: Any, target: str) -> dict[str, Any]:
    from reports.links import download_token

    return {"token": download_token(schema="alpha", job_id=str(_staff_job_id(world, target)))}


def own_staff_job(persona: str, target: str) -> int | set[int]:
    if persona == "mallory":
        return 200 if target == "member_a" else 404
    return 302  # not logged in on the public address


ROUTES += [
    Route("backoffice:export_list", staff_only(), host="public"),
    Route("backoffice:export_job", own_staff_job, host="public", kwargs=_staff_job_kwargs),
    Route("backoffice:export_download", own_staff_job, host="public", kwargs=_staff_job_kwargs),
    Route("backoffice:export_link_download", own_staff_job, host="public", kwargs=_staff_link_kwargs),
]


# --- The supplier's team: reset of a lost second factor (accounts.services.staff_totp_reset) --


def _staff_user_kwargs(world: Any, target: str) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    from accounts.models import User

    # A colleague of mallory's (public schema), the same for every target: staff accounts are not a syndicate's.
    with schema_context("public"):
        colleague, _ = User.objects.get_or_create(
            pk=900021, defaults={"email": "nina-matrix@fournisseur.test", "role": "account_manager"}
        )
    return {"pk": colleague.pk}


ROUTES += [
    Route("backoffice:staff_list", staff_only(), host="public"),
    Route("backoffice:staff_totp_reset", staff_only(), host="public", kwargs=_staff_user_kwargs),
    # Mallory has no second factor of her own in the test world: a reset needs one (403, see
    # tests/backoffice/test_staff_totp_reset.py for the reset itself); the others log in first (302).
    Route(
        "backoffice:staff_totp_reset",
        lambda persona, target: 403 if persona == "mallory" else 302,
        host="public",
        kwargs=_staff_user_kwargs,
        method="post",
    ),
]


# --- Regulated rate grids (public schema, national: the same for every target) -----------

_MATRIX_GRID = "matrix_grid"


def _grid_kwargs(world: Any, target: str) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    from invoicing.grids.models import RateGrid
    from invoicing.grids.services import grid_load

    with schema_context("public"):
        if not RateGrid.objects.filter(family=_MATRIX_GRID).exists():
            header = "code,scope,post,unit,value,valid_from,valid_to,reference\n"
            grid_load(
                family=_MATRIX_GRID, text=header + "MATRIX,*,*,PERCENT,20,2020-01-01,,Matrice\n", file_name="m.csv"
            )
    # The version number is not a syndicate's object id (the same grid for every target): given as
    # text, it is left out of the check that beta's ids are unknown in alpha.
    return {"family": _MATRIX_GRID, "version": "1"}


def _family_kwargs(world: Any, target: str) -> dict[str, Any]:
    return {"family": _grid_kwargs(world, target)["family"]}


ROUTES += [
    Route("backoffice:grid_list", staff_only(), host="public"),
    Route("backoffice:grid_upload", staff_only(), host="public"),
    # Without a file the form comes back with its error (200); nothing is loaded.
    Route("backoffice:grid_upload", staff_only(), host="public", method="post"),
    Route("backoffice:grid_family", staff_only(), host="public", kwargs=_family_kwargs),
    Route("backoffice:grid_version", staff_only(), host="public", kwargs=_grid_kwargs),
    Route("backoffice:grid_compare", staff_only(), host="public", kwargs=_grid_kwargs),
    Route("backoffice:grid_download", staff_only(), host="public", kwargs=_grid_kwargs),
]


# --- Contract prices per lot (invoicing.prices) -----------------------------------------


def _lot_kwargs(world: Any, target: str) -> dict[str, Any]:
    from tenants.db import connection
    from tests.factories import LotFactory

    lot: Any = LotFactory(number=1)
    return {"code": connection.tenant.code, "lot_id": lot.pk}


def _price_set_data(world: Any, target: str) -> dict[str, Any]:
    # member_a and member_b share alpha's lot 1: each gets its own date, so each write is accepted.
    valid_from = {"member_a": "2030-01-01", "member_b": "2030-02-01", "beta": "2030-01-01"}[target]
    return {"valid_from": valid_from, "fixed_billing": "advance", "payment_delay_days": "30", "energy_BASE": "0.1"}


ROUTES += [
    Route("backoffice:price_home", staff_only(), host="public"),
    Route("backoffice:price_list", staff_only(), host="public", kwargs=_syndicate_kwargs),
    Route("backoffice:price_set_new", staff_only(), host="public", kwargs=_lot_kwargs),
    # The set is written and the manager sent back to the list (302), like the login redirect.
    Route(
        "backoffice:price_set_new",
        lambda persona, target: 302,
        host="public",
        kwargs=_lot_kwargs,
        method="post",
        data=_price_set_data,
    ),
]


# --- Billing runs (invoicing.services.runs) ---------------------------------------------


def _run_kwargs(world: Any, target: str) -> dict[str, Any]:
    import datetime as dt

    from invoicing.models import BillingRun

    run, _ = BillingRun.objects.get_or_create(
        calendar="estimated",
        issue_date={"member_a": dt.date(2026, 3, 1), "member_b": dt.date(2026, 4, 1), "beta": dt.date(2026, 3, 1)}[
            target
        ],
        defaults={"status": "done", "skipped": [{"site": None, "delivery_point": "", "reason": "Matrice"}]},
    )
    # Always under alpha's code: the other syndicate's run id must be unknown there.
    return {"code": "alpha", "run_id": run.pk}


ROUTES += [
    Route("backoffice:run_home", staff_only(), host="public"),
    Route("backoffice:run_list", staff_only(), host="public", kwargs=_syndicate_kwargs),
    # The run is asked for (idempotent) and the manager sent to its page (302), like the login redirect.
    Route(
        "backoffice:run_list",
        lambda persona, target: 302,
        host="public",
        kwargs=_syndicate_kwargs,
        method="post",
        data=lambda world, target: {"calendar": "estimated", "issue_date": "2030-01-01"},
    ),
    Route("backoffice:run_detail", staff_only_own_syndicate(), host="public", kwargs=_run_kwargs),
    Route("backoffice:run_report", staff_only_own_syndicate(), host="public", kwargs=_run_kwargs),
]
