"""Activation (24 h, single use, password chosen then) and password reset (no enumeration)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, User
from tests.accounts.conftest import link_path, without_csrf

GOOD = "Vert-Pomme-Lune-42"
INVALID = "Ce lien n'est plus valide"


def _invite(world, capture):
    with capture(execute=True):
        return services.member_user_invite(
            admin=world.alice, email="new@a.test", first_name="Nina", last_name="Neuve", modules=["park"]
        )


def _choose(client, path, password=GOOD):
    return client.post(path, {"password1": password, "password2": password})


def test_activation_link_lets_the_user_choose_a_password_once(
    world, alpha_client, mailoutbox, django_capture_on_commit_callbacks
):
    user = _invite(world, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@a.test"]
    assert "24 heures" in mailoutbox[0].body
    path = link_path(mailoutbox[0], "/comptes/activation/")
    assert mailoutbox[0].body.count("http://alpha.localhost") == 1
    assert not user.has_usable_password()
    assert alpha_client.get(path).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = _choose(alpha_client, path)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.activated_at is not None
    assert user.check_password(GOOD)
    assert [m.subject for m in mailoutbox] == ["Activez votre compte", "Votre compte est activé"]
    assert AuditEvent.objects.filter(action="user.activated", target_id=str(user.pk)).exists()
    # Single use: the same link no longer works.
    assert INVALID in alpha_client.get(path).content.decode()
    assert INVALID in _choose(alpha_client, path, "Other-Password-Here-9").content.decode()
    user.refresh_from_db()
    assert user.check_password(GOOD)
    # Login is the email address.
    assert alpha_client.post("/comptes/connexion/", {"email": "new@a.test", "password": GOOD}).status_code == 302


def test_activation_link_expires_after_24_hours(world, alpha_client, mailoutbox, django_capture_on_commit_callbacks):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        _invite(world, django_capture_on_commit_callbacks)
    path = link_path(mailoutbox[0], "/comptes/activation/")
    with time_machine.travel(now + dt.timedelta(hours=23, minutes=59), tick=False):
        assert INVALID not in alpha_client.get(path).content.decode()
    with time_machine.travel(now + dt.timedelta(hours=24, minutes=1), tick=False):
        assert INVALID in alpha_client.get(path).content.decode()
        assert INVALID in _choose(alpha_client, path).content.decode()
    assert User.objects.get(email="new@a.test").activated_at is None


def test_resending_the_activation_invalidates_the_previous_link(
    world, alpha_client, mailoutbox, django_capture_on_commit_callbacks
):
    user = _invite(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_client.get("/")  # warm the session machinery (no effect on the links)
        services.user_activation_send(user=user, actor=world.alice)
    assert response.status_code == 302
    first, second = (link_path(m, "/comptes/activation/") for m in mailoutbox)
    assert INVALID in alpha_client.get(first).content.decode()
    assert INVALID not in alpha_client.get(second).content.decode()


def test_activation_refuses_a_weak_password(world, alpha_client, mailoutbox, django_capture_on_commit_callbacks):
    _invite(world, django_capture_on_commit_callbacks)
    path = link_path(mailoutbox[0], "/comptes/activation/")
    response = _choose(alpha_client, path, "court")
    assert response.status_code == 200
    assert "12 caract" in response.content.decode()
    assert User.objects.get(email="new@a.test").activated_at is None


def test_reset_never_tells_whether_the_address_exists(
    world, alpha_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as known_callbacks:
        known = alpha_client.post("/comptes/mot-de-passe-oublie/", {"email": "bob@a.test"})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = alpha_client.post("/comptes/mot-de-passe-oublie/", {"email": "nobody@a.test"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert "Si votre compte existe, un e-mail vous a été adressé." in unknown.content.decode()
    # One mail, to the real account only; the unknown address gets none.
    assert len(known_callbacks) == 1
    assert [m.to for m in mailoutbox] == [["bob@a.test"]]
    assert AuditEvent.objects.filter(action="password_reset.requested").count() == 2


def test_reset_link_is_single_use_and_ends_the_lockout(
    world, alpha_client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        alpha_client.post("/comptes/connexion/", {"email": "bob@a.test", "password": "x" * 12})
    with django_capture_on_commit_callbacks(execute=True):
        alpha_client.post("/comptes/mot-de-passe-oublie/", {"email": "bob@a.test"})
    path = link_path(mailoutbox[0], "/comptes/mot-de-passe-oublie/")
    with django_capture_on_commit_callbacks(execute=True):
        assert _choose(alpha_client, path).status_code == 302
    assert mailoutbox[-1].subject == "Votre mot de passe a été modifié"
    assert INVALID in alpha_client.get(path).content.decode()
    assert alpha_client.post("/comptes/connexion/", {"email": "bob@a.test", "password": GOOD}).status_code == 302
    assert AuditEvent.objects.filter(action="password_reset.completed", actor=world.bob).exists()


def test_reset_link_expires(world, alpha_client, mailoutbox, django_capture_on_commit_callbacks, settings):
    now = timezone.now()
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        alpha_client.post("/comptes/mot-de-passe-oublie/", {"email": "bob@a.test"})
    path = link_path(mailoutbox[0], "/comptes/mot-de-passe-oublie/")
    with time_machine.travel(now + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60), tick=False):
        assert INVALID in alpha_client.get(path).content.decode()
