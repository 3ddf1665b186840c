"""The back-office search: accent- and case-insensitive partial matches, an index fresh in the
writing transaction (every write path: single, bulk update, delete), the portfolio only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse as django_reverse

from perimeter.models import Member, Site
from tenants.db import connection
from tests.conftest import PUBLIC_HOST, TenantClient
from tests.factories import ContactFactory, MemberFactory, SiteFactory
from workspace.models import SearchEntry
from workspace.selectors import search

pytestmark = pytest.mark.django_db


def reverse(name: str, **kwargs: Any) -> str:
    return django_reverse(name, kwargs=kwargs or None, urlconf="config.urls_public")


def _labels(user: Any, q: str) -> dict[str, list[str]]:
    connection.set_schema_to_public()
    return {group.name: [r["label"] for r in group.results] for group in search(user, q)}


def test_accents_case_and_partial_matches(world: Any) -> None:
    member = MemberFactory(legal_name="Ville d'Évreux", siret="21270229200013", customer_number="CLI-4242")
    SiteFactory(member=member, site_name="Médiathèque Rolland", delivery_point="30001234567890", city="Évreux")
    ContactFactory(member=member, first_name="Hélène", last_name="Lefèvre", email="h.lefevre@evreux.test")
    assert _labels(world.mallory, "evreux")["member"] == ["Ville d'Évreux"]
    assert _labels(world.mallory, "ÉVREU")["member"] == ["Ville d'Évreux"]
    assert _labels(world.mallory, "mediatheque")["site"] == ["Médiathèque Rolland"]
    assert _labels(world.mallory, "300 0123 4567")["site"] == ["Médiathèque Rolland"]  # typed with spaces
    assert _labels(world.mallory, "2127022920")["member"] == ["Ville d'Évreux"]  # SIRET, partial
    assert _labels(world.mallory, "cli-42")["member"] == ["Ville d'Évreux"]
    assert _labels(world.mallory, "helene LEFEVRE")["contact"] == ["Hélène Lefèvre"]
    assert _labels(world.mallory, "alice@a")["user"] == ["alice@a.test"]
    assert _labels(world.mallory, "zzzzzz") == {}


def test_the_index_is_fresh_inside_the_writing_transaction(world: Any) -> None:
    """No commit, no task: a bulk update and a delete are searchable at once (statement triggers)."""
    site = SiteFactory(member=world.member_a, site_name="Gymnase Coubertin")
    Site.objects.filter(member=world.member_a).update(site_name="Salle des fêtes Ürbain")
    assert "Salle des fêtes Ürbain" in _labels(world.mallory, "urbain")["site"]
    assert "site" not in _labels(world.mallory, "coubertin")
    connection.set_tenant(world.alpha)
    Member.objects.filter(pk=world.member_b.pk).update(legal_name="Commune de Çharlie-sur-Mer")
    assert _labels(world.mallory, "charlie-sur")["member"] == ["Commune de Çharlie-sur-Mer"]
    connection.set_tenant(world.alpha)
    site.delete()
    connection.set_schema_to_public()
    assert not SearchEntry.objects.filter(kind="site", object_id=site.pk, syndicate=world.alpha).exists()


def test_search_never_returns_another_portfolio(world: Any) -> None:
    assert _labels(world.mallory, "Ville d'Alpha")["member"] == ["Ville d'Alpha"]
    assert _labels(world.oscar, "Ville d'Alpha") == {}
    assert _labels(world.oscar, "Commune de Beta")["member"] == ["Commune de Beta"]
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(world.oscar)
    # Whole delivery points: other tests' committed sites may fill a kind's first results.
    body = client.get(reverse("backoffice:search"), {"q": world.site_beta.delivery_point}).content.decode()
    assert world.site_beta.delivery_point in body
    found = client.get(reverse("backoffice:search_api"), {"q": world.site_a.delivery_point}).json()
    assert world.site_a.delivery_point not in str(found)
    api = client.get(reverse("backoffice:search_api"), {"q": "commune"}).json()
    labels = [r["label"] for group in api for r in group["results"]]
    assert "Commune de Beta" in labels
    assert not {"Ville d'Alpha", "Commune de Bravo"} & set(labels)


def test_the_page_answers_htmx_with_the_results_only_and_links_the_360_page(world: Any) -> None:
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(world.mallory)
    partial = client.get(reverse("backoffice:search"), {"q": world.site_a.delivery_point}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body
    url = reverse("backoffice:member_360", code="alpha", member_id=world.member_a.pk)
    assert f'href="{url}#site-{world.site_a.pk}"' in body
    page = client.get(url)
    assert page.status_code == 200
    assert world.site_a.delivery_point in page.content.decode()


def test_rebuild_restores_the_index(world: Any) -> None:
    connection.set_schema_to_public()
    SearchEntry.objects.filter(syndicate=world.alpha).delete()
    SearchEntry.objects.create(syndicate=world.alpha, kind="site", object_id=987654, label="fantôme", text="fantome")
    call_command("search_index_rebuild", "--syndicate", "alpha", stdout=None)
    assert _labels(world.mallory, "Ville d'Alpha")["member"] == ["Ville d'Alpha"]
    assert not SearchEntry.objects.filter(object_id=987654).exists()


def test_the_360_page_has_bounded_queries(world: Any, max_queries: Any) -> None:
    for _ in range(30):
        SiteFactory(member=world.member_a)
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(world.mallory)
    url = reverse("backoffice:member_360", code="alpha", member_id=world.member_a.pk)
    client.get(url)
    with max_queries(25):
        assert client.get(url).status_code == 200
