"""Members and sites endpoints: scoping, module rights, filters, ordering, bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from accounts.choices import Module, Role
from perimeter.choices import Fluid, Segment, SiteStatus
from tenants.db import connection
from tests.conftest import ALPHA_HOST, BETA_HOST, TenantClient
from tests.factories import ContactFactory, LotFactory, SiteFactory, UserFactory

SITES = "/api/v1/sites/"
MEMBERS = "/api/v1/members/"


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- scoping ------------------------------------------------------------------------------


def test_alice_sees_only_her_member_sites(world, api_client):
    other = SiteFactory.create(member=world.member_a)
    assert _ids(api_client("alice").get(SITES)) == {world.site_a.pk, other.pk}


def test_charlie_gets_404_on_a_site_of_member_a(world, api_client):
    response = api_client("charlie").get(f"{SITES}{world.site_a.pk}/")
    assert response.status_code == 404
    assert world.site_a.delivery_point not in response.content.decode()


def test_charlie_gets_404_on_a_member_of_a(world, api_client):
    assert api_client("charlie").get(f"{MEMBERS}{world.member_a.pk}/").status_code == 404


def test_coordinator_sees_every_member_and_site_of_the_syndicate(world, api_client):
    carol = api_client("carol")
    assert _ids(carol.get(SITES)) == {world.site_a.pk, world.site_b.pk}
    assert _ids(carol.get(MEMBERS)) == {world.member_a.pk, world.member_b.pk}
    assert carol.get(f"{SITES}{world.site_b.pk}/").status_code == 200


def test_coordinator_cannot_write(world, api_client):
    response = api_client("carol").post(SITES, {}, content_type="application/json")
    assert response.status_code == 403


def test_bob_without_park_or_collection_gets_403_on_sites(world, api_client):
    bob = api_client("bob")
    assert bob.get(SITES).status_code == 403
    assert bob.get(f"{SITES}{world.site_a.pk}/").status_code == 403
    # His member's identity is not a module: he still reads it.
    assert _ids(bob.get(MEMBERS)) == {world.member_a.pk}


def test_a_user_with_collection_only_reads_sites(world, api_client):
    UserFactory(email="erin@a.test", role=Role.MEMBER_USER, member=world.member_a, modules=[Module.COLLECTION])
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.member_a.users.get(email="erin@a.test"))
    assert _ids(client.get(SITES)) == {world.site_a.pk}


def test_member_list_and_detail_with_contacts(world, api_client):
    ContactFactory(member=world.member_a, last_name="Durand")
    ContactFactory(member=world.member_b, last_name="Secret")
    alice = api_client("alice")
    assert _ids(alice.get(MEMBERS)) == {world.member_a.pk}
    detail = alice.get(f"{MEMBERS}{world.member_a.pk}/").json()
    assert [c["last_name"] for c in detail["contacts"]] == ["Durand"]
    assert detail["lots"] == []


def test_non_numeric_id_is_a_404(world, api_client):
    assert api_client("alice").get(f"{SITES}abc/").status_code == 404


def test_anonymous_is_refused(world):
    response = TenantClient(ALPHA_HOST).get(SITES)
    assert response.status_code in {401, 403}


# --- filters and ordering -------------------------------------------------------------------


@pytest.fixture
def park(world: Any) -> dict[str, Any]:
    gas_lot = LotFactory(number=2, name="Gaz", fluid=Fluid.GAS, segment_family="T1/T2")
    return {
        "school": SiteFactory(member=world.member_a, site_name="École Jules Ferry", city="Bayeux", postcode="14400"),
        "townhall": SiteFactory(
            member=world.member_a, site_name="Mairie", segment=Segment.C4, status=SiteStatus.ACTIVE
        ),
        "boiler": SiteFactory(
            member=world.member_a,
            lot=gas_lot,
            fluid=Fluid.GAS,
            segment=Segment.T2,
            distributor="GRDF",
            tariff_formula="T2",
            tariff_option="GAS",
            delivery_point="GI123456",
            site_name="Chaufferie",
            address_line="3 rue des Forges",
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fluid=gas", {"boiler"}),
        ("segment=C4", {"townhall"}),
        ("segment=C4&segment=T2", {"townhall", "boiler"}),
        ("status=active", {"townhall"}),
        ("commune=bayeux", {"school"}),
        ("q=jules", {"school"}),
        ("q=GI1234", {"boiler"}),
        ("q=forges", {"boiler"}),
    ],
)
def test_site_filters(world, api_client, park, query, expected):
    assert _ids(api_client("alice").get(f"{SITES}?{query}")) == {park[name].pk for name in expected}


def test_invalid_filter_value_is_a_400(world, api_client, park):
    assert api_client("alice").get(f"{SITES}?status=nope").status_code == 400


def test_site_ordering_and_bounded_page_size(world, api_client, park):
    alice = api_client("alice")
    names = [row["site_name"] for row in alice.get(f"{SITES}?ordering=-site_name").json()["results"]]
    assert names == sorted(names, reverse=True)
    page = alice.get(f"{SITES}?page_size=2").json()
    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert page["next"]
    assert len(alice.get(f"{SITES}?page_size=100000").json()["results"]) == 4  # capped at 500, not refused


def test_member_filters_for_the_coordinator(world, api_client):
    carol = api_client("carol")
    assert _ids(carol.get(f"{MEMBERS}?q=bravo")) == {world.member_b.pk}
    assert _ids(carol.get(f"{MEMBERS}?q={world.member_a.siret}")) == {world.member_a.pk}


# --- token authentication -------------------------------------------------------------------


def test_token_authenticates_on_its_own_syndicate(world):
    token = Token.objects.create(user=world.alice)
    response = TenantClient(ALPHA_HOST).get(SITES, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert _ids(response) == {world.site_a.pk}


def test_token_of_another_syndicate_is_refused(world):
    connection.set_tenant(world.beta)
    token = Token.objects.create(user=world.dave)
    connection.set_tenant(world.alpha)
    assert TenantClient(BETA_HOST).get(SITES, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    connection.set_tenant(world.alpha)
    response = TenantClient(ALPHA_HOST).get(SITES, HTTP_AUTHORIZATION=f"Token {token.key}")
    # The key does not exist in alpha's schema. 403 rather than 401 because the session
    # authentication comes first in REST_FRAMEWORK (it sends no WWW-Authenticate header).
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "Token non valide."


# --- bounded queries ------------------------------------------------------------------------
# Every request on a tenant address runs, besides the endpoint's own queries: the domain
# lookup (django-tenants), the session, the user, and the session's save (idle expiry
# refreshes it on each request: SAVEPOINT, UPDATE, RELEASE). django-tenants' SET
# search_path, run before every statement, is left out by the assert_num_queries fixture.
REQUEST_OVERHEAD = 6


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_site_list_queries_do_not_grow_with_rows(world, api_client, persona, assert_num_queries):
    client = api_client(persona)
    SiteFactory.create_batch(5, member=world.member_a)
    # + COUNT(*) of the scoped, filtered sites + one page of sites joined to member and lot.
    with assert_num_queries(REQUEST_OVERHEAD + 2):
        assert len(client.get(SITES).json()["results"]) >= 5
    SiteFactory.create_batch(45, member=world.member_a)
    with assert_num_queries(REQUEST_OVERHEAD + 2):
        assert len(client.get(f"{SITES}?fluid=elec&ordering=city").json()["results"]) == 50


def test_member_list_queries_do_not_grow_with_rows(world, api_client, assert_num_queries):
    from tests.factories import MemberFactory

    client = api_client("carol")
    MemberFactory.create_batch(30)
    # + COUNT(*) of the members + one page of members.
    with assert_num_queries(REQUEST_OVERHEAD + 2):
        assert client.get(MEMBERS).json()["count"] == 32


def test_site_and_member_detail_queries(world, api_client, assert_num_queries):
    client = api_client("alice")
    ContactFactory.create_batch(5, member=world.member_a)
    # + the site joined to its member, lot and contact.
    with assert_num_queries(REQUEST_OVERHEAD + 1):
        assert client.get(f"{SITES}{world.site_a.pk}/").status_code == 200
    # + the member, its contacts (one query), its lots (one query).
    with assert_num_queries(REQUEST_OVERHEAD + 3):
        assert len(client.get(f"{MEMBERS}{world.member_a.pk}/").json()["contacts"]) == 5
