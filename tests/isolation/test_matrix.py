"""Runs the isolation matrix: every (route, method) × every persona × every target (see matrix.py)."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.isolation as isolation_pkg
from tenants.db import connection
from tests.conftest import ALPHA_HOST, BETA_HOST, PUBLIC_HOST, TenantClient
from tests.isolation.matrix import (
    EXEMPT,
    LOGIN_FLOW,
    METHODS,
    PERSONAS,
    TARGETS,
    Route,
    default_leaks,
    expected_status,
    leak_variants,
    logged_in_on,
    route_methods,
    visible_targets,
)

URLCONFS = {"tenant": "config.urls_tenant", "public": "config.urls_public"}
HOSTS = {"tenant": ALPHA_HOST, "public": PUBLIC_HOST}
# Keys of a body that carry object ids (checked like the URL's ids for beta's target).
ID_KEYS = {"pk", "site", "sites", "member", "membre", "perimetre", "perimeter", "lot", "campaign"}


def _load_routes() -> list[Route]:
    routes: list[Route] = []
    for info in pkgutil.iter_modules(isolation_pkg.__path__):
        if info.name.startswith("routes_"):
            module = importlib.import_module(f"tests.isolation.{info.name}")
            routes.extend(module.ROUTES)
    return routes


ROUTES = _load_routes()


def discovered_pairs(urlconf: str) -> dict[str, frozenset[str]]:
    """URL name → the methods its view answers (union over the patterns of one name)."""
    pairs: dict[str, frozenset[str]] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"
                pairs[name] = pairs.get(name, frozenset()) | route_methods(pattern.callback)

    walk(get_resolver(urlconf).url_patterns, "")
    return pairs


def _exempt(host: str, name: str, method: str) -> bool:
    return any(key in EXEMPT for key in (name, f"{host}:{name}", f"{host}:{name}:{method}"))


def pair_differences(routes: list[Route]) -> tuple[list[str], list[str]]:
    """(pairs answered but not declared, pairs declared but not answered)."""
    declared = {(r.host, r.name, r.http_method) for r in routes}
    answered = {
        (host, name, method)
        for host, urlconf in URLCONFS.items()
        for name, methods in discovered_pairs(urlconf).items()
        for method in methods
    }
    missing = sorted(f"{h} {m} {n}" for h, n, m in answered - declared if not _exempt(h, n, m))
    stale = sorted(f"{h} {m} {n}" for h, n, m in declared - answered)
    return missing, stale


def test_every_pair_is_in_the_matrix() -> None:
    missing, stale = pair_differences(ROUTES)
    assert not missing, "(URL, method) pairs missing from the isolation matrix (tests/isolation/routes_*.py):\n" + (
        "\n".join(missing)
    )
    assert not stale, "Declared in the isolation matrix but not answered by the route:\n" + "\n".join(stale)


def test_an_undeclared_pair_fails_the_matrix() -> None:
    """The check above really fails: without one declared pair, it is reported missing."""
    dropped = next(r for r in ROUTES if r.name == "api:user-detail" and r.http_method == "PUT")
    missing, _ = pair_differences([r for r in ROUTES if r is not dropped])
    assert missing == ["tenant PUT api:user-detail"]


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
    connection.set_schema_to_public()
    for persona in ("mallory", "oscar"):
        client = TenantClient(PUBLIC_HOST)
        client.force_login(getattr(world, persona))
        clients[persona] = client
    connection.set_tenant(world.alpha)
    clients["anonymous"] = TenantClient(ALPHA_HOST)
    return clients


def _forget_throttles() -> None:
    """Rate limits count in the cache: each probe starts afresh (only a local-memory cache is
    cleared; a shared Redis is never flushed by the tests)."""
    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()


def _request(client: TenantClient, route: Route, method: str, url: str, data: dict[str, Any], host: str) -> Any:
    _forget_throttles()
    if method == "GET":
        return client.get(url, data, HTTP_HOST=host)
    if route.api:
        return client.generic(method, url, _json(data), content_type="application/json", HTTP_HOST=host)
    if method == "POST":
        return client.post(url, data, HTTP_HOST=host)
    return client.generic(method, url, "", HTTP_HOST=host)


def _json(data: dict[str, Any]) -> str:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(data, cls=DjangoJSONEncoder)


def _body(response: HttpResponseBase) -> str:
    # The test client closes a streamed response once its content is read (closing it again
    # here would send request_finished and close the test's database connection).
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")  # type: ignore[attr-defined]


def _ids(kwargs: dict[str, Any], data: dict[str, Any]) -> set[int | uuid.UUID]:
    """The object ids a probe sends: the URL's, and those of the body's id keys."""
    found: set[int | uuid.UUID] = set()

    def add(value: Any) -> None:
        if isinstance(value, list | tuple):
            for item in value:
                add(item)
        elif isinstance(value, uuid.UUID) or (isinstance(value, int) and not isinstance(value, bool)):
            found.add(value)
        elif isinstance(value, str):
            with suppress(ValueError):
                found.add(uuid.UUID(value))

    for value in kwargs.values():
        add(value)
    for key, value in data.items():
        if key in ID_KEYS:
            add(value)
    return found


_id_tables: dict[tuple[str, str], list[str]] = {}


def _tables_with_id(schema: str, kind: str) -> list[str]:
    """The tables of ``schema`` whose ``id`` column is a uuid (kind "uuid") or an integer (read once)."""
    if (schema, kind) not in _id_tables:
        types = ["uuid"] if kind == "uuid" else ["integer", "bigint"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
                "AND a.attname = 'id' AND format_type(a.atttypid, NULL) = ANY(%s)",
                [schema, types],
            )
            _id_tables[(schema, kind)] = [row[0] for row in cursor.fetchall()]
    return _id_tables[(schema, kind)]


def alpha_tables_holding(schema: str, object_id: int | uuid.UUID) -> list[str]:
    """The tables of ``schema`` with a row of this id."""
    tables = _tables_with_id(schema, "uuid" if isinstance(object_id, uuid.UUID) else "integer")
    if not tables:
        return []
    union = " UNION ALL ".join(
        f'SELECT %s WHERE EXISTS (SELECT 1 FROM "{schema}"."{table}" WHERE id = %s)' for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(union, [param for table in tables for param in (table, object_id)])
        return [row[0] for row in cursor.fetchall()]


def _check_unknown_in_alpha(world: Any, ids: set[int | uuid.UUID], checked: dict[Any, list[str]]) -> list[str]:
    problems = []
    for object_id in ids:
        if object_id not in checked:
            with _schema(world.alpha):
                checked[object_id] = alpha_tables_holding(world.alpha.schema_name, object_id)
        if checked[object_id]:
            problems.append(f"beta's id {object_id} also exists in alpha ({', '.join(checked[object_id])})")
    return problems


def _params(routes: list[Route]) -> list[Any]:
    params = []
    for route in routes:
        marks = [pytest.mark.xfail(reason=route.xfail, strict=True)] if route.xfail else []
        params.append(pytest.param(route, marks=marks, id=f"{route.host}:{route.name}:{route.method}"))
    return params


def test_a_beta_id_known_in_alpha_is_reported(world: Any) -> None:
    """The check of foreign ids really fails: member B's site id, sent as beta's, exists in alpha."""
    problems = _check_unknown_in_alpha(world, {world.site_b.pk, world.site_beta.pk}, {})
    assert problems == [f"beta's id {world.site_b.pk} also exists in alpha (perimeter_site)"]


@pytest.mark.parametrize("route", _params(ROUTES))
def test_route_isolation(route: Route, world: Any) -> None:
    clients = _clients(world)
    host = HOSTS[route.host]
    targets = TARGETS if route.kwargs is not None else ("member_a",)
    leaks: dict[str, set[str]] = {}
    for target in TARGETS:  # built first: a list must already hold every target's row
        with _schema(world.schema_of(target)):
            secrets = default_leaks(world, target) + (route.leak(world, target) if route.leak else [])
        leaks[target] = {variant for secret in secrets for variant in leak_variants(secret)}
    checked: dict[Any, list[str]] = {}
    failures = []
    for persona in PERSONAS:
        for target in targets:
            with _schema(world.schema_of(target)):
                kwargs = route.kwargs(world, target) if route.kwargs else {}
                data = route.data(world, target) if route.data else {}
            if target == "beta":
                failures += _check_unknown_in_alpha(world, _ids(kwargs, data), checked)
            url = reverse(route.name, kwargs=kwargs, urlconf=URLCONFS[route.host])
            response = _request(clients[persona], route, route.http_method, url, data, host)
            connection.set_tenant(world.alpha)
            expected = expected_status(route, persona, target, world, kwargs, data)
            allowed = expected if isinstance(expected, set) else {expected}
            if response.status_code not in allowed:
                failures.append(f"{persona} → {target}: got {response.status_code}, expected {sorted(allowed)}")
            elif response.status_code == 302 and route.name not in LOGIN_FLOW:
                login = reverse("accounts:login", urlconf=URLCONFS[route.host])
                to_login = urlsplit(response["Location"]).path == login
                if to_login == logged_in_on(persona, route.host):
                    where = "to the login page" if to_login else f"to {response['Location']} (not the login page)"
                    failures.append(f"{persona} → {target}: redirected {where}")
            body, sent = _body(response), _json(data)  # what the request sent is echoed, not leaked
            for owner in set(TARGETS) - visible_targets(persona, route.host):
                failures += [
                    f"{persona} reads {owner}'s {secret!r} on {url}"
                    for secret in sorted(leaks[owner])
                    if secret in body and secret not in sent
                ]
    assert not failures, f"{route.http_method} {route.name}:\n" + "\n".join(sorted(set(failures)))


# Who can get past the login and the module checks of a route, to be answered 405.
_PROBERS = {"tenant": ("alice", "carol", "anonymous"), "public": ("mallory", "anonymous")}


def test_undeclared_methods_answer_405(world: Any) -> None:
    """The discovery of methods is right: every other method of METHODS answers 405 (to one of
    the personas who pass the route's access checks) and never a success or a server error."""
    clients = _clients(world)
    kwargs_of = {(r.host, r.name): r.kwargs for r in ROUTES}
    api_of = {(r.host, r.name): r.api for r in ROUTES}
    failures = []
    for host, urlconf in URLCONFS.items():
        for name, methods in sorted(discovered_pairs(urlconf).items()):
            if (host, name) not in kwargs_of or name.startswith("<unnamed"):
                continue  # reported by test_every_pair_is_in_the_matrix
            build = kwargs_of[(host, name)]
            kwargs = build(world, "member_a") if build else {}
            url = reverse(name, kwargs=kwargs, urlconf=urlconf)
            for method in sorted(set(METHODS) - methods):
                route = Route(name, lambda p, t: 405, host=host, api=api_of[(host, name)])
                statuses = {}
                for persona in _PROBERS[host]:
                    statuses[persona] = _request(clients[persona], route, method, url, {}, HOSTS[host]).status_code
                    connection.set_tenant(world.alpha)
                    if statuses[persona] == 405:
                        break
                if 405 not in statuses.values() or any(s < 300 or s >= 500 for s in statuses.values()):
                    failures.append(f"{host} {method} {name}: {statuses}")
    assert not failures, "Methods neither declared nor refused with 405:\n" + "\n".join(failures)
