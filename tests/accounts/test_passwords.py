"""Password rules (CNIL, QUALITY.md item 7) as the "choose a password" form applies them."""

from __future__ import annotations

import pytest

from accounts.forms import SetPasswordForm
from accounts.models import User


def _errors(password: str, user: User) -> list[str]:
    form = SetPasswordForm(user, {"password1": password, "password2": password})
    form.is_valid()
    return [str(e.code) for e in form.errors.as_data().get("password1", [])]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Court-1!", "password_too_short"),
        ("q1w2e3r4t5y6", "password_too_common"),
        ("Syndicat-2024!!", "password_context"),
        ("Alice!!2024-12", "password_context_or_similar"),  # the user's own name
        ("A" * 60 + "b" * 60 + "-12345678", "password_too_long"),
    ],
)
def test_bad_passwords_are_refused(world, password, code):
    codes = _errors(password, world.alice)
    if code == "password_context_or_similar":
        assert {"password_context", "password_too_similar"} & set(codes)
    else:
        assert code in codes


def test_a_good_password_is_accepted_even_long(world):
    assert _errors("Vert-Pomme-Lune-42", world.alice) == []
    assert _errors("x7-" * 42 + "ab", world.alice) == []  # 128 characters allowed


def test_the_form_loads_the_live_check_script_from_a_file(world, alpha_client):
    from accounts.tokens import activation_token_generator, encode_uid

    user = User.objects.create_user(email="pw@a.test", role="member_user", member=world.member_a)
    response = alpha_client.get(
        f"/comptes/activation/{encode_uid(user)}/{activation_token_generator.make_token(user)}/"
    )
    body = response.content.decode()
    assert '<script src="/static/accounts/password.js" defer></script>' in body
    assert 'id="password-rules"' in body
    assert "<script>" not in body  # CSP: no inline script
