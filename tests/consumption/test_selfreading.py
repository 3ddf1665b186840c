"""Self-readings: rules of the service, the page and the confirmation mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from consumption.models import Reading, SelfReadingSubmission
from consumption.selfreading import (
    SelfReadingCheck,
    SelfReadingRefused,
    last_indexes,
    self_reading_check,
    self_reading_submit,
)
from tests.conftest import logged_in
from tests.consumption.meterdata import reading_add
from tests.factories import SiteFactory

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def manual_site(world: Any) -> Any:
    """An HP/HC site of member A whose meter does not communicate; last index 31 days ago."""
    site = SiteFactory(
        member=world.member_a,
        tariff_option="HPHC",
        tariff_formula="BTINFMUDT",
        meter_communicating=False,
        car_kwh=12_000,
        site_name="Salle des fêtes",
    )
    reading_add(site.pk, TODAY - dt.timedelta(days=31), {"HP": 20_000_000, "HC": 10_000_000})
    return site


def _submit(site: Any, user: Any, **kwargs: Any) -> SelfReadingSubmission:
    return self_reading_submit(site=site, user=user, read_on=TODAY, **kwargs)


def test_a_plausible_self_reading_is_stored_per_post(world: Any, manual_site: Any) -> None:
    # 31 days of a 12 MWh/year site: about 1,000 kWh expected; 600 + 300 kWh declared.
    submission = _submit(manual_site, world.alice, indexes_kwh={"HP": 20_600, "HC": 10_300})

    assert not submission.flagged
    readings = Reading.objects.filter(site_id=manual_site.pk, read_on=TODAY).order_by("post")
    assert [(r.post, r.index_wh, r.nature, r.source) for r in readings] == [
        ("HC", 10_300_000, "self_reading", "member"),
        ("HP", 20_600_000, "self_reading", "member"),
    ]
    event = AuditEvent.objects.get(action="consumption.self_reading_submitted")
    assert event.details["indexes_wh"] == {"HP": 20_600_000, "HC": 10_300_000}


def test_an_index_lower_than_the_last_one_is_refused(world: Any, manual_site: Any) -> None:
    with pytest.raises(SelfReadingRefused) as refused:
        _submit(manual_site, world.alice, indexes_kwh={"HP": 19_000, "HC": 10_100})

    assert "HP" in refused.value.errors
    assert "inférieur au dernier index connu (20000 kWh" in refused.value.errors["HP"][0]
    assert "HC" not in refused.value.errors
    assert not Reading.objects.filter(site_id=manual_site.pk, read_on=TODAY).exists()


def test_a_lower_index_is_accepted_when_a_meter_turnover_is_declared(world: Any, manual_site: Any) -> None:
    reading_add(manual_site.pk, TODAY - dt.timedelta(days=10), {"HP": 99_900_000, "HC": 10_000_000})

    # 99,900 → 100,000 then 0 → 150: 250 kWh across the rollover, plausible.
    submission = _submit(manual_site, world.alice, indexes_kwh={"HP": 150, "HC": 10_100}, meter_turnover=True)

    assert submission.meter_turnover
    assert not submission.flagged
    assert Reading.objects.get(site_id=manual_site.pk, read_on=TODAY, post="HP").meter_turnover


def test_the_energy_across_a_turnover_is_checked_against_the_car(world: Any, manual_site: Any) -> None:
    # The HP register was at 20,000 kWh: rolling over at 100,000 means 80,000 + 120 kWh in 31 days.
    with pytest.raises(SelfReadingRefused) as refused:
        _submit(manual_site, world.alice, indexes_kwh={"HP": 120, "HC": 10_100}, meter_turnover=True)

    assert refused.value.needs_confirmation
    assert "80,220 kWh en 31 jours" in str(refused.value)  # 80,120 (HP) + 100 (HC)
    submission = _submit(
        manual_site, world.alice, indexes_kwh={"HP": 120, "HC": 10_100}, meter_turnover=True, confirm_high=True
    )
    assert submission.flagged


def test_register_capacity_is_the_next_power_of_ten_with_five_digits_at_least() -> None:
    from consumption.selfreading import register_capacity_wh

    assert register_capacity_wh(99_850_000) == 100_000_000
    assert register_capacity_wh(123_456_789) == 1_000_000_000
    assert register_capacity_wh(500_000) == 100_000_000  # 500 kWh: a five-digit register still


def test_a_first_reading_has_no_reference_and_is_stored_unchecked(world: Any) -> None:
    site = SiteFactory(member=world.member_a, meter_communicating=False, car_kwh=1_000)

    submission = _submit(site, world.alice, indexes_kwh={"BASE": 987_654})

    assert not submission.flagged
    assert Reading.objects.get(site_id=site.pk, read_on=TODAY).index_wh == 987_654_000


def test_only_the_posts_with_a_previous_index_are_counted(world: Any) -> None:
    site = SiteFactory(
        member=world.member_a,
        tariff_option="HPHC",
        tariff_formula="BTINFMUDT",
        meter_communicating=False,
        car_kwh=12_000,
    )
    reading_add(site.pk, TODAY - dt.timedelta(days=31), {"HP": 20_000_000})  # HC never read

    def check(hp_kwh: int) -> SelfReadingCheck:
        indexes = {"HP": hp_kwh * 1000, "HC": 500_000_000}
        return self_reading_check(site=site, indexes_wh=indexes, read_on=TODAY, meter_turnover=False)

    assert check(20_600).implausible == ""
    assert "7,000 kWh en 31 jours" in check(27_000).implausible  # HP alone is counted


def test_a_second_self_reading_the_same_day_corrects_the_first(world: Any, manual_site: Any) -> None:
    _submit(manual_site, world.alice, indexes_kwh={"HP": 20_900, "HC": 10_300})  # a typo: 20,900 for 20,090

    corrected = _submit(manual_site, world.alice, indexes_kwh={"HP": 20_090, "HC": 10_300})

    assert not corrected.flagged
    assert Reading.objects.get(site_id=manual_site.pk, read_on=TODAY, post="HP").index_wh == 20_090_000
    # Elsewhere (the form's "last index"), the member's reading of the day is the latest one.
    assert last_indexes(manual_site.pk, before=TODAY + dt.timedelta(days=1))["HP"].index_wh == 20_090_000


def test_without_a_car_the_segment_reference_is_used(world: Any) -> None:
    site = SiteFactory(member=world.member_a, meter_communicating=False, car_kwh=None, segment="C5")
    reading_add(site.pk, TODAY - dt.timedelta(days=31), {"BASE": 10_000_000})

    # 5,000 kWh in 31 days: too much for a 12 MWh/year CAR, fine for a C5 site without one.
    assert not _submit(site, world.alice, indexes_kwh={"BASE": 15_000}).flagged
    # 25,000 kWh more in the next 31 days (about 8,500 expected for the largest C5 sites): questioned.
    with pytest.raises(SelfReadingRefused) as refused:
        self_reading_submit(
            site=site, user=world.alice, read_on=TODAY + dt.timedelta(days=31), indexes_kwh={"BASE": 40_000}
        )
    assert refused.value.needs_confirmation
    assert "segment C5" in str(refused.value)


def test_a_gas_site_without_a_car_uses_its_segment(world: Any) -> None:
    site = SiteFactory(
        member=world.member_a,
        fluid="gas",
        delivery_point="GI000777",
        distributor="GRDF",
        segment="T1",
        tariff_formula="T1",
        tariff_option="GAS",
        subscribed_power_kva=None,
        meter_communicating=False,
        car_kwh=None,
    )
    reading_add(site.pk, TODAY - dt.timedelta(days=30), {"BASE": 1_000_000})

    with pytest.raises(SelfReadingRefused) as refused:  # 3,000 kWh in 30 days: a T1 site uses < 6,000 a year
        _submit(site, world.alice, indexes_kwh={"BASE": 4_000})
    assert "segment T1" in str(refused.value)


def test_an_implausibly_high_consumption_is_refused_then_flagged_once_confirmed(world: Any, manual_site: Any) -> None:
    high = {"HP": 25_000, "HC": 12_000}  # 7,000 kWh in 31 days for a 12 MWh/year site

    with pytest.raises(SelfReadingRefused) as refused:
        _submit(manual_site, world.alice, indexes_kwh=high)
    assert refused.value.needs_confirmation
    assert "consommation annuelle de référence" in str(refused.value)

    submission = _submit(manual_site, world.alice, indexes_kwh=high, confirm_high=True)
    assert submission.flagged
    assert "7" in submission.flag_reason


def test_a_communicating_meter_is_refused(world: Any) -> None:
    with pytest.raises(SelfReadingRefused) as refused:
        _submit(world.site_a, world.alice, indexes_kwh={"BASE": 100})
    assert "compteur est communicant" in str(refused.value)


def test_every_post_of_the_option_is_required(world: Any, manual_site: Any) -> None:
    with pytest.raises(SelfReadingRefused) as refused:
        _submit(manual_site, world.alice, indexes_kwh={"BASE": 100})
    assert "HP, HC" in str(refused.value)


def test_confirmation_mail_goes_to_the_user_with_the_extra_contact_in_copy(
    world: Any, manual_site: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _submit(manual_site, world.alice, indexes_kwh={"HP": 20_600, "HC": 10_300}, copy_to="elu@caen.test")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert set(mail.to) == {world.alice.email, "elu@caen.test"}
    assert "auto-relève du 30/06/2025" in mail.subject
    assert "HP : 20600 kWh" in mail.body
    assert "Salle des fêtes" in mail.body


def test_the_page_has_one_field_per_post_and_the_confirmation(world: Any, manual_site: Any) -> None:
    response = logged_in(world.alice).get(reverse("consumption:self_reading", args=[manual_site.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="index_HP"' in body
    assert 'name="index_HC"' in body
    assert "Je confirme que ma saisie est exacte en date du" in body
    assert 'name="copy_to"' in body


def test_the_page_refuses_a_communicating_meter_clearly(world: Any) -> None:
    client = logged_in(world.alice)
    url = reverse("consumption:self_reading", args=[world.site_a.pk])

    page = client.get(url)
    assert "compteur est communicant" in page.content.decode()
    assert 'name="index_BASE"' not in page.content.decode()
    assert client.post(url, {"index_BASE": "1", "confirm": "on"}).status_code == 409


def test_posting_the_page_stores_the_reading_and_redirects_to_the_readings(
    world: Any, manual_site: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    client = logged_in(world.alice)
    url = reverse("consumption:self_reading", args=[manual_site.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"index_HP": "20500", "index_HC": "10200", "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("consumption:site_readings", args=[manual_site.pk])
    assert SelfReadingSubmission.objects.filter(site=manual_site).count() == 1
    assert len(mailoutbox) == 1


def test_the_page_shows_the_refusal_and_asks_confirmation_for_a_high_value(world: Any, manual_site: Any) -> None:
    client = logged_in(world.alice)
    url = reverse("consumption:self_reading", args=[manual_site.pk])

    lower = client.post(url, {"index_HP": "100", "index_HC": "10200", "confirm": "on"})
    assert lower.status_code == 400
    assert "inférieur au dernier index connu" in lower.content.decode()

    missing_confirmation = client.post(url, {"index_HP": "20500", "index_HC": "10200"})
    assert missing_confirmation.status_code == 400

    high = client.post(url, {"index_HP": "90000", "index_HC": "10200", "confirm": "on"})
    assert high.status_code == 400
    assert 'name="confirm_high"' in high.content.decode()


def test_a_coordinator_cannot_submit(world: Any, manual_site: Any) -> None:
    url = reverse("consumption:self_reading", args=[manual_site.pk])
    response = logged_in(world.carol).post(url, {"index_HP": "20500", "index_HC": "10200", "confirm": "on"})
    assert response.status_code == 403


def test_an_estimated_index_is_not_the_reference_of_a_self_reading(world: Any, manual_site: Any) -> None:
    # The distributor over-estimated the meter ten days ago; the member reads less than the estimate.
    reading_add(manual_site.pk, TODAY - dt.timedelta(days=10), {"HP": 21_500_000, "HC": 10_900_000}, nature="estimated")

    submission = _submit(manual_site, world.alice, indexes_kwh={"HP": 20_600, "HC": 10_300})

    assert not submission.flagged
    last = last_indexes(manual_site.pk, before=TODAY)
    assert {post: (index.read_on, index.nature) for post, index in last.items()} == {
        "HP": (TODAY - dt.timedelta(days=31), "real"),
        "HC": (TODAY - dt.timedelta(days=31), "real"),
    }
