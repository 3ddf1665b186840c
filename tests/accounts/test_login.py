"""Login: email + password, lockout per (email, address), sessions, TOTP for supplier staff."""

from __future__ import annotations

import datetime as dt
import io

import pyotp
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, LoginFailure, User
from tenants.db import connection
from tests.conftest import PASSWORD, TenantClient
from tests.factories import UserFactory

LOGIN = "/comptes/connexion/"


def _login(client, email, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_email_rotates_the_session(world, alpha_client):
    session = alpha_client.session
    session["before"] = "login"
    session.save()
    before = alpha_client.cookies["sessionid"].value
    response = _login(alpha_client, "ALICE@a.test")
    assert response.status_code == 302
    assert alpha_client.cookies["sessionid"].value != before
    assert alpha_client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login.succeeded", actor=world.alice).exists()


def test_unknown_address_and_wrong_password_get_the_same_answer(world, alpha_client):
    unknown = _login(alpha_client, "nobody@a.test")
    wrong = _login(alpha_client, "alice@a.test", "Wrong-password-123")
    assert unknown.status_code == wrong.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in unknown.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.content.decode()
    assert AuditEvent.objects.filter(action="login.failed").count() == 2


def test_eleventh_attempt_is_locked_for_that_pair_only(world, alpha_client, settings):
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        assert _login(alpha_client, "bob@a.test", "Wrong-password-123").status_code == 200
    # The 11th attempt is refused even with the right password, and says how to recover.
    response = _login(alpha_client, "bob@a.test")
    assert response.status_code == 200
    body = response.content.decode()
    assert "bloquée pendant 15 minutes" in body
    assert "Mot de passe oublié ?" in body
    assert AuditEvent.objects.filter(action="login.lockout_started").count() == 1
    assert AuditEvent.objects.filter(action="login.refused_locked").count() == 1
    # Another user from the same address, and the same user from another address, are not locked.
    assert _login(TenantClient("alpha.localhost"), "alice@a.test").status_code == 302
    assert _login(TenantClient("alpha.localhost"), "bob@a.test", ip="10.0.0.2").status_code == 302
    # After the cool-off the pair may try again.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        assert _login(TenantClient("alpha.localhost"), "bob@a.test").status_code == 302
    assert not LoginFailure.objects.filter(email="bob@a.test", ip_address="10.0.0.1").exists()


def test_a_forged_forwarded_header_does_not_escape_the_lockout(world, alpha_client, settings):
    """Without a trusted proxy (the default) X-Forwarded-For is the client's own words: ignored."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    for n in range(settings.LOGIN_LOCKOUT_FAILURES):
        alpha_client.post(
            LOGIN,
            {"email": "bob@a.test", "password": "Wrong-password-123"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",  # a new "address" at each attempt
        )
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}
    response = alpha_client.post(
        LOGIN,
        {"email": "bob@a.test", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert "bloquée" in response.content.decode()


def test_behind_a_trusted_proxy_only_its_entry_counts(world, alpha_client, settings):
    """With one proxy (Caddy), the client is the last entry; what the client put before is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.LOGIN_LOCKOUT_FAILURES):
        alpha_client.post(
            LOGIN,
            {"email": "bob@a.test", "password": "Wrong-password-123"},
            REMOTE_ADDR="172.18.0.5",  # the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",  # forged part, then the proxy's entry
        )
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    right = {"email": "bob@a.test", "password": PASSWORD}
    response = alpha_client.post(LOGIN, right, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert "bloquée" in response.content.decode()
    # Another client behind the same proxy is not locked.
    other = TenantClient("alpha.localhost").post(
        LOGIN, right, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other.status_code == 302


def test_unknown_address_locks_out_like_a_known_one(world, alpha_client, settings):
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        _login(alpha_client, "ghost@a.test", "Wrong-password-123")
    assert "bloquée" in _login(alpha_client, "ghost@a.test").content.decode()


def test_session_dies_when_the_account_is_disabled(world, alpha_client):
    alpha_client.force_login(world.bob)
    assert alpha_client.get("/").status_code == 200
    services.user_deactivate(user=world.bob, actor=world.alice)
    assert alpha_client.get("/").status_code == 302


def test_session_dies_when_the_password_changes(world, alpha_client):
    alpha_client.force_login(world.bob)
    assert alpha_client.get("/").status_code == 200
    world.bob.set_password("Another-Long-Password-7")
    world.bob.save()
    assert alpha_client.get("/").status_code == 302


def test_login_made_on_one_syndicate_is_refused_on_another(world, beta_client):
    assert _login(beta_client, "alice@a.test").status_code == 200
    connection.set_tenant(world.alpha)


@pytest.fixture
def staff(world):
    connection.set_schema_to_public()
    user = UserFactory(email="sam@fournisseur.test", role="account_manager", member=None)
    secret = services.user_totp_setup(user=user)
    connection.set_tenant(world.alpha)
    return user, secret


def test_staff_login_needs_the_totp_code(world, staff, public_client, back_to_alpha):
    user, secret = staff
    response = _login(public_client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_second_factor", urlconf="config.urls_public")
    # The password alone does not open the back-office.
    assert public_client.get("/backoffice/").status_code == 302
    wrong = public_client.post(response["Location"], {"code": "000000"}, REMOTE_ADDR="10.0.0.1")
    assert wrong.status_code == 200
    assert "Ce code n&#x27;est pas valide" in wrong.content.decode()
    ok = public_client.post(response["Location"], {"code": pyotp.TOTP(secret).now()}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302
    assert public_client.get("/backoffice/").status_code == 200
    assert AuditEvent.objects.filter(action="login.second_factor_failed").count() == 1
    assert AuditEvent.objects.filter(action="login.succeeded", actor=user).count() == 1


def test_second_factor_step_expires(world, staff, public_client, back_to_alpha):
    user, secret = staff
    step2 = _login(public_client, user.email)["Location"]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=False):
        response = public_client.post(step2, {"code": pyotp.TOTP(secret).now()}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert public_client.get("/backoffice/").status_code == 302


def test_totp_code_command_prints_the_current_code(world, staff, back_to_alpha):
    user, secret = staff
    out = io.StringIO()
    call_command("totp_code", user.email, stdout=out)
    assert out.getvalue().strip() == pyotp.TOTP(secret).now()
    assert User.objects.filter(pk=world.alice.pk).exists()  # the command leaves the schema alone


def test_session_expires_when_idle(world, alpha_client, settings):
    assert _login(alpha_client, "alice@a.test").status_code == 302
    later = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with time_machine.travel(later, tick=False):
        assert alpha_client.get("/").status_code == 200  # activity restarts the clock
    with time_machine.travel(later + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60), tick=False):
        assert alpha_client.get("/").status_code == 302


def test_a_totp_code_opens_one_session_only(world, staff, back_to_alpha):
    user, secret = staff
    code = pyotp.TOTP(secret).now()
    first, second = TenantClient("localhost"), TenantClient("localhost")
    step2 = _login(first, user.email)["Location"]
    _login(second, user.email)
    assert first.post(step2, {"code": code}, REMOTE_ADDR="10.0.0.1").status_code == 302
    replay = second.post(step2, {"code": code}, REMOTE_ADDR="10.0.0.1")
    assert replay.status_code == 200
    assert second.get("/backoffice/").status_code == 302
    assert AuditEvent.objects.filter(action="login.second_factor_replayed").count() == 1
