"""Back-office campaign management: an account manager opens a campaign for a lot and changes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from datacollection.models import Campaign
from tenants.db import connection
from tests.backoffice.test_followup import _call, _url
from tests.factories import LotFactory

pytestmark = pytest.mark.django_db


def _form(lot: Any, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "lot": lot.pk,
        "name": "Collecte lot 3 — gaz",
        "opens_on": f"{today:%Y-%m-%d}",
        "closes_on": f"{today + dt.timedelta(days=14):%Y-%m-%d}",
        "switch_date": f"{dt.date(today.year + 1, 3, 1):%Y-%m-%d}",
        "welcome_text": "Bienvenue.",
        "default_national_energy_mix": "on",
        "default_paper_delivery": "on",
        **extra,
    }


def test_an_account_manager_opens_a_campaign_with_its_defaults(staff: Any, world: Any) -> None:
    gas = LotFactory(number=3, name="Gaz", fluid="gas", segment_family="T1-T3")
    page = _call(world, staff, "get", _url("campaign_create", code="alpha"))
    assert "Nouvelle campagne de collecte" in page.content.decode()
    response = _call(world, staff, "post", _url("campaign_create", code="alpha"), _form(gas))
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get(lot=gas)
    assert campaign.name == "Collecte lot 3 — gaz"
    # Unticked boxes: the member's perimeters will default to mono-site, debit.
    assert (campaign.default_grouped_invoice, campaign.default_bank_transfer) == (False, False)
    assert (campaign.default_paper_delivery, campaign.default_national_energy_mix) == (True, True)
    assert AuditEvent.objects.filter(action="campaign.created", actor_email="mallory@fournisseur.test").exists()
    listing = _call(world, staff, "get", _url("followup_campaigns")).content.decode()
    assert "Collecte lot 3 — gaz" in listing


def test_dates_out_of_order_or_overlapping_are_refused_with_the_reason(staff: Any, world: Any, campaign: Any) -> None:
    lot = campaign.lot
    today = timezone.localdate()
    url = _url("campaign_create", code="alpha")
    overlapping = _call(world, staff, "post", url, _form(lot))
    assert overlapping.status_code == 200
    assert "couvre déjà ces dates" in overlapping.content.decode()
    later = {"opens_on": f"{today + dt.timedelta(days=60):%Y-%m-%d}"}
    backwards = _call(
        world, staff, "post", url, _form(lot, **later, closes_on=f"{today + dt.timedelta(days=40):%Y-%m-%d}")
    )
    assert "La clôture doit suivre l&#x27;ouverture" in backwards.content.decode()
    switch_first = _call(
        world,
        staff,
        "post",
        url,
        _form(
            lot,
            **later,
            closes_on=f"{today + dt.timedelta(days=70):%Y-%m-%d}",
            switch_date=f"{today + dt.timedelta(days=65):%Y-%m-%d}",
        ),
    )
    assert "La date de bascule doit suivre la clôture" in switch_first.content.decode()
    assert Campaign.objects.filter(lot=lot).count() == 1


def test_the_deadline_moves_and_members_see_it(staff: Any, world: Any, campaign: Any) -> None:
    new_close = campaign.closes_on + dt.timedelta(days=5)
    data = _form(campaign.lot, name=campaign.name, closes_on=f"{new_close:%Y-%m-%d}")
    data["opens_on"] = f"{campaign.opens_on:%Y-%m-%d}"
    response = _call(world, staff, "post", _url("campaign_edit", code="alpha", campaign_id=campaign.pk), data)
    assert response.status_code == 302, response.content.decode()
    campaign.refresh_from_db()
    assert campaign.closes_on == new_close
    event = AuditEvent.objects.get(action="campaign.updated")
    assert event.details["closes_on"] == str(new_close)
    connection.set_tenant(world.alpha)
    from datacollection.selectors import member_journey

    assert member_journey(world.member_a).deadline == new_close


def test_an_unknown_campaign_or_syndicate_is_404(staff: Any, world: Any) -> None:
    assert _call(world, staff, "get", _url("campaign_edit", code="alpha", campaign_id=999_999)).status_code == 404
    assert _call(world, staff, "get", _url("campaign_create", code="nope")).status_code == 404
