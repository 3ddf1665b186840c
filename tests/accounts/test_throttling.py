"""Rate limits: what sends mail or tests identifiers cannot be repeated at will (config/throttling.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ALPHA_HOST, TenantClient, logged_in

RESET = "/comptes/mot-de-passe-oublie/"
LOGIN = "/comptes/connexion/"
SIGN_UP = "/comptes/demande-inscription/"
THROTTLED = "Trop de demandes. Réessayez dans"


@pytest.fixture
def rates(settings: Any) -> Any:
    """Set some rates for one test (the others keep their settings)."""

    def set_rates(**rates: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_rates


def _assert_throttled_page(response: Any) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert THROTTLED in response.content.decode()


def test_25_resets_for_one_address_send_at_most_the_allowed_mails(
    world: Any, settings: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    allowed = int(settings.RATE_LIMITS["password_reset_email"].split("/")[0])
    client = TenantClient(ALPHA_HOST)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(RESET, {"email": "bob@a.test"}) for _ in range(25)]
    assert len(mailoutbox) == allowed
    assert [r.status_code for r in answers] == [200] * allowed + [429] * (25 - allowed)
    _assert_throttled_page(answers[-1])
    assert "minute" in answers[-1].content.decode()  # an hour's window: said in minutes
    # The limit is per address typed: another account's reset still goes (from a fresh address).
    with django_capture_on_commit_callbacks(execute=True):
        other = TenantClient(ALPHA_HOST).post(RESET, {"email": "alice@a.test"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200
    assert mailoutbox[-1].to == ["alice@a.test"]


def test_resets_from_one_client_are_limited_whatever_the_address(world: Any, rates: Any) -> None:
    rates(password_reset="3/h", password_reset_email="100/h")
    client = TenantClient(ALPHA_HOST)
    answers = [client.post(RESET, {"email": f"user{n}@a.test"}, REMOTE_ADDR="10.0.0.7") for n in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    _assert_throttled_page(answers[-1])
    assert client.post(RESET, {"email": "x@a.test"}, REMOTE_ADDR="10.0.0.8").status_code == 200


def test_login_attempts_are_limited_per_client_address(world: Any, rates: Any) -> None:
    rates(login="3/m")
    client = TenantClient(ALPHA_HOST)
    wrong = {"email": "nobody@a.test", "password": "Wrong-password-123"}
    answers = [client.post(LOGIN, wrong, REMOTE_ADDR="10.0.0.1") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    _assert_throttled_page(answers[-1])
    assert "seconde" in answers[-1].content.decode()  # a minute's window: said in seconds
    # Reading the page is not counted, and another client still logs in.
    assert client.get(LOGIN, REMOTE_ADDR="10.0.0.1").status_code == 200
    good = {"email": "bob@a.test", "password": "Correct-Horse-Battery-9"}
    assert TenantClient(ALPHA_HOST).post(LOGIN, good, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_limit(world: Any, rates: Any, settings: Any) -> None:
    rates(login="2/m")
    settings.TRUSTED_PROXY_COUNT = 1
    client = TenantClient(ALPHA_HOST)
    wrong = {"email": "nobody@a.test", "password": "Wrong-password-123"}
    codes = [
        client.post(LOGIN, wrong, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7")
        for n in range(3)
    ]
    assert [r.status_code for r in codes] == [200, 200, 429]


def test_access_requests_for_one_address_are_limited(world: Any, rates: Any) -> None:
    rates(access_request_email="2/h")
    client = TenantClient(ALPHA_HOST)
    data = {"first_name": "Eve", "last_name": "Spam", "email": "eve@spam.test", "customer_number": "X"}
    answers = [client.post(SIGN_UP, data, REMOTE_ADDR=f"10.1.0.{n}") for n in range(3)]
    assert answers[-1].status_code == 429
    assert all(r.status_code != 429 for r in answers[:2])
    _assert_throttled_page(answers[-1])


def test_api_is_limited_per_user(world: Any, rates: Any) -> None:
    rates(api_user="3/m")
    alice = logged_in(world.alice)
    answers = [alice.get("/api/v1/me/") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["detail"].startswith(THROTTLED)
    assert logged_in(world.bob).get("/api/v1/me/").status_code == 200  # another user is not held back


def test_api_is_limited_per_client_address(world: Any, rates: Any) -> None:
    rates(api_client="3/m")
    alice, bob = logged_in(world.alice), logged_in(world.bob)
    codes = [client.get("/api/v1/me/", REMOTE_ADDR="10.2.0.1").status_code for client in (alice, bob, alice, bob)]
    assert codes == [200, 200, 200, 429]
    assert alice.get("/api/v1/me/", REMOTE_ADDR="10.2.0.2").status_code == 200
