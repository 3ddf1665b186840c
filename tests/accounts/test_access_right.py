"""The "Administration des accès" right: a member user holding it manages its member's users
like the administrator, but grants only rights it holds and never touches an administrator.

Persona erin: user of member A with Parc + Administration des accès (alice's member).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts import services
from accounts.choices import Module, Role
from accounts.models import AuditEvent, User
from tenants.db import connection
from tests.conftest import ALPHA_HOST, TenantClient
from tests.isolation import routes_accounts

USERS = "/comptes/utilisateurs/"
API_USERS = "/api/v1/users/"


@pytest.fixture
def erin(world: Any) -> User:
    from tests.factories import UserFactory

    return UserFactory(
        email="erin@a.test", role=Role.MEMBER_USER, member=world.member_a, modules=[Module.PARK, Module.ACCESS]
    )


@pytest.fixture
def erin_client(erin: User) -> TenantClient:
    client = TenantClient(ALPHA_HOST)
    client.force_login(erin)
    return client


def test_erin_sees_the_users_link_and_her_members_users(world, erin, erin_client):
    home = erin_client.get("/").content.decode()
    assert f'href="{USERS}"' in home
    response = erin_client.get(USERS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "bob@a.test" in body
    assert "alice@a.test" in body
    assert "charlie@b.test" not in body
    emails = {row["email"] for row in erin_client.get(API_USERS).json()["results"]}
    assert emails == {"alice@a.test", "bob@a.test", "erin@a.test"}


def test_without_the_right_there_is_no_link(world, alpha_client):
    alpha_client.force_login(world.bob)
    assert f'href="{USERS}"' not in alpha_client.get("/").content.decode()


def test_erin_invites_a_user_with_the_rights_she_holds(world, erin, erin_client):
    response = erin_client.post(
        f"{USERS}nouveau/", {"first_name": "Nina", "last_name": "Neuve", "email": "nina@a.test", "modules": ["park"]}
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@a.test")
    assert (nina.member, nina.role, nina.modules) == (world.member_a, "member_user", ["park"])
    assert AuditEvent.objects.get(action="user.created", target_id=str(nina.pk)).actor == erin


def test_erin_cannot_grant_a_right_she_does_not_hold(world, erin_client):
    data = {"first_name": "Nina", "last_name": "Neuve", "email": "nina@a.test", "modules": ["park", "billing"]}
    response = erin_client.post(f"{USERS}nouveau/", data)
    assert response.status_code == 200
    assert "Vous ne pouvez pas accorder un droit que vous n&#x27;avez pas vous-même : Facturation." in (
        response.content.decode()
    )
    assert not User.objects.filter(email="nina@a.test").exists()
    # Same rule on a rights change, page and API: bob keeps what he had.
    response = erin_client.post(f"{USERS}{world.bob.pk}/", {"modules": ["consumption", "billing", "collection"]})
    assert "Collecte" in response.content.decode()
    response = erin_client.patch(
        f"{API_USERS}{world.bob.pk}/", {"modules": ["collection"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Collecte" in response.json()["modules"][0]
    world.bob.refresh_from_db()
    assert world.bob.modules == ["consumption", "billing"]


def test_erin_changes_rights_keeping_those_she_does_not_hold(world, erin_client):
    # Bob's Consommation and Facturation were granted by alice: erin may leave them as they are.
    response = erin_client.post(f"{USERS}{world.bob.pk}/", {"modules": ["consumption", "billing", "park"]})
    assert response.status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.modules == ["park", "consumption", "billing"]
    assert AuditEvent.objects.get(action="user.rights_changed").details["after"] == world.bob.modules


def test_erin_cannot_touch_an_administrator(world, erin_client):
    page = erin_client.get(f"{USERS}{world.alice.pk}/")
    assert page.status_code == 200  # she may see who administers her member…
    body = page.content.decode()
    assert "Seul un administrateur du membre peut modifier ce compte." in body
    assert "desactiver" not in body
    assert "supprimer" not in body
    # …but every change is refused, on the pages and the API alike.
    assert erin_client.post(f"{USERS}{world.alice.pk}/", {"modules": ["park"]}).status_code == 403
    assert erin_client.post(f"{USERS}{world.alice.pk}/activation/").status_code == 403
    assert erin_client.post(f"{USERS}{world.alice.pk}/desactiver/").status_code == 403
    assert erin_client.post(f"{USERS}{world.alice.pk}/supprimer/").status_code == 403
    assert erin_client.post(f"{API_USERS}{world.alice.pk}/deactivate/").status_code == 403
    response = erin_client.patch(
        f"{API_USERS}{world.alice.pk}/", {"modules": ["park"]}, content_type="application/json"
    )
    assert response.status_code == 403
    world.alice.refresh_from_db()
    assert world.alice.is_active
    assert not AuditEvent.objects.filter(target_id=str(world.alice.pk)).exists()


def test_erin_disables_a_member_user(world, erin_client):
    assert erin_client.post(f"{USERS}{world.bob.pk}/desactiver/").status_code == 302
    world.bob.refresh_from_db()
    assert not world.bob.is_active


def test_erin_decides_sign_up_requests_within_her_rights(world, erin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dana = services.access_request_submit(
            first_name="Dana",
            last_name="Demande",
            email="dana@a.test",
            customer_number=world.member_a.customer_number,
            delivery_point=world.site_a.delivery_point,
        )
    # Everyone who manages member A's accounts is told; nobody else.
    assert sorted(mailoutbox[0].to) == ["alice@a.test", "erin@a.test"]
    client = TenantClient(ALPHA_HOST)
    client.force_login(erin)
    assert "Dana" in client.get("/comptes/demandes-inscription/").content.decode()
    url = f"/comptes/demandes-inscription/{dana.pk}/"
    response = client.post(url, {"decision": "approve", "modules": ["billing"]})
    assert response.status_code == 200
    assert "Facturation" in response.content.decode()
    assert not User.objects.filter(email="dana@a.test").exists()
    assert client.post(url, {"decision": "approve", "modules": ["park"]}).status_code == 302
    assert User.objects.get(email="dana@a.test").modules == ["park"]


def _accounts_routes() -> list[Any]:
    managed = ("accounts:user_", "accounts:access_request_list", "accounts:access_request_decide", "api:user-")
    return [r for r in routes_accounts.ROUTES if r.name.startswith(managed)]


@pytest.mark.parametrize("route", _accounts_routes(), ids=lambda r: f"{r.name}:{r.method}")
def test_erin_gets_what_the_member_administrator_gets(route, world, erin):
    """Against the matrix targets (non-administrator users and requests of A, B, beta), the
    right gives exactly alice's answers: her member's objects, and 404 for the others."""
    client = TenantClient(ALPHA_HOST)
    client.force_login(erin)
    targets = ("member_a", "member_b", "beta") if route.kwargs is not None else ("member_a",)
    failures = []
    for target in targets:
        connection.set_tenant(world.schema_of(target))
        kwargs = route.kwargs(world, target) if route.kwargs else {}
        data = route.data(world, target) if route.data else {}
        connection.set_tenant(world.alpha)
        url = reverse(route.name, kwargs=kwargs, urlconf="config.urls_tenant")
        call = getattr(client, route.method)
        if route.api and route.method != "get":
            response = call(url, data, content_type="application/json")
        else:
            response = call(url, data)
        connection.set_tenant(world.alpha)
        expected = route.expect("alice", target)
        if response.status_code not in (expected if isinstance(expected, set) else {expected}):
            failures.append(f"{target}: got {response.status_code}, expected {expected}")
    assert not failures, f"{route.method.upper()} {route.name}:\n" + "\n".join(failures)
