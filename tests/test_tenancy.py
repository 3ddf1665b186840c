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


def test_an_inactive_syndicate_answers_a_closed_notice(world, alpha_client, beta_client, public_client):
    """Pages, logins and API of a closed syndicate answer 503 with a French notice; the
    other syndicate stays open and the back-office still lists the closed one."""
    from rest_framework.authtoken.models import Token

    from accounts.models import AuditEvent
    from tenants.models import Syndicate
    from tests.conftest import PASSWORD

    token = Token.objects.create(user=world.alice)
    logged_in = type(alpha_client)("alpha.localhost")
    logged_in.force_login(world.alice)
    Syndicate.objects.filter(code="alpha").update(is_active=False)

    page = alpha_client.get("/comptes/connexion/")
    assert page.status_code == 503
    body = page.content.decode()
    assert '<html lang="fr">' in body
    assert "Cet espace est momentanément fermé." in body
    login = alpha_client.post("/comptes/connexion/", {"email": "alice@a.test", "password": PASSWORD})
    assert login.status_code == 503
    assert not AuditEvent.objects.filter(action="login.succeeded").exists()
    assert logged_in.get("/").status_code == 503  # an open session does not get past it either
    assert logged_in.get(f"/parc/sites/{world.site_a.pk}/").status_code == 503
    api = alpha_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.status_code == 503
    assert api.json() == {"detail": "Cet espace est momentanément fermé."}
    assert alpha_client.get("/static/ui/app.css").status_code == 200  # the notice keeps its style

    connection.set_tenant(world.beta)
    assert beta_client.get("/comptes/connexion/").status_code == 200
    connection.set_schema_to_public()
    public_client.force_login(world.mallory)
    backoffice = public_client.get("/backoffice/")
    assert backoffice.status_code == 200
    assert "Syndicat Alpha" in backoffice.content.decode()
    connection.set_tenant(world.alpha)


def test_create_syndicate_makes_a_schema_and_an_address(world, alpha_client):
    import io

    from django.core.management import call_command

    from perimeter.models import Member
    from tenants.models import Syndicate

    out = io.StringIO()
    connection.set_schema_to_public()  # as manage.py starts
    call_command("create_syndicate", "gamma", "Syndicat Gamma", "--contact-email", "contact@gamma.test", stdout=out)
    assert out.getvalue().strip() == "Syndicat Gamma (gamma) : http://gamma.localhost:8000"
    gamma = Syndicate.objects.get(code="gamma")
    assert (gamma.schema_name, gamma.contact_email, gamma.is_active) == ("gamma", "contact@gamma.test", True)
    assert gamma.get_primary_domain().domain == "gamma.localhost"
    connection.set_tenant(gamma)
    assert not Member.objects.exists()  # its own, migrated, empty tables
    connection.set_tenant(world.alpha)
    assert type(alpha_client)("gamma.localhost").get("/comptes/connexion/").status_code == 200


def test_create_syndicate_refuses_an_existing_or_reserved_code(world):
    import io

    import pytest
    from django.core.management import CommandError, call_command

    from tenants.models import Syndicate

    connection.set_schema_to_public()
    for code, message in [
        ("alpha", "Un syndicat existe déjà avec le code « alpha » (Syndicat Alpha)."),
        ("public", "Le code « public » est réservé à la plateforme."),
        ("Bad-Code", "Le code court contient de 2 à 30 lettres minuscules ou chiffres"),
    ]:
        out = io.StringIO()
        with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
            call_command("create_syndicate", code, "Nouveau nom", stdout=out)
        assert out.getvalue() == ""  # nothing printed as created
    assert Syndicate.objects.get(code="alpha").name == "Syndicat Alpha"
    assert Syndicate.objects.count() == 3  # public, alpha, beta
    connection.set_tenant(world.alpha)


def test_session_cookie_is_host_only(world, alpha_client):
    """The session set by a login on a syndicate's address is sent back to that host only:
    no Domain attribute, so neither the supplier's host nor another syndicate receives it."""
    from django.conf import settings

    from tests.conftest import PASSWORD

    response = alpha_client.post("/comptes/connexion/", {"email": "alice@a.test", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["domain"] == ""
    assert "domain=" not in cookie.OutputString().lower()
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_pages_are_french_whatever_the_browser_asks(world, alpha_client, public_client):
    """An English browser still gets French pages, Django's own messages included."""
    english = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
    page = alpha_client.post("/comptes/connexion/", {"email": "pas-une-adresse"}, **english)
    body = page.content.decode()
    assert '<html lang="fr">' in body
    assert "Ce champ est obligatoire." in body  # Django's required-field message
    assert "Saisissez une adresse e-mail valide." in body  # Django's email validator
    assert "This field is required" not in body
    alpha_client.force_login(world.alice)
    assert '<html lang="fr">' in alpha_client.get("/", **english).content.decode()
    assert '<html lang="fr">' in public_client.get("/", **english).content.decode()
    connection.set_tenant(world.alpha)


def test_the_api_link_is_shown_where_the_api_exists(world, alpha_client, public_client):
    """The footer links to the member API's docs on a syndicate's address; the supplier's address shows no
    link (its docs describe the staff ingestion API, for account managers only)."""
    tenant_page = alpha_client.get("/comptes/connexion/").content.decode()
    assert 'href="/api/docs/"' in tenant_page
    assert alpha_client.get("/api/docs/").status_code == 200
    public_page = public_client.get("/").content.decode()
    assert "/api/docs/" not in public_page
    assert public_client.get("/api/docs/").status_code in {302, 401, 403}  # anonymous: refused
    connection.set_tenant(world.alpha)
