"""factory_boy factories for the core models (create in the current schema)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import factory
from stdnum import luhn

from accounts.choices import Role
from accounts.models import User
from perimeter.choices import ContactRole, Distributor, Fluid, Segment, TariffFormula, TariffOption
from perimeter.models import Contact, Lot, Member, Site

ModelT = TypeVar("ModelT")


class ModelFactory(factory.django.DjangoModelFactory[ModelT], Generic[ModelT]):
    """factory_boy's model factory, typed so that ``SiteFactory()`` is a ``Site`` for mypy."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> ModelT: ...  # type: ignore[misc]


PASSWORD = "Correct-Horse-Battery-9"


def valid_siret(n: int) -> str:
    """A SIRET that passes the Luhn check, distinct for each n."""
    siren_body = f"2{n:07d}"[-8:]
    siren = siren_body + luhn.calc_check_digit(siren_body)
    nic_body = "0001"
    body = siren + nic_body
    return body + luhn.calc_check_digit(body)


class LotFactory(ModelFactory[Lot]):
    class Meta:
        model = Lot
        django_get_or_create = ("number",)

    number = 1
    name = "Électricité C5"
    fluid = Fluid.ELECTRICITY
    segment_family = "C5"
    delivery_start = dt.date(2025, 1, 1)
    delivery_end = dt.date(2025, 12, 31)
    offer_name = "Offre prix fixe"


class MemberFactory(ModelFactory[Member]):
    class Meta:
        model = Member

    legal_name = factory.Sequence(lambda n: f"Commune {n}")
    siret = factory.Sequence(lambda n: valid_siret(n + 1))
    siren = factory.LazyAttribute(lambda m: m.siret[:9])
    customer_number = factory.Sequence(lambda n: f"C{n + 1:08d}")
    city = "Caen"
    postcode = "14000"
    insee_code = "14118"


class ContactFactory(ModelFactory[Contact]):
    class Meta:
        model = Contact

    member = factory.SubFactory(MemberFactory)
    role = ContactRole.ADMINISTRATIVE
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Interlocuteur {n}")
    email = factory.Sequence(lambda n: f"contact{n}@membre.test")


class SiteFactory(ModelFactory[Site]):
    class Meta:
        model = Site

    member = factory.SubFactory(MemberFactory)
    fluid = Fluid.ELECTRICITY
    # The lot of the site's fluid (the database refuses a gas site in an electricity lot).
    lot = factory.LazyAttribute(
        lambda site: (
            LotFactory(number=1)
            if site.fluid == Fluid.ELECTRICITY
            else LotFactory(number=3, name="Gaz naturel", fluid=Fluid.GAS, segment_family="T1-T3")
        )
    )
    delivery_point = factory.Sequence(lambda n: f"{30000000000000 + n:014d}")
    distributor = Distributor.ENEDIS
    segment = Segment.C5
    tariff_formula = TariffFormula.BTINFCUST
    tariff_option = TariffOption.BASE
    subscribed_power_kva = Decimal("12")
    car_kwh = 8000
    site_name = factory.Sequence(lambda n: f"Site {n}")
    city = "Caen"
    postcode = "14000"


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    role = Role.MEMBER_USER
    password = factory.django.Password(PASSWORD)
