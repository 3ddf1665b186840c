"""Sites of the consumption tests (in alpha's schema), and a clean media folder for the stored files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perimeter.choices import Distributor, Fluid, Segment, TariffFormula, TariffOption
from tests.factories import MemberFactory, SiteFactory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def member(alpha: Any) -> Any:
    return MemberFactory(legal_name="Ville de Caen")


@pytest.fixture
def base_site(member: Any) -> Any:
    return SiteFactory(member=member, delivery_point="30000000000001", site_name="Mairie")


@pytest.fixture
def hphc_site(member: Any) -> Any:
    return SiteFactory(
        member=member,
        delivery_point="30000000000002",
        tariff_option=TariffOption.HPHC,
        tariff_formula=TariffFormula.BTINFMUDT,
        subscribed_power_kva=Decimal("36"),
        site_name="École Jules Ferry",
    )


@pytest.fixture
def gas_site(member: Any) -> Any:
    return SiteFactory(
        member=member,
        fluid=Fluid.GAS,
        delivery_point="GI000001",
        distributor=Distributor.GRDF,
        segment=Segment.T2,
        tariff_formula=TariffFormula.T2,
        tariff_option=TariffOption.GAS,
        subscribed_power_kva=None,
        car_kwh=120000,
        site_name="Gymnase",
    )
