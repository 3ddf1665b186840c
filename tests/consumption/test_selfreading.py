"""Self-readings: rules of the service, the page and the confirmation mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from consumption.models import Reading, SelfReadingSubmission
from consumption.selfreading import SelfReadingRefused, self_reading_submit
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
    submission = _submit(manual_site, world.alice, indexes_kwh={"HP": 120, "HC": 10_100}, meter_turnover=True)

    assert submission.meter_turnover
    assert Reading.objects.get(site_id=manual_site.pk, read_on=TODAY, post="HP").meter_turnover


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
