"""The demo seed at the small scale, into the alpha test tenant: realistic, and idempotent."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context
from stdnum.fr import siret as stdnum_siret

from accounts.choices import Module, Role
from accounts.models import User
from perimeter.choices import Fluid, SiteStatus
from perimeter.demo import (
    ACCOUNT_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    SDEC,
    SIEGE,
    account_manager_ensure,
    communes_load,
    seed_syndicate,
)
from perimeter.models import Contact, Lot, Member, Site
from tenants.models import Syndicate

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, Any]:
    return {
        "lots": sorted(Lot.objects.values_list("id", "number")),
        "members": sorted(Member.objects.values_list("id", "customer_number", "siret")),
        "member_lots": sorted(Member.lots.through.objects.values_list("member_id", "lot_id")),
        "contacts": sorted(Contact.objects.values_list("id", "member_id", "email")),
        "sites": sorted(Site.objects.values_list("id", "delivery_point", "car_kwh", "updated_at")),
        "users": sorted(User.objects.values_list("id", "email", "password")),
    }


def test_small_seed_twice_changes_nothing(alpha: Syndicate) -> None:
    first = seed_syndicate(alpha, SDEC, "small")
    assert (first.members_created, first.elec_sites, first.gas_sites, first.sites_created) == (12, 60, 15, 75)
    assert first.users_created == 4
    before = _snapshot()
    second = seed_syndicate(alpha, SDEC, "small")
    assert (second.members_created, second.contacts_created, second.sites_created, second.users_created) == (0,) * 4
    assert _snapshot() == before


def test_small_seed_is_realistic(alpha: Syndicate) -> None:
    seed_syndicate(alpha, SDEC, "small")
    assert Site.objects.filter(fluid=Fluid.ELECTRICITY).count() == 60
    assert set(Site.objects.filter(fluid=Fluid.GAS).values_list("segment", flat=True)) == {"T1", "T2", "T3"}
    assert set(Site.objects.values_list("status", flat=True)) == {SiteStatus.TO_CONFIRM}
    caen = Member.objects.get(legal_name="Ville de Caen")
    falaise = Member.objects.get(legal_name="Ville de Falaise")
    largest = max(Member.objects.all(), key=lambda m: m.sites.count())
    assert largest == caen
    assert caen.lots.count() == 2
    assert 2 <= falaise.sites.count() <= 5
    assert (caen.postcode, caen.insee_code, falaise.insee_code) == ("14000", "14118", "14258")
    for member in Member.objects.all():
        assert stdnum_siret.is_valid(member.siret), member
        assert 1 <= member.contacts.count() <= 3
    for site in Site.objects.filter(fluid=Fluid.ELECTRICITY):
        assert site.subscribed_power_kva is not None
        assert 3 <= site.subscribed_power_kva <= 36
        if site.site_name.startswith("Éclairage public"):
            assert (site.tariff_formula, site.tariff_option) == ("BTINFCUST", "BASE")
    for site in Site.objects.filter(fluid=Fluid.GAS):
        low, high = {"T1": (0, 5_999), "T2": (6_000, 300_000), "T3": (300_000, 5_000_000)}[site.segment]
        assert site.car_kwh is not None
        assert low <= site.car_kwh <= high


def test_demo_accounts_can_log_in(alpha: Syndicate) -> None:
    seed_syndicate(alpha, SDEC, "small")
    admin = authenticate(None, username="admin@caen.demo", password=DEMO_PASSWORD)
    agent = authenticate(None, username="agent@caen.demo", password=DEMO_PASSWORD)
    mayor = authenticate(None, username="mairie@falaise.demo", password=DEMO_PASSWORD)
    coordinator = authenticate(None, username="coordination@sdec.demo", password=DEMO_PASSWORD)
    assert isinstance(admin, User)
    assert isinstance(agent, User)
    assert isinstance(mayor, User)
    assert isinstance(coordinator, User)
    assert admin.member is not None
    assert mayor.member is not None
    assert (admin.role, admin.member.legal_name) == (Role.MEMBER_ADMIN, "Ville de Caen")
    assert (agent.role, sorted(agent.modules)) == (Role.MEMBER_USER, sorted([Module.CONSUMPTION, Module.BILLING]))
    assert (mayor.role, mayor.member.legal_name) == (Role.MEMBER_ADMIN, "Ville de Falaise")
    assert (coordinator.role, coordinator.member) == (Role.COORDINATOR, None)
    assert authenticate(None, username="admin@caen.demo", password="wrong") is None


def test_account_manager_has_the_fixed_totp_secret(db: None) -> None:
    with schema_context("public"):
        assert account_manager_ensure() is True
        assert account_manager_ensure() is False
        manager = authenticate(None, username=ACCOUNT_MANAGER_EMAIL, password=DEMO_PASSWORD)
        assert isinstance(manager, User)
        assert manager.role == Role.ACCOUNT_MANAGER
        assert pyotp.TOTP(manager.totp_secret).verify(pyotp.TOTP(DEMO_TOTP_SECRET).now())


def test_second_syndicate_spec_seeds_too(alpha: Syndicate) -> None:
    stats = seed_syndicate(alpha, SIEGE, "small")
    assert stats.sites_created == stats.elec_sites + stats.gas_sites > 0
    evreux = Member.objects.get(legal_name="Ville d'Évreux")
    assert (evreux.postcode, evreux.insee_code) == ("27000", "27229")
    assert authenticate(None, username="admin@evreux.demo", password=DEMO_PASSWORD) is not None


def test_full_scale_plan_has_the_demo_size() -> None:
    from perimeter.demo import plan_members

    plan = plan_members(SDEC, "full")
    assert sum(1 for p in plan if p.elec_sites) == 330
    assert sum(p.elec_sites for p in plan) == 11_220
    assert sum(1 for p in plan if p.gas_sites) == 249
    assert sum(p.gas_sites for p in plan) == 1_747
    assert sum(1 for p in plan if p.gas_sites and p.elec_sites) >= 200  # most gas members also buy electricity
    caen = next(p for p in plan if p.data.legal_name == "Ville de Caen")
    assert caen.elec_sites == max(p.elec_sites for p in plan) >= 300
    assert len({p.data.customer_number for p in plan}) == len(plan)
    assert len({p.data.siret for p in plan}) == len(plan)


def test_communes_file_is_sane() -> None:
    communes = communes_load("communes_calvados.csv")
    assert len({c.insee for c in communes}) == len(communes) >= 90
    by_name = {c.name: (c.postcode, c.insee) for c in communes}
    assert by_name["Caen"] == ("14000", "14118")
    assert by_name["Lisieux"] == ("14100", "14366")
    assert by_name["Hérouville-Saint-Clair"] == ("14200", "14327")
    assert all(c.insee.startswith("14") and c.postcode.startswith("14") for c in communes)
    assert all(c.insee.startswith("27") for c in communes_load("communes_eure.csv"))


def test_command_refuses_unknown_syndicate() -> None:
    with pytest.raises(CommandError, match="inconnu"):
        call_command("seed_demo", "--only", "nowhere")


def test_demo_campaigns_are_opened_once(alpha: Syndicate) -> None:
    """The seed opens the data-collection campaigns of lots 1 and 3, and a second run adds none."""
    from datacollection.demo import create_demo_campaigns
    from datacollection.models import Campaign

    seed_syndicate(alpha, SDEC, "small")
    first = create_demo_campaigns(alpha)
    second = create_demo_campaigns(alpha)
    assert sorted(c.lot.number for c in first) == [1, 3]
    assert [c.pk for c in second] == [c.pk for c in first]
    assert Campaign.objects.count() == 2
    assert all(c.opens_on <= c.closes_on for c in first)


def test_later_apps_register_their_demo_generators_in_order() -> None:
    """The seed finds the meter data, the campaigns, the invoices and the technical requests through
    start-up registration, meter data first."""
    from perimeter.extensions import demo_generators

    assert [generator.name for generator in demo_generators()] == [
        "consumption",
        "campaigns",
        "invoicing",
        "technical_requests",
    ]
