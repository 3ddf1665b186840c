"""Runs the isolation matrix: every route × every persona × every target (see matrix.py)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.isolation as isolation_pkg
from tenants.db import connection
from tests.conftest import ALPHA_HOST, BETA_HOST, PUBLIC_HOST, TenantClient
from tests.isolation.matrix import EXEMPT, PERSONAS, TARGETS, Route


def _load_routes() -> list[Route]:
    routes: list[Route] = []
    for info in pkgutil.iter_modules(isolation_pkg.__path__):
        if info.name.startswith("routes_"):
            module = importlib.import_module(f"tests.isolation.{info.name}")
            routes.extend(module.ROUTES)
    return routes


ROUTES = _load_routes()


def _url_names(urlconf: str) -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>")

    walk(get_resolver(urlconf).url_patterns, "")
    return names


def test_every_route_is_in_the_matrix():
    declared = {(r.host, r.name) for r in ROUTES}
    missing = []
    for host, urlconf in (("tenant", "config.urls_tenant"), ("public", "config.urls_public")):
        for name in sorted(_url_names(urlconf)):
            if (host, name) not in declared and name not in EXEMPT and f"{host}:{name}" not in EXEMPT:
                missing.append(f"{host} {name}")
    assert not missing, "Routes missing from the isolation matrix (tests/isolation/routes_*.py):\n" + "\n".join(missing)


@contextmanager
def _schema(tenant: Any) -> Iterator[None]:
    previous = connection.tenant
    connection.set_tenant(tenant)
    try:
        yield
    finally:
        connection.set_tenant(previous)


def _clients(world: Any) -> dict[str, TenantClient]:
    clients: dict[str, TenantClient] = {}
    for persona in ("alice", "bob", "charlie", "carol"):
        client = TenantClient(ALPHA_HOST)
        with _schema(world.alpha):
            client.force_login(getattr(world, persona))
        clients[persona] = client
    client = TenantClient(BETA_HOST)
    with _schema(world.beta):
        client.force_login(world.dave)
    clients["dave"] = client
    client = TenantClient(PUBLIC_HOST)
    connection.set_schema_to_public()
    client.force_login(world.mallory)
    clients["mallory"] = client
    connection.set_tenant(world.alpha)
    clients["anonymous"] = TenantClient(ALPHA_HOST)
    return clients


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.host}:{r.name}:{r.method}")
def test_route_isolation(route: Route, world: Any) -> None:
    clients = _clients(world)
    host = ALPHA_HOST if route.host == "tenant" else PUBLIC_HOST
    targets = TARGETS if route.kwargs is not None else ("member_a",)
    failures = []
    for persona in PERSONAS:
        for target in targets:
            with _schema(world.schema_of(target)):
                kwargs = route.kwargs(world, target) if route.kwargs else {}
                data = route.data(world, target) if route.data else {}
            urlconf = "config.urls_tenant" if route.host == "tenant" else "config.urls_public"
            url = reverse(route.name, kwargs=kwargs, urlconf=urlconf)
            client = clients[persona]
            call = getattr(client, route.method)
            if route.api and route.method != "get":
                response = call(url, data, content_type="application/json", HTTP_HOST=host)
            else:
                response = call(url, data, HTTP_HOST=host)
            connection.set_tenant(world.alpha)
            expected = route.expect(persona, target)
            allowed = expected if isinstance(expected, set) else {expected}
            if response.status_code not in allowed:
                failures.append(f"{persona} → {target}: got {response.status_code}, expected {sorted(allowed)}")
            elif route.leak and persona == "alice" and response.status_code == 200:
                body = response.content.decode(errors="replace")
                for secret in route.leak(world):
                    if secret in body:
                        failures.append(f"alice sees {secret!r} on {url}")
    assert not failures, f"{route.method.upper()} {route.name}:\n" + "\n".join(failures)
