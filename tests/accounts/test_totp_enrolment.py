"""Second factor of supplier staff: enrolment after the password step, and create_staff_user."""

from __future__ import annotations

import datetime as dt
import io

import pyotp
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import totp
from accounts.models import AuditEvent, LoginFailure, User
from accounts.views import PENDING_SECOND_FACTOR
from tenants.db import connection
from tests.accounts.conftest import link_path
from tests.conftest import PASSWORD, TenantClient
from tests.factories import UserFactory

LOGIN = "/comptes/connexion/"
ENROL = "/comptes/connexion/second-facteur/"
CODE = "/comptes/connexion/code/"


def _login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR="10.0.0.1")


def _code(client, url, code):
    return client.post(url, {"code": code}, REMOTE_ADDR="10.0.0.1")


@pytest.fixture
def newcomer(world, back_to_alpha):
    """An account manager with a password and no second factor yet (public schema)."""
    connection.set_schema_to_public()
    return UserFactory(email="nora@fournisseur.test", role="account_manager", member=None)


def _pending_secret(client) -> str:
    return client.session[PENDING_SECOND_FACTOR]["totp_secret"]


def test_the_password_step_leads_an_unenrolled_account_to_pairing(newcomer, public_client):
    response = _login(public_client, newcomer.email)
    assert response.status_code == 302
    assert response["Location"] == ENROL
    assert public_client.get("/backoffice/").status_code == 302  # not logged in yet
    # The code step sends it there too, rather than asking for a code it cannot have.
    assert public_client.get(CODE)["Location"] == ENROL
    page = public_client.get(ENROL)
    assert page.status_code == 200
    body = page.content.decode()
    secret = _pending_secret(public_client)
    # The QR code is drawn inline by our page (no image service) and holds the otpauth URI.
    uri = totp.provisioning_uri(secret=secret, email=newcomer.email)
    assert uri.startswith("otpauth://totp/")
    assert totp.qr_svg(uri, title="QR code à scanner") in body
    assert "<img" not in body
    assert totp.secret_display(secret) in body
    # The secret stays the same while the pairing is pending (a reload does not change it).
    public_client.get(ENROL)
    assert _pending_secret(public_client) == secret
    newcomer.refresh_from_db()
    assert not newcomer.totp_secret  # nothing stored before a code confirms it


def test_a_first_code_enrols_the_account_and_logs_it_in(
    newcomer, public_client, mailoutbox, django_capture_on_commit_callbacks
):
    _login(public_client, newcomer.email)
    public_client.get(ENROL)
    secret = _pending_secret(public_client)
    wrong = _code(public_client, ENROL, "000000")
    assert wrong.status_code == 200
    assert "Ce code n&#x27;est pas valide" in wrong.content.decode()
    assert LoginFailure.objects.filter(email=newcomer.email).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        ok = _code(public_client, ENROL, pyotp.TOTP(secret).now())
    assert ok.status_code == 302
    assert public_client.get("/backoffice/").status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.has_second_factor
    assert newcomer.totp_secret == secret
    assert not LoginFailure.objects.filter(email=newcomer.email).exists()
    actions = AuditEvent.objects.filter(actor=newcomer).values_list("action", flat=True)
    assert set(actions) == {"user.totp_enabled", "login.succeeded", "backoffice.home_viewed"}
    assert AuditEvent.objects.filter(action="user.totp_enrolment_failed", actor_email=newcomer.email).count() == 1
    assert [m.to for m in mailoutbox] == [[newcomer.email]]
    assert "application d'authentification" in mailoutbox[0].body


def test_once_enrolled_the_code_is_asked_and_the_pairing_closed(newcomer, public_client):
    _login(public_client, newcomer.email)
    public_client.get(ENROL)
    secret = _pending_secret(public_client)
    code = pyotp.TOTP(secret).now()
    assert _code(public_client, ENROL, code).status_code == 302
    public_client.post("/comptes/deconnexion/")
    again = TenantClient("localhost")
    assert _login(again, newcomer.email)["Location"] == CODE
    assert again.get(ENROL)["Location"] == CODE  # no second pairing over the first
    assert _code(again, CODE, code).status_code == 200  # the pairing code cannot be replayed
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30), tick=False):
        assert _code(again, CODE, pyotp.TOTP(secret).now()).status_code == 302
    assert again.get("/backoffice/").status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.totp_secret == secret


