"""Completion updates the park through the park's services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from perimeter.choices import SiteStatus
from perimeter.models import Site
from technical_requests.choices import RequestStatus
from technical_requests.services import request_record_distributor
from tests.factories import LotFactory
from tests.technical_requests.factories import make_request, move


def test_power_change_sets_the_new_power_with_its_history(world: Any, active_site: Any) -> None:
    tech_request = move(make_request(world.alice, active_site, new_power_kva="18"), RequestStatus.SENT)
    request_record_distributor(
        tech_request=tech_request,
        by_label="m@f.test",
        distributor_reference="AFF-1",
        appointment_date=dt.date(2026, 3, 16),
    )
    assert tech_request.status == RequestStatus.PLANNED
    move(tech_request, RequestStatus.DONE)
    active_site.refresh_from_db()
    assert active_site.subscribed_power_kva == Decimal("18")
    change = active_site.status_history.get()
    assert change.effective_date == dt.date(2026, 3, 16)
    assert change.comment == f"puissance souscrite 12.0 → 18 kVA (Demande technique {tech_request.reference})"


def test_formula_change(world: Any, active_site: Any) -> None:
    tech_request = make_request(world.alice, active_site, "formula_change", new_formula="BTINFMUDT", new_option="HPHC")
    move(tech_request, RequestStatus.SENT, RequestStatus.DONE)
    active_site.refresh_from_db()
    assert (active_site.tariff_formula, active_site.tariff_option) == ("BTINFMUDT", "HPHC")


def test_termination_terminates_the_site(world: Any, active_site: Any) -> None:
    tech_request = make_request(world.alice, active_site, "termination", desired_date="2026-03-20")
    move(tech_request, RequestStatus.SENT, RequestStatus.DONE)
    active_site.refresh_from_db()
    assert active_site.status == SiteStatus.TERMINATED
    assert active_site.termination_date == dt.date(2026, 3, 20)


def test_commissioning_of_a_new_point_creates_the_site(world: Any) -> None:
    world.member_a.lots.add(LotFactory(number=1))
    tech_request = make_request(
        world.alice, None, "commissioning", new_delivery_point="12345678901234", new_site_name="Nouvelle école"
    )
    assert tech_request.site is None
    move(tech_request, RequestStatus.SENT, RequestStatus.DONE)
    tech_request.refresh_from_db()
    site = Site.objects.get(delivery_point="12345678901234")
    assert tech_request.site == site
    assert site.member == world.member_a
    assert site.status == SiteStatus.ACTIVE
    assert site.site_name == "Nouvelle école"


def test_commissioning_refused_when_the_member_has_no_lot(world: Any) -> None:
    tech_request = move(make_request(world.alice, None, "commissioning", new_delivery_point="12345678901299"), "sent")
    with pytest.raises(ValidationError, match="aucun lot"):
        move(tech_request, RequestStatus.DONE)
    tech_request.refresh_from_db()
    assert tech_request.status == RequestStatus.SENT


def test_gas_commissioning_of_a_new_point_creates_a_gas_site(world: Any) -> None:
    world.member_a.lots.add(LotFactory(number=3, name="Gaz naturel", fluid="gas", segment_family="T1-T3"))
    tech_request = make_request(
        world.alice, None, "gas_commissioning", new_delivery_point="GI654321", new_site_name="Gymnase"
    )
    assert tech_request.distributor == "GRDF"
    move(tech_request, RequestStatus.SENT, RequestStatus.DONE)
    site = Site.objects.get(delivery_point="GI654321")
    assert (site.fluid, site.segment, site.distributor, site.status) == ("gas", "T2", "GRDF", SiteStatus.ACTIVE)
