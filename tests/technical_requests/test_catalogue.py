"""Each type's validation: good data accepted, bad data refused with the message the user reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from perimeter.choices import SiteStatus
from technical_requests.catalogue import TYPES, TYPES_BY_CODE, types_for_site
from technical_requests.choices import FieldKind
from technical_requests.samples import sample_data
from technical_requests.validation import request_data_clean
from tests.factories import SiteFactory
from tests.technical_requests.conftest import TODAY


def _errors(rtype: Any, data: dict[str, Any], site: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        request_data_clean(rtype, data, site=site, today=TODAY)
    return caught.value.message_dict


def test_the_catalogue_covers_both_fluids() -> None:
    codes = {t.code for t in TYPES}
    assert {"power_change", "commissioning", "express_commissioning", "termination", "provisional_short"} <= codes
    assert {t.fluid for t in TYPES} == {"elec", "gas"}
    assert len(codes) == len(TYPES)


@pytest.mark.parametrize("rtype", TYPES, ids=lambda t: t.code)
def test_every_type_accepts_its_sample_and_refuses_missing_fields(world: Any, rtype: Any) -> None:
    fluid_site = SiteFactory(member=world.member_a, fluid=rtype.fluid, **_gas(rtype.fluid))
    status = next(iter(sorted(rtype.site_statuses)), None)
    site = None
    if status is not None:
        fluid_site.status = status
        site = fluid_site
    data = sample_data(rtype, TODAY, new_site=site is None, delivery_point=fluid_site.delivery_point[:-1] + "9")
    cleaned = request_data_clean(rtype, data, site=site, today=TODAY)
    assert set(cleaned) <= set(data)
    required = [f.name for f in rtype.fields_for(new_site=site is None) if f.required]
    errors = _errors(rtype, {}, site)
    assert all(errors[name] == ["Ce champ est obligatoire."] for name in required)
    for field in rtype.fields_for(new_site=site is None):
        if field.kind == FieldKind.CHOICE:
            refused = _errors(rtype, {**data, field.name: "autre"}, site)[field.name][0]
            assert refused.startswith("« autre » n'est pas une valeur possible")


def _gas(fluid: str) -> dict[str, Any]:
    if fluid != "gas":
        return {}
    return {
        "delivery_point": "GI123456",
        "segment": "T2",
        "tariff_formula": "T2",
        "tariff_option": "GAS",
        "distributor": "GRDF",
    }


def test_power_change_messages(world: Any) -> None:
    power = TYPES_BY_CODE["power_change"]
    site = SiteFactory(member=world.member_a, status=SiteStatus.ACTIVE)
    good = {"new_power_kva": "9", "desired_date": "2026-03-09", "meter_access": "free"}
    assert request_data_clean(power, good, site=site, today=TODAY)["new_power_kva"] == "9"
    errors = _errors(power, {**good, "new_power_kva": "10", "desired_date": "2026-03-06"}, site)
    assert errors["new_power_kva"][0].startswith("« 10 » n'est pas une valeur possible : choisissez parmi 3 kVA, 6 kVA")
    assert errors["desired_date"] == [
        "La date doit être au plus tôt le lundi 9 mars 2026 (5 jours ouvrés, jours fériés exclus)."
    ]
    assert _errors(power, {**good, "desired_date": "demain"}, site)["desired_date"] == [
        "Indiquez une date (jj/mm/aaaa)."
    ]
    assert _errors(power, {**good, "surprise": "x"}, site)["surprise"] == [
        "Ce champ n'existe pas pour ce type de demande."
    ]
    # A terminated site cannot change its power; a gas request does not fit an electricity site.
    site.status = SiteStatus.TERMINATED
    assert _errors(power, good, site)["site"] == [
        "Cette demande n'est pas possible pour un site au statut « Résilié »."
    ]
    assert "site" in _errors(TYPES_BY_CODE["gas_termination"], {}, SiteFactory(member=world.member_a))


def test_provisional_short_stays_under_28_days(world: Any) -> None:
    short = TYPES_BY_CODE["provisional_short"]
    data = sample_data(short, TODAY, new_site=True)
    data["end_date"] = (dt.date.fromisoformat(data["desired_date"]) + dt.timedelta(days=40)).isoformat()
    assert _errors(short, data, None)["end_date"] == [
        "La date de fin doit tomber entre 1 et 27 jours après la date de début (ici 40)."
    ]


def test_new_site_commissioning_needs_a_delivery_point(world: Any) -> None:
    commissioning = TYPES_BY_CODE["commissioning"]
    data = sample_data(commissioning, TODAY, new_site=True)
    data.pop("new_delivery_point")
    assert _errors(commissioning, data, None)["new_delivery_point"] == [
        "Le point de livraison est obligatoire pour une mise en service."
    ]
    data["new_delivery_point"] = "1234"
    assert "new_delivery_point" in _errors(commissioning, data, None)
    # A type about a site of the park needs the site.
    assert _errors(TYPES_BY_CODE["power_change"], {}, None)["site"] == [
        "Cette demande porte sur un site de votre parc : choisissez le site."
    ]


def test_types_offered_follow_the_site_state() -> None:
    active = {t.code for t in types_for_site(SiteStatus.ACTIVE, "elec")}
    stopped = {t.code for t in types_for_site(SiteStatus.TERMINATED, "elec")}
    new = {t.code for t in types_for_site(None, None)}
    assert "power_change" in active
    assert "power_change" not in stopped
    assert "commissioning" in stopped
    assert "commissioning" not in active
    assert {"connection", "commissioning", "gas_connection"} <= new
    assert "termination" not in new
