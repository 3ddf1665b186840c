"""Consumption alerts: the three kinds, one open alert per site and kind, the page, the daily digest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from consumption.alerts import (
    alert_acknowledge,
    alerts_compute,
    alerts_digest_send,
    alerts_for,
    digest_preference_set,
)
from consumption.choices import AlertKind
from consumption.models import Alert
from consumption.tasks import alerts_compute_all
from tests.conftest import logged_in
from tests.consumption.meterdata import daily_load, load_curve_load_days
from tests.factories import SiteFactory

TODAY = dt.date(2025, 6, 15)


def _kinds(site: Any) -> set[str]:
    return set(Alert.objects.filter(site=site).values_list("kind", flat=True))


def test_consumption_far_above_last_year_raises_an_alert(world: Any) -> None:
    normal = SiteFactory(member=world.member_a)
    last = TODAY - dt.timedelta(days=1)
    for site, now in ((world.site_a, 40.0), (normal, 12.0)):
        daily_load([site.pk], last - dt.timedelta(days=364 + 29), last - dt.timedelta(days=364), kwh=10.0)
        daily_load([site.pk], last - dt.timedelta(days=29), last, kwh=now)

    counts = alerts_compute(today=TODAY)

    assert counts[AlertKind.OVERCONSUMPTION] == 1
    alert = Alert.objects.get(site=world.site_a, kind=AlertKind.OVERCONSUMPTION)
    assert alert.value == 1200.0
    assert alert.threshold == 450.0  # 1.5 × 300 kWh
    assert (alert.period_start, alert.period_end) == (last - dt.timedelta(days=29), last)
    assert AlertKind.OVERCONSUMPTION not in _kinds(normal)


def test_missing_data_for_seven_days_raises_an_alert_for_communicating_meters(world: Any) -> None:
    silent = world.site_a
    manual = SiteFactory(member=world.member_a, meter_communicating=False)
    fresh = SiteFactory(member=world.member_a)
    daily_load([silent.pk, manual.pk], dt.date(2025, 5, 1), dt.date(2025, 6, 4))
    daily_load([fresh.pk], dt.date(2025, 5, 1), dt.date(2025, 6, 14))

    alerts_compute(today=TODAY)

    alert = Alert.objects.get(kind=AlertKind.MISSING_DATA)
    assert alert.site_id == silent.pk
    assert alert.period_start == dt.date(2025, 6, 5)
    assert alert.value == 10  # days without data up to yesterday


def test_subscribed_power_exceeded_raises_an_alert(world: Any) -> None:
    small = SiteFactory(member=world.member_a, subscribed_power_kva=Decimal("6"))
    big = SiteFactory(member=world.member_a, subscribed_power_kva=Decimal("36"))
    load_curve_load_days(small.pk, TODAY - dt.timedelta(days=3), 2, power_w=7_200)
    load_curve_load_days(big.pk, TODAY - dt.timedelta(days=3), 2, power_w=7_200)

    alerts_compute(today=TODAY)

    alert = Alert.objects.get(kind=AlertKind.POWER_EXCEEDED)
    assert alert.site_id == small.pk
    assert (alert.value, alert.threshold) == (7200.0, 6000.0)


def _missing_data_alerts(site: Any) -> list[Alert]:
    return list(Alert.objects.filter(site=site, kind=AlertKind.MISSING_DATA).order_by("pk"))


def test_a_second_run_refreshes_the_open_alert_instead_of_adding_one(world: Any) -> None:
    daily_load([world.site_a.pk], dt.date(2025, 5, 1), dt.date(2025, 6, 4))
    alerts_compute(today=TODAY)
    alerts_compute(today=TODAY + dt.timedelta(days=1))

    [alert] = _missing_data_alerts(world.site_a)
    assert alert.value == 11
    assert alert.resolved_at is None


def test_an_acknowledged_alert_is_not_raised_again_while_its_condition_holds(world: Any) -> None:
    daily_load([world.site_a.pk], dt.date(2025, 5, 1), dt.date(2025, 6, 4))
    alerts_compute(today=TODAY)
    [alert] = _missing_data_alerts(world.site_a)
    alert_acknowledge(alert=alert, user=world.alice)

    alerts_compute(today=TODAY + dt.timedelta(days=1))

    assert _missing_data_alerts(world.site_a) == [alert]
    assert alerts_for(world.alice, 5) == []


def test_an_alert_ends_with_its_condition_and_a_new_one_opens_if_it_comes_back(world: Any) -> None:
    daily_load([world.site_a.pk], dt.date(2025, 5, 1), dt.date(2025, 6, 4))
    alerts_compute(today=TODAY)
    client = logged_in(world.alice)
    assert "Données manquantes" in client.get(reverse("consumption:home")).content.decode()

    daily_load([world.site_a.pk], dt.date(2025, 6, 5), dt.date(2025, 6, 15))  # the data came in
    alerts_compute(today=dt.date(2025, 6, 16))

    [ended] = _missing_data_alerts(world.site_a)
    assert ended.resolved_at is not None
    assert alerts_for(world.alice, 5) == []
    assert "Données manquantes" not in client.get(reverse("consumption:home")).content.decode()
    assert "Données manquantes" not in client.get(reverse("consumption:alerts")).content.decode()

    alerts_compute(today=dt.date(2025, 6, 25))  # silent again for 9 days

    first, again = _missing_data_alerts(world.site_a)
    assert first == ended
    assert again.resolved_at is None
    assert again.period_start == dt.date(2025, 6, 16)
    assert alerts_for(world.alice, 5) == [again]


def test_each_kind_resolves_on_its_own(world: Any) -> None:
    small = SiteFactory(member=world.member_a, subscribed_power_kva=Decimal("6"))
    load_curve_load_days(small.pk, TODAY - dt.timedelta(days=3), 2, power_w=7_200)
    daily_load([world.site_a.pk], dt.date(2025, 5, 1), dt.date(2025, 6, 4))
    alerts_compute(today=TODAY)
    assert {a.kind for a in alerts_for(world.alice, 5)} == {AlertKind.MISSING_DATA, AlertKind.POWER_EXCEEDED}

    # Ten days later the peak is out of the 7-day window; site_a is still silent.
    alerts_compute(today=TODAY + dt.timedelta(days=10))

    assert [a.kind for a in alerts_for(world.alice, 5)] == [AlertKind.MISSING_DATA]
    assert Alert.objects.get(site=small, kind=AlertKind.POWER_EXCEEDED).resolved_at is not None


def _alert(site: Any, kind: str = AlertKind.MISSING_DATA) -> Alert:
    return Alert.objects.create(
        site=site, kind=kind, period_start=dt.date(2025, 6, 1), period_end=dt.date(2025, 6, 14), value=14, threshold=7
    )


def test_alerts_for_is_member_scoped(world: Any) -> None:
    mine, theirs = _alert(world.site_a), _alert(world.site_b)

    assert alerts_for(world.alice, 5) == [mine]
    assert alerts_for(world.bob, 5) == [mine]  # bob has Consommation
    assert alerts_for(world.charlie, 5) == [theirs]
    assert set(alerts_for(world.carol, 5)) == {mine, theirs}


def test_alerts_are_listed_on_the_consumption_home_and_can_be_acknowledged(world: Any) -> None:
    alert = _alert(world.site_a)
    client = logged_in(world.alice)

    home = client.get(reverse("consumption:home")).content.decode()
    assert "Données manquantes" in home
    assert world.site_a.site_name in home

    response = client.post(reverse("consumption:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.alice
    assert alerts_for(world.alice, 5) == []


def test_alerts_are_listed_on_the_member_space_home(world: Any) -> None:
    _alert(world.site_a)
    body = logged_in(world.alice).get("/").content.decode()
    assert "Données manquantes" in body


def test_daily_digest_sends_one_email_per_opted_in_user(
    world: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    _alert(world.site_a)
    _alert(world.site_b, AlertKind.POWER_EXCEEDED)
    digest_preference_set(user=world.alice, daily_digest=True)
    digest_preference_set(user=world.charlie, daily_digest=True)
    digest_preference_set(user=world.bob, daily_digest=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_digest_send() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_digest_send() == 0  # nothing new since the last digest

    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.alice.email, world.charlie.email])
    alice_mail = next(m for m in mailoutbox if m.to == [world.alice.email])
    assert world.site_a.site_name in alice_mail.body
    assert world.site_b.site_name not in alice_mail.body


def test_the_digest_mails_an_alert_once_while_it_goes_on_and_again_when_it_comes_back(
    world: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    digest_preference_set(user=world.alice, daily_digest=True)
    daily_load([world.site_a.pk], dt.date(2025, 5, 1), dt.date(2025, 6, 4))

    def day(today: dt.date) -> int:
        """The daily beat: compute, then send the digests."""
        alerts_compute(today=today)
        with django_capture_on_commit_callbacks(execute=True):
            return alerts_digest_send()

    assert day(TODAY) == 1  # opened: mailed
    assert day(TODAY + dt.timedelta(days=1)) == 0  # still missing, refreshed: not mailed again
    assert day(TODAY + dt.timedelta(days=2)) == 0
    daily_load([world.site_a.pk], dt.date(2025, 6, 5), dt.date(2025, 6, 17))
    assert day(dt.date(2025, 6, 18)) == 0  # resolved: nothing to say
    assert day(dt.date(2025, 6, 26)) == 1  # silent again: a new alert, mailed

    assert len(mailoutbox) == 2
    assert "18/06/2025" in mailoutbox[1].body  # the new episode's start
    assert "05/06/2025" not in mailoutbox[1].body


def test_digest_preference_page(world: Any) -> None:
    client = logged_in(world.alice)
    client.post(reverse("consumption:digest_preference"), {"daily_digest": "on"})
    assert 'id="id_daily_digest" checked' in client.get(reverse("consumption:alerts")).content.decode()
    client.post(reverse("consumption:digest_preference"), {})
    assert 'id="id_daily_digest" checked' not in client.get(reverse("consumption:alerts")).content.decode()


def test_the_beat_task_runs_every_syndicate(world: Any) -> None:
    result = alerts_compute_all()
    assert {"alpha", "beta"} <= set(result)
    assert set(result["alpha"]) == {"overconsumption", "missing_data", "power_exceeded", "digests"}
