"""Park services: clear French refusals first, database constraints as the last line of defence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.choices import Role
from perimeter.choices import ContactRole, Fluid, SiteStatus
from perimeter.models import Lot, Member, Site, SiteStatusChange
from perimeter.services import (
    SiteData,
    contact_create,
    lot_create,
    member_create,
    site_change_status,
    site_create,
    sites_bulk_create,
)
from tenants.db import connection
from tenants.models import Syndicate
from tests.factories import UserFactory, valid_siret

pytestmark = pytest.mark.django_db

PRM = "01234567890123"
PCE = "21234567890123"


@pytest.fixture
def lots(alpha: Syndicate) -> tuple[Lot, Lot]:
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    elec = lot_create(
        number=1,
        name="Électricité C5",
        fluid=Fluid.ELECTRICITY,
        segment_family="C5",
        delivery_start=start,
        delivery_end=end,
    )
    gas = lot_create(
        number=3, name="Gaz naturel", fluid=Fluid.GAS, segment_family="T1/T2/T3", delivery_start=start, delivery_end=end
    )
    return elec, gas


@pytest.fixture
def member(lots: tuple[Lot, Lot]) -> Member:
    return member_create(legal_name="Commune d'Ifs", siret=valid_siret(1), customer_number="14000101", lots=list(lots))


def _elec(member: Member, lot: Lot, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "member": member,
        "lot": lot,
        "fluid": Fluid.ELECTRICITY,
        "delivery_point": PRM,
        "distributor": "ENEDIS",
        "segment": "C5",
        "tariff_formula": "BTINFCUST",
        "tariff_option": "BASE",
        "subscribed_power_kva": Decimal("9"),
        "car_kwh": 20_000,
        "site_name": "Éclairage public – Rue Pasteur",
    }
    return {**fields, **changes}


def _refusal(field: str, **kwargs: Any) -> str:
    with pytest.raises(ValidationError) as info:
        site_create(**kwargs)
    assert field in info.value.message_dict, info.value.message_dict
    return " ".join(info.value.message_dict[field])


# --- Lots, members, contacts -----------------------------------------------------------------


def test_lot_number_is_unique_and_period_ordered(lots: tuple[Lot, Lot]) -> None:
    with pytest.raises(ValidationError, match="existe déjà"):
        lot_create(
            number=1,
            name="Bis",
            fluid="elec",
            segment_family="C5",
            delivery_start=dt.date(2025, 1, 1),
            delivery_end=dt.date(2025, 12, 31),
        )
    with pytest.raises(ValidationError, match="postérieure"):
        lot_create(
            number=2,
            name="Ter",
            fluid="elec",
            segment_family="C4",
            delivery_start=dt.date(2025, 1, 1),
            delivery_end=dt.date(2024, 12, 31),
        )


def test_member_create_checks_siret_siren_and_customer_number(member: Member) -> None:
    assert set(member.lots.values_list("number", flat=True)) == {1, 3}
    assert member.siren == member.siret[:9]
    with pytest.raises(ValidationError) as info:
        member_create(legal_name="Commune X", siret="21140118700012", customer_number="X1")
    assert "clé de contrôle" in info.value.message_dict["siret"][0]
    with pytest.raises(ValidationError) as info:
        member_create(legal_name="Commune Y", siret=valid_siret(2), siren="211401187", customer_number="X2")
    assert "n'appartient pas au SIREN" in info.value.message_dict["siret"][0]
    with pytest.raises(ValidationError) as info:
        member_create(legal_name="Commune Z", siret=valid_siret(3), customer_number="14000101")
    assert "déjà utilisé" in info.value.message_dict["customer_number"][0]


def test_contact_create_checks_email_phone_and_role(member: Member) -> None:
    contact = contact_create(
        member=member, role=ContactRole.BILLING, last_name=" Hébert ", email="A.Hebert@ifs.demo", phone="0231123456"
    )
    assert (contact.last_name, contact.email, contact.phone) == ("Hébert", "a.hebert@ifs.demo", "02 31 12 34 56")
    with pytest.raises(ValidationError) as info:
        contact_create(member=member, role="boss", last_name="", email="pas-une-adresse", phone="12")
    assert set(info.value.message_dict) == {"role", "last_name", "email", "phone"}


# --- Sites: service refusals ---------------------------------------------------------------


def test_site_create_starts_to_confirm(member: Member, lots: tuple[Lot, Lot]) -> None:
    site = site_create(**_elec(member, lots[0]))
    assert site.status == SiteStatus.TO_CONFIRM
    gas = site_create(
        member=member,
        lot=lots[1],
        fluid=Fluid.GAS,
        delivery_point="GI123456",
        distributor="GRDF",
        segment="T3",
        tariff_formula="T3",
        tariff_option="GAS",
        car_kwh=900_000,
        site_name="Chaufferie centrale",
    )
    assert gas.segment == "T3"


def test_site_create_refuses_with_clear_messages(member: Member, lots: tuple[Lot, Lot]) -> None:
    elec, gas = lots
    assert "14 chiffres" in _refusal("delivery_point", **_elec(member, elec, delivery_point="0123"))
    assert "C1/C2/C3/C4/C5" in _refusal("segment", **_elec(member, elec, segment="T2"))
    assert "positive" in _refusal("subscribed_power_kva", **_elec(member, elec, subscribed_power_kva=Decimal(-3)))
    assert "36 kVA" in _refusal("subscribed_power_kva", **_elec(member, elec, subscribed_power_kva=Decimal(48)))
    assert "obligatoire" in _refusal("subscribed_power_kva", **_elec(member, elec, subscribed_power_kva=None))
    assert "inconnue" in _refusal("fluid", **_elec(member, elec, fluid="fioul"))
    assert "ne porte pas" in _refusal("lot", **_elec(member, gas))
    assert "ne distribue pas" in _refusal("distributor", **_elec(member, elec, distributor="GRDF"))
    assert "segment C5" in _refusal("tariff_formula", **_elec(member, elec, tariff_formula="BTSUPCU"))
    outsider = member_create(legal_name="Commune de Vire", siret=valid_siret(9), customer_number="14000109")
    assert "pas rattaché" in _refusal("lot", **_elec(outsider, elec))


def test_duplicate_delivery_point_refused_by_service(member: Member, lots: tuple[Lot, Lot]) -> None:
    site_create(**_elec(member, lots[0]))
    assert "existe déjà" in _refusal("delivery_point", **_elec(member, lots[0], site_name="Mairie"))


def test_bulk_create_checks_every_row_before_writing(member: Member, lots: tuple[Lot, Lot]) -> None:
    rows = [
        SiteData(**_elec(member, lots[0], delivery_point=f"0000000000000{i}", site_name=f"Site {i}")) for i in range(5)
    ]
    rows[2].segment = "T1"
    rows[4].delivery_point = rows[0].delivery_point
    with pytest.raises(ValidationError) as info:
        sites_bulk_create(rows=rows)
    messages = info.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Ligne 3 (00000000000002)")
    assert "Ligne 5" in messages[1]
    assert "existe déjà" in messages[1]
    assert not Site.objects.exists()  # nothing written
    rows[2].segment = "C5"
    rows[4].delivery_point = "00000000000004"
    assert len(sites_bulk_create(rows=rows)) == 5


# --- Sites: the database refuses what must never be false ----------------------------------


def _raw_site(member: Member, lot: Lot, **changes: Any) -> Site:
    fields = _elec(member, lot, **changes)
    return Site(**fields)


def test_database_refuses_duplicate_delivery_point(member: Member, lots: tuple[Lot, Lot]) -> None:
    _raw_site(member, lots[0]).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_site(member, lots[0], site_name="Doublon").save()


@pytest.mark.parametrize(
    "changes",
    [
        {"fluid": "fioul"},
        {"segment": "T2"},
        {"fluid": Fluid.GAS, "segment": "C5", "delivery_point": PCE},
        {"subscribed_power_kva": Decimal("-6")},
        {"subscribed_power_kva": Decimal("0")},
        {"delivery_point": "GI123456"},
        {"tariff_formula": "BTXX"},
        {"distributor_state": "lost"},
        {"status": "forgotten"},
        {"distributor": "EDF"},
        {"tariff_option": "NUIT"},
        # A gas site in the electricity lot (the lot's fluid is in another row: a trigger guards it).
        {"fluid": Fluid.GAS, "segment": "T2", "delivery_point": PCE, "tariff_formula": "T2", "distributor": "GRDF"},
    ],
)
def test_database_refuses_invalid_sites(member: Member, lots: tuple[Lot, Lot], changes: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_site(member, lots[0], **changes).save()


def test_database_refuses_a_contact_of_another_member(member: Member, lots: tuple[Lot, Lot]) -> None:
    from perimeter.models import Contact

    stranger = member_create(legal_name="Commune voisine", siret=valid_siret(8), customer_number="C-VOISIN")
    contact = Contact.objects.create(member=stranger, role="technical", last_name="Voisin")
    site = _raw_site(member, lots[0])
    site.save()
    site.contact = contact
    with pytest.raises(IntegrityError), transaction.atomic():
        site.save()


def test_database_refuses_an_unknown_status_in_the_history(member: Member, lots: tuple[Lot, Lot]) -> None:
    site = _raw_site(member, lots[0])
    site.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteStatusChange.objects.create(site=site, from_status="", to_status="vanished")


def test_same_delivery_point_allowed_in_another_syndicate(
    member: Member, lots: tuple[Lot, Lot], alpha: Syndicate, beta_tenant: Syndicate
) -> None:
    site_create(**_elec(member, lots[0]))
    connection.set_tenant(beta_tenant)
    try:
        lot = lot_create(
            number=1,
            name="Électricité C5",
            fluid="elec",
            segment_family="C5",
            delivery_start=dt.date(2025, 1, 1),
            delivery_end=dt.date(2025, 12, 31),
        )
        other = member_create(
            legal_name="Commune de Beta", siret=valid_siret(5), customer_number="27000001", lots=[lot]
        )
        assert site_create(**_elec(other, lot)).delivery_point == PRM
    finally:
        connection.set_tenant(alpha)
    assert Site.objects.filter(delivery_point=PRM).count() == 1


# --- Status: one service, with its history ----------------------------------------------------


def test_site_change_status_writes_history(member: Member, lots: tuple[Lot, Lot]) -> None:
    site = site_create(**_elec(member, lots[0]))
    user = UserFactory(email="alice@ifs.test", role=Role.MEMBER_ADMIN, member=member)
    site_change_status(site=site, to_status=SiteStatus.SWITCH_CONFIRMED, by=user, comment="Confirmé en collecte")
    site_change_status(
        site=site, to_status=SiteStatus.TERMINATED, by_label="Flux Enedis", effective_date=dt.date(2025, 6, 30)
    )
    site.refresh_from_db()
    assert site.status == SiteStatus.TERMINATED
    assert site.termination_date == dt.date(2025, 6, 30)
    history = list(SiteStatusChange.objects.filter(site=site).order_by("id"))
    assert [(h.from_status, h.to_status) for h in history] == [
        (SiteStatus.TO_CONFIRM, SiteStatus.SWITCH_CONFIRMED),
        (SiteStatus.SWITCH_CONFIRMED, SiteStatus.TERMINATED),
    ]
    assert (history[0].by, history[0].by_label, history[0].comment) == (user, "alice@ifs.test", "Confirmé en collecte")
    assert (history[1].by, history[1].by_label, history[1].effective_date) == (
        None,
        "Flux Enedis",
        dt.date(2025, 6, 30),
    )


def test_leaving_the_market_dates_the_exit_and_is_audited(member: Member, lots: tuple[Lot, Lot]) -> None:
    from accounts.models import AuditEvent
    from perimeter.services import sites_change_status

    site = site_create(**_elec(member, lots[0]))
    site_change_status(site=site, to_status=SiteStatus.OUT_OF_MARKET, effective_date=dt.date(2025, 9, 30))
    site.refresh_from_db()
    assert site.termination_date == dt.date(2025, 9, 30)  # the perimeter file shows when it left
    event = AuditEvent.objects.get(action="site.status_changed", target_id=str(site.pk))
    assert event.details == {"from": SiteStatus.TO_CONFIRM, "to": SiteStatus.OUT_OF_MARKET}
    other = site_create(**{**_elec(member, lots[0]), "delivery_point": "30000000009999"})
    assert sites_change_status(site_ids=[site.pk, other.pk], to_status=SiteStatus.OUT_OF_MARKET) == 1  # one moved
    assert SiteStatusChange.objects.filter(site=other, to_status=SiteStatus.OUT_OF_MARKET).count() == 1


def test_site_change_status_refuses_unknown_or_same_status(member: Member, lots: tuple[Lot, Lot]) -> None:
    site = site_create(**_elec(member, lots[0]))
    with pytest.raises(ValidationError, match="déjà au statut « À confirmer »"):
        site_change_status(site=site, to_status=SiteStatus.TO_CONFIRM)
    with pytest.raises(ValidationError, match="Statut inconnu"):
        site_change_status(site=site, to_status="lost")
    assert not SiteStatusChange.objects.exists()
