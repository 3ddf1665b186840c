"""Portfolios: an account manager reaches only the syndicates it follows; a supervisor manages the staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse as django_reverse

from accounts.models import AuditEvent, User
from accounts.services import user_totp_setup
from tenants.db import connection
from tests.conftest import PUBLIC_HOST, TenantClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reverse(name: str, kwargs: dict[str, Any] | None = None) -> str:
    return django_reverse(name, kwargs=kwargs, urlconf="config.urls_public")


def _client(user: Any) -> TenantClient:
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(user)
    return client


@pytest.fixture
def supervisor(world: Any) -> Any:
    connection.set_schema_to_public()
    user = UserFactory(email="sonia@fournisseur.test", first_name="Sonia", role="supervisor", member=None)
    user_totp_setup(user=user)
    return user


def test_an_account_manager_sees_only_its_portfolio(world: Any) -> None:
    oscar = _client(world.oscar)
    home = oscar.get(reverse("backoffice:home"))
    assert home.status_code == 200
    assert "Syndicat Beta" in home.content.decode()
    assert "Syndicat Alpha" not in home.content.decode()
    assert oscar.get(reverse("backoffice:import_upload", kwargs={"code": "alpha"})).status_code == 404
    assert oscar.get(reverse("backoffice:import_upload", kwargs={"code": "beta"})).status_code == 200
    # The staff API: alpha is unknown to oscar, and not listed among its syndicates.
    assert oscar.get("/backoffice/api/consommation/ingestions/", {"syndicate": "alpha"}).status_code in {404}
    listed = oscar.get("/backoffice/api/consommation/ingestions/").json()
    assert listed == {"syndicates": ["beta"]}


def test_a_supervisor_reaches_every_syndicate(world: Any, supervisor: Any) -> None:
    client = _client(supervisor)
    assert client.get(reverse("backoffice:import_upload", kwargs={"code": "alpha"})).status_code == 200
    assert client.get(reverse("backoffice:import_upload", kwargs={"code": "beta"})).status_code == 200


def test_a_supervisor_invites_changes_the_portfolio_and_deactivates(
    world: Any, supervisor: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("backoffice:staff_invite"),
            {"email": "Paul@Fournisseur.test", "role": "account_manager", "syndicates": [world.alpha.pk]},
        )
    assert answer.status_code == 302
    connection.set_schema_to_public()
    paul = User.objects.get(email="paul@fournisseur.test")
    assert list(paul.portfolio.values_list("code", flat=True)) == ["alpha"]
    assert paul.activated_at is None
    assert not paul.has_usable_password()
    assert [m.to for m in mailoutbox] == [["paul@fournisseur.test"]]

    edit = reverse("backoffice:staff_edit", kwargs={"pk": paul.pk})
    assert client.post(edit, {"role": "account_manager", "syndicates": [world.beta.pk]}).status_code == 302
    connection.set_schema_to_public()
    assert list(paul.portfolio.values_list("code", flat=True)) == ["beta"]
    updated = AuditEvent.objects.get(action="staff.updated")
    assert updated.details["before"]["portfolio"] == ["alpha"]
    assert updated.details["after"]["portfolio"] == ["beta"]

    assert client.post(edit, {"action": "deactivate"}).status_code == 302
    connection.set_schema_to_public()
    paul.refresh_from_db()
    assert not paul.is_active
    assert set(AuditEvent.objects.filter(actor_email=supervisor.email).values_list("action", flat=True)) >= {
        "staff.invited",
        "staff.updated",
        "staff.deactivated",
    }


def test_an_account_manager_cannot_manage_the_staff(world: Any) -> None:
    client = _client(world.mallory)
    assert client.get(reverse("backoffice:staff_invite")).status_code == 403
    answer = client.post(reverse("backoffice:staff_invite"), {"email": "x@fournisseur.test", "role": "supervisor"})
    assert answer.status_code == 403
    connection.set_schema_to_public()
    assert not User.objects.filter(email="x@fournisseur.test").exists()


def test_the_member_space_shows_its_account_manager(world: Any, alpha_client: Any) -> None:
    connection.set_schema_to_public()
    User.objects.filter(pk=world.mallory.pk).update(first_name="Mallory", last_name="Martin", phone="02 31 00 00 00")
    connection.set_tenant(world.alpha)
    alpha_client.force_login(world.alice)
    body = alpha_client.get("/").content.decode()
    assert "Votre chargé de compte" in body
    assert "mallory@fournisseur.test" in body
    assert "02 31 00 00 00" in body
    assert "oscar.portefeuille@fournisseur.test" not in body  # oscar follows beta only
