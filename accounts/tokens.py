"""Single-use, time-limited links: activation (24 h) and password reset.

Both hash state that the link's use changes, so a used link stops working: the
password hash (set at activation or reset), the last login, the activation time.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Like the reset generator, with its own salt and its own validity (ACCOUNT_ACTIVATION_HOURS)."""

    key_salt = "accounts.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        activated_at = getattr(user, "activated_at", None)
        activated = "" if activated_at is None else activated_at.replace(microsecond=0, tzinfo=None).isoformat()
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None).isoformat()
        return f"{user.pk}{user.password}{login}{activated}{timestamp}{getattr(user, 'email', '')}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        # Same checks as the parent, but against the activation timeout instead of
        # PASSWORD_RESET_TIMEOUT (which the parent reads directly from settings).
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token) for secret in secrets
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.ACCOUNT_ACTIVATION_HOURS * 3600


activation_token_generator = ActivationTokenGenerator()
reset_token_generator = default_token_generator


def encode_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk).first()