def test_pairing_needs_a_recent_password_step(newcomer, public_client):
    assert public_client.get(ENROL)["Location"] == LOGIN
    _login(public_client, newcomer.email)
    public_client.get(ENROL)
    secret = _pending_secret(public_client)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        response = _code(public_client, ENROL, pyotp.TOTP(secret).now())
    assert response["Location"] == LOGIN
    newcomer.refresh_from_db()
    assert not newcomer.has_second_factor


def test_wrong_pairing_codes_lock_like_login_failures(newcomer, public_client, settings):
    _login(public_client, newcomer.email)
    public_client.get(ENROL)
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        _code(public_client, ENROL, "000000")
    secret = _pending_secret(public_client)
    response = _code(public_client, ENROL, pyotp.TOTP(secret).now())
    assert response["Location"] == LOGIN
    newcomer.refresh_from_db()
    assert not newcomer.has_second_factor


# --- create_staff_user ---------------------------------------------------------------------


def _create(*args, **kwargs):
    out = io.StringIO()
    call_command("create_staff_user", *args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def test_command_with_a_password_from_the_environment(world, back_to_alpha, monkeypatch, public_client):
    monkeypatch.setenv("STAFF_USER_PASSWORD", "Pomme-Verte-Lune-2031")
    out = _create("Olga@Fournisseur.test", "--first-name", "Olga", "--no-input")
    assert "http://localhost:8000/comptes/connexion/" in out
    assert "second facteur" in out
    connection.set_schema_to_public()
    olga = User.objects.get(email="olga@fournisseur.test")
    assert (olga.role, olga.member_id, olga.first_name, olga.has_second_factor) == (
        "account_manager",
        None,
        "Olga",
        False,
    )
    connection.set_tenant(world.alpha)
    assert not User.objects.filter(email="olga@fournisseur.test").exists()  # not in a syndicate's schema
    # The printed path works: password, then pairing, then the back-office.
    assert _login(public_client, olga.email, "Pomme-Verte-Lune-2031")["Location"] == ENROL
    public_client.get(ENROL)
    assert _code(public_client, ENROL, pyotp.TOTP(_pending_secret(public_client)).now()).status_code == 302
    assert public_client.get("/backoffice/").status_code == 200


def test_command_without_a_password_mails_an_activation_link(
    world, back_to_alpha, monkeypatch, mailoutbox, public_client, django_capture_on_commit_callbacks
):
    monkeypatch.delenv("STAFF_USER_PASSWORD", raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        out = _create("paul@fournisseur.test", "--no-input")
    path = link_path(mailoutbox[0], "/comptes/activation/")
    assert f"http://localhost:8000{path}" in out
    page = public_client.post(path, {"password1": "Pomme-Verte-Lune-2031", "password2": "Pomme-Verte-Lune-2031"})
    assert page["Location"] == LOGIN
    assert _login(public_client, "paul@fournisseur.test", "Pomme-Verte-Lune-2031")["Location"] == ENROL


def test_command_prompts_for_the_password(world, back_to_alpha, monkeypatch):
    answers = iter(["Pomme-Verte-Lune-2031", "autre chose", "Pomme-Verte-Lune-2031", "Pomme-Verte-Lune-2031"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    _create("quentin@fournisseur.test")
    connection.set_schema_to_public()
    assert User.objects.get(email="quentin@fournisseur.test").check_password("Pomme-Verte-Lune-2031")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("mallory@fournisseur.test", "Pomme-Verte-Lune-2031", "existe déjà"),
        ("nouveau@fournisseur.test", "court", "trop court"),
        ("pas-une-adresse", "Pomme-Verte-Lune-2031", "invalide"),
    ],
)
def test_command_refusals(world, back_to_alpha, monkeypatch, email, password, message):
    monkeypatch.setenv("STAFF_USER_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        _create(email, "--no-input")
    connection.set_schema_to_public()
    assert User.objects.filter(role="account_manager").count() == 2  # the world's mallory and oscar only
