""" "Voir l'espace du membre": single-use token, banner, every write refused (pages and API, a loop
over every route of the member space), the member's administrator sees it, ended explicitly."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver
from django.urls import reverse as django_reverse
from django.utils import timezone

from accounts.models import AuditEvent, ReadOnlyView
from perimeter.models import Site
from tenants.db import connection
from tests.conftest import ALPHA_HOST, PUBLIC_HOST, TenantClient

pytestmark = pytest.mark.django_db


def _start(world: Any, staff: Any, member: Any, user: Any) -> Any:
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(staff)
    url = django_reverse(
        "backoffice:readonly_view_start", kwargs={"code": "alpha", "member_id": member.pk}, urlconf="config.urls_public"
    )
    answer = client.post(url, {"user": user.pk})
    connection.set_tenant(world.alpha)
    return answer


def _enter(world: Any) -> tuple[TenantClient, str]:
    answer = _start(world, world.mallory, world.member_a, world.alice)
    assert answer.status_code == 200
    link = re.search(r'href="(http[^"]+/comptes/lecture-seule/[^"]+)"', answer.content.decode())
    assert link is not None
    location = urlsplit(html.unescape(link.group(1)))
    assert location.hostname == ALPHA_HOST
    browser = TenantClient(ALPHA_HOST)
    entered = browser.get(location.path)
    assert entered.status_code == 302
    return browser, location.path


def test_the_view_shows_the_member_space_with_a_banner_and_a_token_works_once(world: Any) -> None:
    browser, token_path = _enter(world)
    home = browser.get("/")
    body = home.content.decode()
    assert home.status_code == 200
    assert "Consultation en lecture seule par mallory@fournisseur.test" in body
    assert "Ville d&#x27;Alpha" in body or "Ville d'Alpha" in body
    # Never a login of the member user: no authenticated session key, no last login.
    assert "_auth_user_id" not in browser.session
    world.alice.refresh_from_db()
    assert world.alice.last_login is None
    # The token is single-use: another browser presenting it gets nothing.
    assert TenantClient(ALPHA_HOST).get(token_path).status_code == 404


def _tenant_urls(world: Any) -> list[str]:
    """One URL per route of the member space (pages and API), with ids of member A."""
    urls: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                kwargs: dict[str, Any] = {}
                for name, converter in pattern.pattern.converters.items():
                    kind = type(converter).__name__
                    kwargs[name] = (
                        world.site_a.pk if kind == "IntConverter" else uuid.uuid4() if kind == "UUIDConverter" else "x"
                    )
                with suppress(NoReverseMatch):  # a converter wanting another shape (regex): skipped
                    urls.append(django_reverse(f"{prefix}{pattern.name}", kwargs=kwargs, urlconf="config.urls_tenant"))

    walk(get_resolver("config.urls_tenant").url_patterns, "")
    return sorted(set(urls))


def test_every_write_is_refused_on_every_page_and_api(world: Any) -> None:
    browser, _ = _enter(world)
    urls = _tenant_urls(world)
    assert len(urls) > 40
    end = django_reverse("accounts:readonly_end", urlconf="config.urls_tenant")
    name_before = Site.objects.get(pk=world.site_a.pk).site_name
    failures = []
    for url in urls:
        if url == end:
            continue
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            answer = browser.generic(method, url, '{"site_name": "Piraté"}', content_type="application/json")
            if answer.status_code != 403:
                failures.append(f"{method} {url}: {answer.status_code}")
    assert not failures, "\n".join(failures)
    assert Site.objects.get(pk=world.site_a.pk).site_name == name_before
    assert AuditEvent.objects.filter(action="readonly_view.write_refused").count() >= len(urls)
    # Still in the view afterwards: reading works.
    assert browser.get("/").status_code == 200


def test_the_administrator_sees_it_and_the_end_is_explicit(world: Any) -> None:
    browser, _ = _enter(world)
    browser.get("/")
    end = browser.post(django_reverse("accounts:readonly_end", urlconf="config.urls_tenant"))
    assert end.status_code == 200
    assert f"/backoffice/membres/alpha/{world.member_a.pk}/" in end.content.decode()
    assert browser.get("/").status_code == 302  # the session is gone: the login page
    connection.set_schema_to_public()
    assert ReadOnlyView.objects.get().ended_at is not None
    connection.set_tenant(world.alpha)
    actions = set(AuditEvent.objects.filter(actor_email="mallory@fournisseur.test").values_list("action", flat=True))
    assert {"readonly_view.started", "readonly_view.page", "readonly_view.ended"} <= actions
    admin = TenantClient(ALPHA_HOST)
    admin.force_login(world.alice)
    page = admin.get(django_reverse("accounts:user_list", urlconf="config.urls_tenant")).content.decode()
    assert "Consultations de votre espace par le fournisseur" in page
    assert "mallory@fournisseur.test" in page


def test_an_expired_view_ends_by_itself(world: Any) -> None:
    browser, _ = _enter(world)
    connection.set_schema_to_public()
    ReadOnlyView.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    connection.set_tenant(world.alpha)
    assert browser.get("/").status_code == 403
    assert browser.get("/").status_code == 302  # no session any more


def test_outside_the_portfolio_or_another_member_nothing_starts(world: Any) -> None:
    assert _start(world, world.oscar, world.member_a, world.alice).status_code == 404
    # A user of another member named with member A's page: 404.
    assert _start(world, world.mallory, world.member_a, world.charlie).status_code == 404
