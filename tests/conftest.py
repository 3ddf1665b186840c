"""Test tenants and personas.

Two syndicates are created once per test run (per xdist worker): ``alpha`` (the one
the personas belong to) and ``beta`` (a second syndicate that must see nothing of
alpha's). Each test runs inside a transaction rolled back at its end, in alpha's
schema unless it asks otherwise.

Personas (named as in Healthchecks' tests):
- alice: administrator of member A (all modules);
- bob: user of member A with only Consommation and Facturation;
- charlie: administrator of member B, same syndicate: must never see A's data;
- carol: coordinator of the syndicate (read-only across members);
- mallory: account manager (supplier staff, public schema) following alpha and beta;
- oscar: account manager whose portfolio holds beta only (alpha is out of its reach);
- dave: administrator of a member of the *beta* syndicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.db import connection
from tenants.models import Syndicate

PASSWORD = "Correct-Horse-Battery-9"
ALPHA_HOST = "alpha.localhost"
BETA_HOST = "beta.localhost"
PUBLIC_HOST = "localhost"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from tenants.services import public_tenant_ensure, syndicate_create

    with django_db_blocker.unblock():
        public_tenant_ensure()
        syndicate_create(code="alpha", name="Syndicat Alpha", domain=ALPHA_HOST)
        syndicate_create(code="beta", name="Syndicat Beta", domain=BETA_HOST)
        connection.set_schema_to_public()
    yield
    # Threads of the in-process Celery worker keep their own connections open; close
    # them so that the test database can be dropped.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def alpha(db: None) -> Iterator[Syndicate]:
    tenant = Syndicate.objects.get(code="alpha")
    connection.set_tenant(tenant)
    yield tenant
    connection.set_schema_to_public()


@pytest.fixture
def beta_tenant(db: None) -> Syndicate:
    return Syndicate.objects.get(code="beta")


class TenantClient(Client):
    """A test client bound to one host (and so to one tenant)."""

    def __init__(self, host: str, **defaults: Any) -> None:
        super().__init__(HTTP_HOST=host, **defaults)


def logged_in(user: Any, host: str = ALPHA_HOST) -> TenantClient:
    """A client on the syndicate's address with ``user``'s session."""
    client = TenantClient(host)
    client.force_login(user)
    return client


@dataclass
class World:
    """Everything the isolation tests need: two members, their objects, and the personas."""

    member_a: Any
    member_b: Any
    site_a: Any
    site_b: Any
    alice: Any
    bob: Any
    charlie: Any
    carol: Any
    mallory: Any
    oscar: Any
    dave: Any
    member_beta: Any
    site_beta: Any
    alpha: Any
    beta: Any

    def schema_of(self, target: str) -> Any:
        """The syndicate holding a matrix target's objects ("member_a", "member_b" or "beta")."""
        return self.beta if target == "beta" else self.alpha


def world_build(alpha: Syndicate, beta_tenant: Syndicate, *, pks: dict[str, int] | None = None) -> World:
    """The personas and their objects; ``pks`` pins the id of some of them by World field name
    (the isolation matrix puts member B's and beta's far from every sequence)."""
    from accounts.choices import Module, Role
    from tests.factories import MemberFactory, SiteFactory, UserFactory

    def pin(field: str) -> dict[str, int]:
        return {"pk": pks[field]} if pks and field in pks else {}

    connection.set_schema_to_public()
    mallory = UserFactory(email="mallory@fournisseur.test", role=Role.ACCOUNT_MANAGER, member=None)
    # Another account manager, whose portfolio holds beta only: alpha is out of its reach.
    oscar = UserFactory(email="oscar.portefeuille@fournisseur.test", role=Role.ACCOUNT_MANAGER, member=None)
    alpha.account_managers.add(mallory)
    beta_tenant.account_managers.add(mallory, oscar)
    connection.set_tenant(beta_tenant)
    member_beta = MemberFactory(legal_name="Commune de Beta", **pin("member_beta"))
    site_beta = SiteFactory(member=member_beta, **pin("site_beta"))
    dave = UserFactory(email="dave@beta.test", role=Role.MEMBER_ADMIN, member=member_beta, **pin("dave"))
    connection.set_tenant(alpha)
    member_a = MemberFactory(legal_name="Ville d'Alpha", **pin("member_a"))
    member_b = MemberFactory(legal_name="Commune de Bravo", **pin("member_b"))
    site_a = SiteFactory(member=member_a, **pin("site_a"))
    site_b = SiteFactory(member=member_b, **pin("site_b"))
    alice = UserFactory(email="alice@a.test", role=Role.MEMBER_ADMIN, member=member_a, **pin("alice"))
    bob = UserFactory(
        email="bob@a.test",
        role=Role.MEMBER_USER,
        member=member_a,
        modules=[Module.CONSUMPTION, Module.BILLING],
        **pin("bob"),
    )
    charlie = UserFactory(email="charlie@b.test", role=Role.MEMBER_ADMIN, member=member_b, **pin("charlie"))
    carol = UserFactory(email="carol@alpha.test", role=Role.COORDINATOR, member=None, **pin("carol"))
    return World(
        member_a=member_a,
        member_b=member_b,
        site_a=site_a,
        site_b=site_b,
        alice=alice,
        bob=bob,
        charlie=charlie,
        carol=carol,
        mallory=mallory,
        oscar=oscar,
        dave=dave,
        member_beta=member_beta,
        site_beta=site_beta,
        alpha=alpha,
        beta=beta_tenant,
    )


@pytest.fixture
def world(alpha: Syndicate, beta_tenant: Syndicate) -> World:
    return world_build(alpha, beta_tenant)


@pytest.fixture
def alpha_client() -> TenantClient:
    return TenantClient(ALPHA_HOST)


@pytest.fixture
def beta_client() -> TenantClient:
    return TenantClient(BETA_HOST)


@pytest.fixture
def public_client() -> TenantClient:
    return TenantClient(PUBLIC_HOST)


def _statements(context: CaptureQueriesContext) -> list[str]:
    # django-tenants runs ``SET search_path`` before statements: counting them would
    # double the figure and hide what the code under test does.
    return [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path")]


@pytest.fixture
def max_queries() -> Callable[[int], Any]:
    """Like ``django_assert_max_num_queries`` without django-tenants' ``SET search_path``; prints the SQL on failure."""

    @contextmanager
    def check(limit: int) -> Iterator[list[str]]:
        statements: list[str] = []
        with CaptureQueriesContext(connection) as context:
            yield statements
        statements[:] = _statements(context)
        assert len(statements) <= limit, f"{len(statements)} queries > {limit}:\n" + "\n".join(
            sql[:200] for sql in statements
        )

    return check


@pytest.fixture
def assert_num_queries() -> Callable[[int], Any]:
    """Exact count, same rules as ``max_queries``."""

    @contextmanager
    def expect(count: int) -> Iterator[list[str]]:
        statements: list[str] = []
        with CaptureQueriesContext(connection) as context:
            yield statements
        statements[:] = _statements(context)
        assert len(statements) == count, f"{len(statements)} queries, expected {count}:\n" + "\n".join(
            sql[:200] for sql in statements
        )

    return expect


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Every test starts with empty rate-limit counters (the throttle cache is per process)."""
    from django.core.cache import caches

    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Files a test writes under MEDIA_ROOT (an invoice's archived PDF on download…) go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
