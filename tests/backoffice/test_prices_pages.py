"""Back-office pages of the contract prices: each lot's sets by date, a new set (validated on the form), copy."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from invoicing.models import ContractPrice, ContractPriceSet
from invoicing.prices import price_set_create
from tenants.db import connection
from tests.conftest import ALPHA_HOST, TenantClient
from tests.factories import LotFactory, UserFactory

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs or None, urlconf=PUBLIC)


def _call(client: TenantClient, world: Any, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    response = getattr(client, method)(url, data or {})
    connection.set_tenant(world.alpha)
    return response


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def lot(world: Any) -> Any:
    return LotFactory(
        number=3,
        name="Électricité C5",
        fluid="elec",
        delivery_start=dt.date(2026, 1, 1),
        delivery_end=dt.date(2027, 12, 31),
    )


@pytest.fixture
def gas_lot(world: Any) -> Any:
    return LotFactory(
        number=4, name="Gaz T1/T2", fluid="gas", delivery_start=dt.date(2026, 1, 1), delivery_end=dt.date(2026, 12, 31)
    )


def _existing(lot: Any) -> ContractPriceSet:
    return price_set_create(
        lot=lot,
        valid_from=dt.date(2026, 1, 1),
        fixed_billing="arrears",
        payment_delay_days=45,
        prices=[
            {"component": "energy", "post": "HP", "unit_price": "0.1150"},
            {"component": "energy", "post": "HC", "unit_price": "0.0890"},
            {"component": "energy", "post": "HP", "delivery_year": 2027, "unit_price": "0.1090"},
            {"component": "capacity", "post": "HP", "unit_price": "0.0052"},
            {"component": "CEE_PRECARITY", "post": "BASE", "unit_price": "0.0085", "coefficient": "0.48"},
        ],
    )


def test_the_home_links_to_the_price_pages(staff: TenantClient, world: Any) -> None:
    assert _url("price_home") in _call(staff, world, "get", _url("home")).content.decode()
    page = _call(staff, world, "get", _url("price_home")).content.decode()
    assert _url("price_list", code="alpha") in page
    assert _url("price_list", code="beta") in page


def test_the_list_shows_each_lot_with_its_sets_by_date(staff: TenantClient, world: Any, lot: Any, gas_lot: Any) -> None:
    _existing(lot)
    price_set_create(
        lot=lot,
        valid_from=dt.date(2099, 1, 1),
        fixed_billing="advance",
        payment_delay_days=30,
        prices=[{"component": "energy", "post": "HP", "unit_price": "0.2"}],
    )

    page = _text(_call(staff, world, "get", _url("price_list", code="alpha")))

    section = page[page.index("Lot 3 — Électricité C5") : page.index("Lot 4 — Gaz T1/T2")]
    # Newest first: the future set, then the one in force.
    assert section.index("À partir du 01/01/2099") < section.index("À partir du 01/01/2026")
    future = section[section.index("À partir du 01/01/2099") : section.index("À partir du 01/01/2026")]
    assert "à venir" in future
    current = section[section.index("À partir du 01/01/2026") :]
    assert "en vigueur" in current
    assert "terme échu" in current
    assert "paiement à 45 jours" in current
    assert "Certificats d'économies d'énergie (précarité)" in current
    # Energy first (HP every year, HP 2027, then HC), capacity, then the CEE obligations.
    order = ["<td>Énergie</td>", "<td>Mécanisme de capacité</td>", "<td>Certificats d'économies d'énergie"]
    assert [current.index(label) for label in order] == sorted(current.index(label) for label in order)
    assert current.index("0,115") < current.index("0,109") < current.index("0,089")
    assert "0,48" in current
    assert "0,109" in current  # the 2027 delivery-year price
    assert "2027" in current
    assert _url("price_set_new", code="alpha", lot_id=lot.pk) + "?copie=1" in section
    gas = page[page.index("Lot 4 — Gaz T1/T2") :]
    assert "Aucune grille de prix pour ce lot" in gas
    assert "?copie=1" not in gas  # nothing to copy
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.prices_viewed", actor=world.mallory).exists()


def test_a_new_set_is_written_in_the_syndicate_and_audited_with_the_managers_email(
    staff: TenantClient, world: Any, lot: Any
) -> None:
    url = _url("price_set_new", code="alpha", lot_id=lot.pk)
    form = _text(_call(staff, world, "get", url))
    assert "Énergie, livraison 2026" in form
    assert "Énergie, livraison 2027" in form
    assert 'name="capacity_HPH"' in form

    response = _call(
        staff,
        world,
        "post",
        url,
        {
            "valid_from": "2026-07-01",
            "fixed_billing": "advance",
            "payment_delay_days": "30",
            "energy_BASE": "0,0990",
            "energy_BASE_2027": "0.0950",
            "capacity_BASE": "0,0052",
            "cee_classic_coefficient": "0,48",
            "cee_classic_price": "0,0085",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _url("price_list", code="alpha")
    price_set = ContractPriceSet.objects.get(lot=lot)
    assert (price_set.valid_from, price_set.fixed_billing, price_set.payment_delay_days, price_set.created_by) == (
        dt.date(2026, 7, 1),
        "advance",
        30,
        "mallory@fournisseur.test",
    )
    assert set(
        ContractPrice.objects.filter(price_set=price_set).values_list(
            "component", "post", "delivery_year", "unit_price", "coefficient"
        )
    ) == {
        ("CEE_CLASSIC", "BASE", None, Decimal("0.0085"), Decimal("0.48")),
        ("capacity", "BASE", None, Decimal("0.0052"), None),
        ("energy", "BASE", None, Decimal("0.099"), None),
        ("energy", "BASE", 2027, Decimal("0.095"), None),
    }
    event = AuditEvent.objects.get(action="contract_prices.created")
    assert (event.actor_id, event.actor_email, event.target_id) == (None, "mallory@fournisseur.test", str(price_set.pk))
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.price_set_created", actor=world.mallory).exists()


def test_errors_are_shown_on_the_form_and_nothing_is_written(staff: TenantClient, world: Any, lot: Any) -> None:
    _existing(lot)
    url = _url("price_set_new", code="alpha", lot_id=lot.pk)

    # The form's own checks: a number, a CEE obligation given whole.
    page = _text(
        _call(
            staff,
            world,
            "post",
            url,
            {
                "valid_from": "2026-09-01",
                "fixed_billing": "advance",
                "payment_delay_days": "30",
                "energy_BASE": "abc",
                "cee_classic_coefficient": "0,48",
            },
        )
    )
    assert "Saisissez un nombre." in page
    assert "Donnez le coefficient et le prix, ou ni l'un ni l'autre." in page

    # The service's: every problem at once, above the form.
    response = _call(
        staff,
        world,
        "post",
        url,
        {"valid_from": "2026-01-01", "fixed_billing": "arrears", "payment_delay_days": "90", "capacity_HP": "0.005"},
    )
    page = _text(response)
    assert response.status_code == 200
    errors = page[page.index('id="form-errors"') :]
    assert "Délai de paiement : entre 0 et 60 jours" in errors
    assert "Une grille de prix du lot commence déjà le 01/01/2026." in errors
    assert "Une grille de prix donne au moins le prix de l'énergie." in errors
    assert 'value="0.005"' in page or 'value="0,005"' in page  # what was typed is kept
    assert ContractPriceSet.objects.filter(lot=lot).count() == 1
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.price_set_form_viewed", actor=world.mallory).count() == 2


def test_copy_prefills_the_form_from_the_newest_set(staff: TenantClient, world: Any, lot: Any) -> None:
    _existing(lot)
    url = _url("price_set_new", code="alpha", lot_id=lot.pk) + "?copie=1"

    page = _text(_call(staff, world, "get", url))

    assert "Pré-remplie avec la grille du 01/01/2026" in page
    assert 'name="energy_HP" value="0,115"' in page
    assert 'name="energy_HP_2027" value="0,109"' in page
    assert 'name="cee_precarity_coefficient" value="0,48"' in page
    assert 'value="arrears" required id="id_fixed_billing_1" checked' in page
    assert 'name="payment_delay_days" value="45"' in page
    assert 'name="valid_from" required' in page  # the date is the new set's own

    # Saved under a new date, the copy is a second set; the first one is untouched.
    data = {"valid_from": "2026-10-01", "fixed_billing": "arrears", "payment_delay_days": "45", "energy_HP": "0,12"}
    assert _call(staff, world, "post", url, data).status_code == 302
    sets = list(ContractPriceSet.objects.filter(lot=lot).order_by("valid_from"))
    assert [s.valid_from for s in sets] == [dt.date(2026, 1, 1), dt.date(2026, 10, 1)]
    assert sets[0].prices.count() == 5


def test_a_gas_lot_is_priced_on_one_post_without_capacity(staff: TenantClient, world: Any, gas_lot: Any) -> None:
    page = _call(staff, world, "get", _url("price_set_new", code="alpha", lot_id=gas_lot.pk)).content.decode()
    assert 'name="energy_BASE"' in page
    assert 'name="energy_HP"' not in page
    assert "capacity_" not in page


def test_unknown_lot_or_syndicate_is_404(staff: TenantClient, world: Any, lot: Any) -> None:
    assert _call(staff, world, "get", _url("price_set_new", code="alpha", lot_id=999999)).status_code == 404
    assert _call(staff, world, "get", _url("price_list", code="nope")).status_code == 404


def test_pages_refuse_everybody_but_staff(world: Any, public_client: TenantClient, lot: Any) -> None:
    urls = [_url("price_home"), _url("price_list", code="alpha"), _url("price_set_new", code="alpha", lot_id=lot.pk)]
    data = {"valid_from": "2026-07-01", "fixed_billing": "advance", "payment_delay_days": "30", "energy_BASE": "0.1"}
    for url in urls:
        assert _call(public_client, world, "get", url).status_code == 302  # anonymous: to the login page
    connection.set_schema_to_public()
    outsider: Any = UserFactory(email="not-staff@public.test", role=Role.COORDINATOR, member=None)
    public_client.force_login(outsider)
    connection.set_tenant(world.alpha)
    for url in urls:
        assert _call(public_client, world, "get", url).status_code == 403
    assert _call(public_client, world, "post", urls[2], data).status_code == 403
    alice = TenantClient(ALPHA_HOST)
    alice.force_login(world.alice)
    assert alice.post(urls[2], data).status_code == 404  # no back-office on a syndicate's address
    assert not ContractPriceSet.objects.exists()
