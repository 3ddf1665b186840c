"""Clients and site builders of the Park page tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from perimeter.choices import Distributor, Fluid, Segment, TariffFormula, TariffOption
from perimeter.models import Site
from tests.conftest import TenantClient, logged_in
from tests.factories import LotFactory, SiteFactory


@pytest.fixture
def alice_client(world: Any) -> TenantClient:
    return logged_in(world.alice)


@pytest.fixture
def bob_client(world: Any) -> TenantClient:
    return logged_in(world.bob)


@pytest.fixture
def charlie_client(world: Any) -> TenantClient:
    return logged_in(world.charlie)


@pytest.fixture
def carol_client(world: Any) -> TenantClient:
    return logged_in(world.carol)


GAS = {
    "fluid": Fluid.GAS,
    "segment": Segment.T2,
    "distributor": Distributor.GRDF,
    "tariff_formula": TariffFormula.T2,
    "tariff_option": TariffOption.GAS,
    "subscribed_power_kva": None,
}


@pytest.fixture
def make_sites(world: Any) -> Callable[..., list[Site]]:
    """Bulk-create ``n`` sites of a member (one INSERT), electricity unless told ``gas=True``."""

    def make(n: int, *, member: Any = None, gas: bool = False, **fields: Any) -> list[Site]:
        extra = dict(GAS, lot=LotFactory(number=2, fluid=Fluid.GAS, segment_family="T1/T2")) if gas else {}
        sites = [
            SiteFactory.build(member=member or world.member_a, **{"lot": LotFactory(), **extra, **fields})
            for _ in range(n)
        ]
        return Site.objects.bulk_create(sites)

    return make
