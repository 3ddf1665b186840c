"""Member consumption API: scoping, parameters, self-readings, OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from tests.conftest import ALPHA_HOST, TenantClient, logged_in
from tests.consumption.meterdata import daily_load, reading_add
from tests.factories import SiteFactory

BASE = "/api/v1/consumption"


def test_site_daily_energy_with_period_and_step(world: Any) -> None:
    daily_load([world.site_a.pk], dt.date(2025, 1, 1), dt.date(2025, 2, 28), kwh=2.0)
    client = logged_in(world.alice)

    daily = client.get(f"{BASE}/sites/{world.site_a.pk}/energy/", {"first": "2025-01-30", "last": "2025-02-02"}).json()
    assert daily["step"] == "day"
    assert daily["values"] == [{"date": f"2025-{d}", "kwh": 2.0} for d in ("01-30", "01-31", "02-01", "02-02")]

    monthly = client.get(
        f"{BASE}/sites/{world.site_a.pk}/energy/", {"first": "2025-01-01", "last": "2025-02-28", "step": "month"}
    ).json()
    assert monthly["values"] == [{"date": "2025-01-01", "kwh": 62.0}, {"date": "2025-02-01", "kwh": 56.0}]


@pytest.mark.parametrize(
    "params",
    [
        {"first": "2024-01-01", "last": "2025-01-05"},  # more than a year
        {"first": "2025-02-01", "last": "2025-01-01"},  # reversed
        {"first": "demain"},
        {"step": "hour"},
        {"first": "2024-01-01", "last": "2025-01-01", "step": "month"},  # thirteen months
    ],
)
def test_invalid_parameters_answer_400(world: Any, params: dict[str, str]) -> None:
    response = logged_in(world.alice).get(f"{BASE}/sites/{world.site_a.pk}/energy/", params)
    assert response.status_code == 400


def test_another_members_site_or_perimeter_answers_404(world: Any) -> None:
    from billing_groups.models import BillingPerimeter

    perimeter_b = BillingPerimeter.objects.create(member=world.member_b, name="B", segment="C5")
    client = logged_in(world.alice)
    assert client.get(f"{BASE}/sites/{world.site_b.pk}/energy/").status_code == 404
    assert client.get(f"{BASE}/sites/{world.site_b.pk}/load-curve/").status_code == 404
    assert client.get(f"{BASE}/sites/{world.site_b.pk}/readings/").status_code == 404
    assert client.get(f"{BASE}/perimeters/{perimeter_b.pk}/energy/").status_code == 404


def test_member_energy_counts_only_the_users_member(world: Any) -> None:
    other = SiteFactory(member=world.member_a)
    daily_load([world.site_a.pk, other.pk], dt.date(2025, 3, 1), dt.date(2025, 3, 31), kwh=1.0)
    daily_load([world.site_b.pk], dt.date(2025, 3, 1), dt.date(2025, 3, 31), kwh=100.0)

    alice = logged_in(world.alice).get(f"{BASE}/member/energy/", {"first": "2025-03-01", "last": "2025-03-31"}).json()
    assert alice["values"] == [{"date": "2025-03-01", "kwh": 62.0}]
    charlie = logged_in(world.charlie).get(
        f"{BASE}/member/energy/", {"first": "2025-03-01", "last": "2025-03-02", "step": "day"}
    )
    assert [v["kwh"] for v in charlie.json()["values"]] == [100.0, 100.0]


def test_perimeter_energy(world: Any) -> None:
    from billing_groups.models import BillingPerimeter, BillingPerimeterSite

    perimeter = BillingPerimeter.objects.create(member=world.member_a, name="Mairie", segment="C5")
    BillingPerimeterSite.objects.create(perimeter=perimeter, site=world.site_a)
    daily_load([world.site_a.pk], dt.date(2025, 3, 1), dt.date(2025, 3, 3), kwh=5.0)

    body = (
        logged_in(world.bob)
        .get(f"{BASE}/perimeters/{perimeter.pk}/energy/", {"first": "2025-03-01", "last": "2025-03-03"})
        .json()
    )
    assert body["scope"] == "perimeter"
    assert sum(v["kwh"] for v in body["values"]) == 15.0


def _curve_with_power_per_utc_hour(site_id: int, day: dt.date, *, step: int = 30) -> None:
    """A curve over a local day whose points of UTC hour h read alternately 1000 + 100·h and 1000 + 100·h + 20 W."""
    import pandas as pd

    from consumption.ingestion.load_curve import load_curve_load

    start, end = (pd.Timestamp(d).tz_localize("Europe/Paris") for d in (day, day + dt.timedelta(days=1)))
    ends = pd.date_range(start + pd.Timedelta(minutes=step), end, freq=f"{step}min")
    hour = np.arange(len(ends)) // (60 // step)
    load_curve_load(
        pd.DataFrame(
            {
                "site_id": site_id,
                "ends_at": ends.tz_convert("UTC").tz_localize(None),
                "power_w": 1000 + 100 * hour + 20 * (np.arange(len(ends)) % 2),
                "step_minutes": step,
                "utc_offset_minutes": [int(t.utcoffset().total_seconds() // 60) for t in ends],
            }
        )
    )


def test_load_curve_keeps_the_october_repeated_hour(world: Any) -> None:
    _curve_with_power_per_utc_hour(world.site_a.pk, dt.date(2025, 10, 26))  # 50 half-hours (DST end)
    client = logged_in(world.alice)
    url = f"{BASE}/sites/{world.site_a.pk}/load-curve/"

    native = client.get(url, {"first": "2025-10-26", "last": "2025-10-26"}).json()
    assert native["step_minutes"] == 30
    assert len(native["power_w"]) == 50
    assert native["ends"][0] == "2025-10-26T00:30:00+02:00"
    # Local 02:00 and 02:30 come twice, once in summer time, once in winter time.
    assert native["ends"][3:8] == [
        "2025-10-26T02:00:00+02:00",
        "2025-10-26T02:30:00+02:00",
        "2025-10-26T02:00:00+01:00",
        "2025-10-26T02:30:00+01:00",
        "2025-10-26T03:00:00+01:00",
    ]
    assert native["ends"][-1] == "2025-10-27T00:00:00+01:00"
    assert len(set(native["ends"])) == 50

    hourly = client.get(url, {"first": "2025-10-26", "last": "2025-10-26", "step": "60"}).json()
    assert hourly["step_minutes"] == 60
    assert len(hourly["ends"]) == 25
    assert hourly["ends"][:4] == [
        "2025-10-26T01:00:00+02:00",
        "2025-10-26T02:00:00+02:00",
        "2025-10-26T02:00:00+01:00",
        "2025-10-26T03:00:00+01:00",
    ]
    assert hourly["ends"][-1] == "2025-10-27T00:00:00+01:00"
    # Each UTC hour's mean, the two 02:xx local hours apart.
    assert hourly["power_w"] == [1000 + 100 * h + 10 for h in range(25)]


def test_load_curve_on_the_march_short_day(world: Any) -> None:
    _curve_with_power_per_utc_hour(world.site_a.pk, dt.date(2025, 3, 30))  # 46 half-hours (DST start)
    client = logged_in(world.alice)
    url = f"{BASE}/sites/{world.site_a.pk}/load-curve/"

    native = client.get(url, {"first": "2025-03-30", "last": "2025-03-30"}).json()
    assert len(native["ends"]) == 46
    assert native["ends"][2:5] == [
        "2025-03-30T01:30:00+01:00",
        "2025-03-30T03:00:00+02:00",
        "2025-03-30T03:30:00+02:00",
    ]

    hourly = client.get(url, {"first": "2025-03-30", "last": "2025-03-30", "step": "60"}).json()
    assert len(hourly["ends"]) == 23
    assert hourly["ends"][:3] == ["2025-03-30T01:00:00+01:00", "2025-03-30T03:00:00+02:00", "2025-03-30T04:00:00+02:00"]
    assert hourly["ends"][-1] == "2025-03-31T00:00:00+02:00"
    assert hourly["power_w"] == [1000 + 100 * h + 10 for h in range(23)]


def test_hourly_load_curve_of_a_10_minute_meter_is_the_mean_of_six_points(world: Any) -> None:
    _curve_with_power_per_utc_hour(world.site_a.pk, dt.date(2025, 6, 2), step=10)
    client = logged_in(world.alice)
    url = f"{BASE}/sites/{world.site_a.pk}/load-curve/"
    assert len(client.get(url, {"first": "2025-06-02", "last": "2025-06-02"}).json()["ends"]) == 144
    hourly = client.get(url, {"first": "2025-06-02", "last": "2025-06-02", "step": "60"}).json()
    assert hourly["power_w"] == [1000 + 100 * h + 10 for h in range(24)]
    assert hourly["ends"][0] == "2025-06-02T01:00:00+02:00"


def test_readings_list_and_self_reading_create(
    world: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    site = SiteFactory(member=world.member_a, meter_communicating=False, car_kwh=20_000)
    reading_add(site.pk, dt.date(2025, 1, 31), {"BASE": 5_000_000})
    client = logged_in(world.alice)
    url = f"{BASE}/sites/{site.pk}/readings/"

    listed = client.get(url).json()
    assert listed["count"] == 1
    assert listed["results"][0]["indexes_kwh"] == {"BASE": 5000.0}

    lower = client.post(url, {"indexes_kwh": {"BASE": 4000}, "confirm": True}, content_type="application/json")
    assert lower.status_code == 400
    assert "BASE" in lower.json()["indexes_kwh"]

    unconfirmed = client.post(url, {"indexes_kwh": {"BASE": 5100}, "confirm": False}, content_type="application/json")
    assert unconfirmed.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            url,
            {"indexes_kwh": {"BASE": 5100}, "confirm": True, "copy_to": "dg@a.test"},
            content_type="application/json",
        )
    assert created.status_code == 201, created.json()
    assert created.json()["indexes_kwh"] == {"BASE": 5100}
    assert client.get(url).json()["count"] == 2
    assert set(mailoutbox[0].to) == {world.alice.email, "dg@a.test"}


def test_self_reading_on_a_communicating_meter_answers_409(world: Any) -> None:
    response = logged_in(world.alice).post(
        f"{BASE}/sites/{world.site_a.pk}/readings/",
        {"indexes_kwh": {"BASE": 1}, "confirm": True},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "communicant" in response.json()["detail"]


def test_coordinator_reads_but_cannot_write(world: Any) -> None:
    site = SiteFactory(member=world.member_b, meter_communicating=False)
    client = logged_in(world.carol)
    url = f"{BASE}/sites/{site.pk}/readings/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"indexes_kwh": {"BASE": 1}, "confirm": True}, content_type="application/json")
    assert response.status_code == 403


def test_anonymous_is_refused(world: Any) -> None:
    assert TenantClient(ALPHA_HOST).get(f"{BASE}/member/energy/").status_code in {401, 403}


def test_openapi_schema_lists_the_consumption_paths(world: Any) -> None:
    response = logged_in(world.alice).get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    for path in (
        "/api/v1/consumption/member/energy/",
        "/api/v1/consumption/perimeters/{id}/energy/",
        "/api/v1/consumption/sites/{id}/energy/",
        "/api/v1/consumption/sites/{id}/load-curve/",
        "/api/v1/consumption/sites/{id}/readings/",
    ):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/consumption/sites/{id}/readings/"])
    parameters = {p["name"] for p in paths["/api/v1/consumption/sites/{id}/energy/"]["get"]["parameters"]}
    assert {"first", "last", "step"} <= parameters
