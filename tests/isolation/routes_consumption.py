"""Matrix entries of the consumption back-office API (public host, supplier staff only)."""

from tests.isolation.matrix import Route, staff_only

SAMPLE = "point;horodate;puissance_w;pas_minutes\n30000000000009;2025-01-15T10:00:00+01:00;1000;30\n"

ROUTES = [
    Route(
        "consumption_backoffice_api:ingestions",
        staff_only(api=True),
        host="public",
        api=True,
        leak=lambda w: [w.member_b.legal_name],
    ),
    Route(
        "consumption_backoffice_api:ingestions",
        staff_only(api=True),
        host="public",
        method="post",
        api=True,
        data=lambda w, target: {"syndicate": "alpha", "file_name": "matrice.csv", "content": SAMPLE},
    ),
    # The supplier's API described for its staff only (the members' schema is on each syndicate's address).
    Route("staff_api_schema", staff_only(api=True), host="public", api=True),
    Route("staff_api_docs", staff_only(api=True), host="public", api=True),
]


# --- Consommation pages (member space) ---------------------------------------------------

from typing import Any  # noqa: E402

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
    # Ids are per schema: beta's alert gets an id alpha never reaches (a 404 proves the scoping, not a miss).
    extra = {"pk": 900_000_001} if target == "beta" else {}
    alert, _created = Alert.objects.get_or_create(
        site=site,
        kind=AlertKind.MISSING_DATA,
        resolved_at__isnull=True,
        defaults={
            "period_start": dt.date(2025, 1, 1),
            "period_end": dt.date(2025, 1, 10),
            "value": 10,
            "threshold": 7,
            **extra,
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
