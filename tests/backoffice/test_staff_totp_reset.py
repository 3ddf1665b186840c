"""A supplier staff member who lost their second factor: another account manager resets it in the back-office.

Mallory (account manager) resets Nina's second factor; Nina then pairs a new app at her
next login. Nobody resets their own, and only account managers are reset or reset.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, User
from accounts.services import staff_totp_reset, user_totp_setup
from accounts.views import PENDING_SECOND_FACTOR
from tenants.db import connection
from tests.conftest import PASSWORD, PUBLIC_HOST, TenantClient
from tests.factories import UserFactory

LIST = "/backoffice/equipe/"
LOGIN = "/comptes/connexion/"
ENROL = "/comptes/connexion/second-facteur/"


def _reset_url(user: User) -> str:
    return f"/backoffice/equipe/{user.pk}/double-authentification/"


@pytest.fixture
def team(world: Any) -> Iterator[dict[str, Any]]:
    """Mallory and Nina, both enrolled; a public account that is not staff (a coordinator)."""
    connection.set_schema_to_public()
    user_totp_setup(user=world.mallory)
    nina = UserFactory(email="nina@fournisseur.test", first_name="Nina", role="account_manager", member=None)
    old_secret = user_totp_setup(user=nina)
    outsider = UserFactory(email="oscar@fournisseur.test", role="coordinator", member=None)
    yield {"mallory": world.mallory, "nina": nina, "outsider": outsider, "old_secret": old_secret}
    connection.set_tenant(world.alpha)


def _client(user: User) -> TenantClient:
    client = TenantClient(PUBLIC_HOST)
    client.force_login(user)
    return client


def test_a_colleague_resets_the_second_factor_and_the_user_pairs_again_at_next_login(
    team: dict[str, Any], mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mallory, nina = team["mallory"], team["nina"]
    ninas_open_session = _client(nina)
    assert ninas_open_session.get("/backoffice/").status_code == 200
    staff = _client(mallory)

    listing = staff.get(LIST).content.decode()
    assert "nina@fournisseur.test" in listing
    assert "Réinitialiser la double authentification" in listing
    confirm = staff.get(_reset_url(nina))
    assert '<button type="submit">Réinitialiser la double authentification</button>' in confirm.content.decode()
    nina.refresh_from_db()
    assert nina.has_second_factor  # the confirmation page changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(_reset_url(nina))
    assert done.status_code == 302
    assert done["Location"] == LIST
    assert "est réinitialisée" in staff.get(LIST).content.decode()

    nina.refresh_from_db()
    assert not nina.has_second_factor
    assert nina.totp_secret == ""
    event = AuditEvent.objects.get(action="user.totp_reset")
    assert (event.actor_id, event.target_id) == (mallory.pk, str(nina.pk))
    assert event.details["had_second_factor"] is True
    assert event.details["sessions_ended"] == 1
    assert [m.to for m in mailoutbox] == [["nina@fournisseur.test"]]
    assert "QR code" in mailoutbox[0].body
    # Her open session ended with the reset.
    assert ninas_open_session.get("/backoffice/").status_code == 302

    # At her next login the password step leads to the pairing (QR code), and a first code enrols her.
    login = TenantClient(PUBLIC_HOST)
    answer = login.post(LOGIN, {"email": nina.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert answer["Location"] == ENROL
    assert "<svg" in login.get(ENROL).content.decode()
    secret = login.session[PENDING_SECOND_FACTOR]["totp_secret"]
    assert secret != team["old_secret"]
    with django_capture_on_commit_callbacks(execute=True):
        paired = login.post(ENROL, {"code": pyotp.TOTP(secret).now()}, REMOTE_ADDR="10.0.0.2")
    assert paired.status_code == 302
    assert login.get("/backoffice/").status_code == 200
    nina.refresh_from_db()
    assert nina.has_second_factor
    assert nina.totp_secret == secret


def test_nobody_resets_their_own_second_factor(team: dict[str, Any]) -> None:
    mallory = team["mallory"]
    staff = _client(mallory)
    listing = staff.get(LIST).content.decode()
    assert _reset_url(mallory) not in listing  # no button on one's own row
    refused = staff.post(_reset_url(mallory))
    assert refused.status_code == 400
    assert "propre double authentification" in refused.content.decode()
    mallory.refresh_from_db()
    assert mallory.has_second_factor
    assert not AuditEvent.objects.filter(action="user.totp_reset").exists()


def test_only_account_managers_reset_and_are_reset(team: dict[str, Any]) -> None:
    nina, outsider = team["nina"], team["outsider"]
    # A logged-in account that is not staff cannot open the back-office's team page nor reset anybody.
    assert _client(outsider).get(LIST).status_code == 403
    assert _client(outsider).post(_reset_url(nina)).status_code == 403
    # An account that is not staff has no second factor to reset here: unknown id.
    assert _client(team["mallory"]).post(_reset_url(outsider)).status_code == 404
    with pytest.raises(ValidationError):
        staff_totp_reset(actor=team["mallory"], user=outsider)
    with pytest.raises(PermissionDenied):
        staff_totp_reset(actor=outsider, user=nina)
    nina.refresh_from_db()
    assert nina.has_second_factor


def test_a_reset_needs_the_actors_own_second_factor(team: dict[str, Any]) -> None:
    # A back-office session is opened with the code; an account without one (never paired) resets nobody.
    newcomer = UserFactory(email="neo@fournisseur.test", role="account_manager", member=None)
    assert _client(newcomer).post(_reset_url(team["nina"])).status_code == 403
    team["nina"].refresh_from_db()
    assert team["nina"].has_second_factor
