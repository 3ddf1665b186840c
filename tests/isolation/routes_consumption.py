"""Matrix entries of the consumption back-office API (public host, supplier staff only)."""

from typing import Any

from tests.isolation.matrix import Route, staff_only, staff_only_own_syndicate

SAMPLE = "point;horodate;puissance_w;pas_minutes\n30000000000009;2025-01-15T10:00:00+01:00;1000;30\n"
# Report ids per schema: beta's id is one alpha never has, so a 404 proves the scoping, not a miss.
_REPORT_IDS = {"member_a": 900_031, "member_b": 900_031, "beta": 900_033}


def ingestion_report_pk(world: Any, target: str) -> int:
    """A finished report with one rejected row (and its workbook) in the target's syndicate."""
    from consumption.ingestion.report import rejected_rows_write
    from consumption.models import IngestionReport
    from consumption.services import absolute_path, stored_path

    pk = _REPORT_IDS[target]
    relative = stored_path(f"{pk}-rejets.xlsx")
    rejected = [{"line": 2, "column": "point", "value": "99999999999999", "reason": "Point de livraison inconnu"}]
    if not absolute_path(relative).exists():
        rejected_rows_write(absolute_path(relative), rejected)
    IngestionReport.objects.get_or_create(
        pk=pk,
        defaults={
            "file_name": f"matrice-{target}.csv",
            "kind": "load_curve",
            "status": "partial",
            "received_rows": 2,
            "accepted_rows": 1,
            "rejected_rows": 1,
            "rejected": rejected,
            "error_report_path": relative,
        },
    )
    return pk


def _report_kwargs(world: Any, target: str) -> dict[str, Any]:
    # Always under alpha's code: the other syndicate's report id must be unknown there.
    return {"syndicate": "alpha", "pk": ingestion_report_pk(world, target)}


def _staff_post(persona: str, target: str) -> int | set[int]:
    return 202 if persona == "mallory" else {401, 403}


ROUTES = [
    Route(
        "consumption_backoffice_api:ingestions",
        staff_only(api=True),
        host="public",
        api=True,
    ),
    # Accepted for the background ingestion (202); the task runs on commit, never in the matrix.
    Route(
        "consumption_backoffice_api:ingestions",
        _staff_post,
        host="public",
        method="post",
        api=True,
        data=lambda w, target: {"syndicate": "alpha", "file_name": "matrice.csv", "content": SAMPLE},
    ),
    Route(
        "consumption_backoffice_api:ingestion",
        staff_only_own_syndicate(api=True),
        host="public",
        api=True,
        kwargs=_report_kwargs,
    ),
    Route(
        "consumption_backoffice_api:ingestion_rejected_rows",
        staff_only_own_syndicate(api=True),
        host="public",
        api=True,
        kwargs=_report_kwargs,
    ),
    # The supplier's API described for its staff only (the members' schema is on each syndicate's address).
    Route("staff_api_schema", staff_only(api=True), host="public", api=True),
    Route("staff_api_docs", staff_only(api=True), host="public", api=True),
]


# --- Consommation pages (member space) ---------------------------------------------------

from accounts.choices import Module  # noqa: E402
from tests.isolation.matrix import any_member_user, fixed, member_scoped  # noqa: E402


def _site(world: Any, target: str) -> Any:
    return {"member_a": world.site_a, "member_b": world.site_b, "beta": world.site_beta}[target]


def _site_pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _site(world, target).pk}


def _non_communicating_site_pk(world: Any, target: str) -> dict[str, Any]:
    """The target's site with a non-communicating meter, so that a self-reading is possible."""
    from perimeter.models import Site

    site = _site(world, target)
    Site.objects.filter(pk=site.pk).update(meter_communicating=False)
    return {"pk": site.pk}


def _open_alert_pk(world: Any, target: str) -> dict[str, Any]:
    """An open alert of the target's site (opened again once a persona has acknowledged it)."""
    import datetime as dt

    from consumption.choices import AlertKind
    from consumption.models import Alert

    site = _site(world, target)
    alert, _created = Alert.objects.get_or_create(
        site=site,
        kind=AlertKind.MISSING_DATA,
        resolved_at__isnull=True,
        defaults={
            "period_start": dt.date(2025, 1, 1),
            "period_end": dt.date(2025, 1, 10),
            "value": 10,
            "threshold": 7,
        },
    )
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=None, acknowledged_by=None)
    return {"pk": alert.pk}


def _self_reading_form(world: Any, target: str) -> dict[str, Any]:
    return {"index_BASE": "1000", "confirm": "on"}


CONSUMPTION_READ = member_scoped(Module.CONSUMPTION)
CONSUMPTION_WRITE = member_scoped(Module.CONSUMPTION, write=True)

ROUTES += [
    Route("consumption:home", any_member_user()),
    Route("consumption:curves", any_member_user()),
    Route("consumption:alerts", any_member_user()),
    # Everyone logged in chooses for their own mail; anonymous users are sent to the login page.
    Route("consumption:digest_preference", fixed(302), method="post", data=lambda w, t: {"daily_digest": "on"}),
    Route("consumption:alert_acknowledge", CONSUMPTION_WRITE, kwargs=_open_alert_pk, method="post"),
    Route("consumption:site_daily", CONSUMPTION_READ, kwargs=_site_pk),
    Route("consumption:site_load_curve", CONSUMPTION_READ, kwargs=_site_pk),
    Route("consumption:site_readings", CONSUMPTION_READ, kwargs=_site_pk),
    Route("consumption:self_reading", CONSUMPTION_READ, kwargs=_non_communicating_site_pk),
    Route(
        "consumption:self_reading",
        CONSUMPTION_WRITE,
        kwargs=_non_communicating_site_pk,
        method="post",
        data=_self_reading_form,
    ),
]


# --- Consommation member API ---------------------------------------------------------------


def _perimeter_pk(world: Any, target: str) -> dict[str, Any]:
    from tests.isolation.routes_billing_groups import _pk

    return _pk(world, target)


API_READ = member_scoped(Module.CONSUMPTION, api=True)
API_WRITE = member_scoped(Module.CONSUMPTION, write=True, api=True)

ROUTES += [
    Route("api:consumption-member-energy", any_member_user(api=True), api=True),
    Route("api:consumption-perimeter-energy", API_READ, api=True, kwargs=_perimeter_pk),
    Route("api:consumption-site-energy", API_READ, api=True, kwargs=_site_pk),
    Route("api:consumption-site-load-curve", API_READ, api=True, kwargs=_site_pk),
    Route("api:consumption-site-readings", API_READ, api=True, kwargs=_site_pk),
    Route(
        "api:consumption-site-readings",
        API_WRITE,
        api=True,
        kwargs=_non_communicating_site_pk,
        method="post",
        data=lambda w, t: {"indexes_kwh": {"BASE": 1000}, "confirm": True},
    ),
]
