"""Tenancy: schemas, addresses, a login on one syndicate refused on another."""

from __future__ import annotations

from tenants.db import connection


def test_public_landing_shows_no_private_data(public_client, world):
    response = public_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ville d'Alpha" not in body
    assert "Syndicat Alpha" not in body


def test_each_syndicate_has_its_own_tables(world, beta_tenant):
    from perimeter.models import Member

    assert set(Member.objects.values_list("legal_name", flat=True)) == {"Ville d'Alpha", "Commune de Bravo"}
    connection.set_tenant(beta_tenant)
    assert list(Member.objects.values_list("legal_name", flat=True)) == ["Commune de Beta"]


def test_task_runs_in_the_schema_it_was_queued_from(world, alpha, beta_tenant, monkeypatch):
    """A real worker (thread, in-memory broker) runs tasks queued from two tenants."""
    import threading

    from celery.contrib.testing.worker import start_worker
    from celery.fixups.django import DjangoWorkerFixup  # type: ignore[attr-defined]

    # Celery's Django fixup closes the connections of the thread that starts the worker:
    # here that is the test's own connection, inside its transaction. Keep it open.
    original_close = DjangoWorkerFixup._close_database
    test_thread = threading.current_thread()

    def close_database(self):
        if threading.current_thread() is not test_thread:
            original_close(self)

    monkeypatch.setattr(DjangoWorkerFixup, "_close_database", close_database)

    from accounts.models import AuditEvent
    from config.celery import app

    app.conf.task_always_eager = False  # restored below

    @app.task(name="tests.record_schema")
    def record_schema(marker: str) -> None:
        AuditEvent.objects.create(
            action="test.task_schema", actor_email=marker, details={"schema": connection.schema_name}
        )

    try:
        with start_worker(app, perform_ping_check=False, pool="threads", concurrency=1):
            record_schema.delay("from-alpha")
            connection.set_tenant(beta_tenant)
            record_schema.delay("from-beta")
            connection.set_tenant(alpha)
            _wait_for(lambda: _count("alpha") + _count("beta") >= 2)
        assert _rows("alpha") == [("from-alpha", "alpha")]
        assert _rows("beta") == [("from-beta", "beta")]
    finally:
        app.conf.task_always_eager = True
        for schema in ("alpha", "beta"):
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {schema}.accounts_auditevent WHERE action = 'test.task_schema'")


def _rows(schema: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT actor_email, details->>'schema' FROM {schema}.accounts_auditevent "
            "WHERE action = 'test.task_schema'"
        )
        return list(cursor.fetchall())


def _count(schema: str) -> int:
    return len(_rows(schema))


def _wait_for(condition, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the worker did not run the tasks in time")


def test_cache_keys_carry_the_tenant(alpha, beta_tenant):
    """The same key set in one syndicate is not seen from another (django_tenants.cache.make_key)."""
    from django.core.cache import cache

    cache.set("home:last-three-months", "alpha's figures", 60)
    assert cache.get("home:last-three-months") == "alpha's figures"
    connection.set_tenant(beta_tenant)
    assert cache.get("home:last-three-months") is None
    connection.set_tenant(alpha)
    cache.delete("home:last-three-months")
