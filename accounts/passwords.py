"""Password rules (CNIL recommendation for password + lockout): length, not common, not contextual."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words that anyone would try first against this platform.
CONTEXT_WORDS = ("energie", "énergie", "syndicat", "sdec", "mairie", "commune", "password", "motdepasse", "azerty")


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("Le mot de passe ne peut pas dépasser %(max)d caractères.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Au plus %(max)d caractères.") % {"max": self.max_length}


class ContextWordsValidator:
    """Refuses a password that is essentially a word tied to the platform or to the user."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        words = list(CONTEXT_WORDS)
        if user is not None:
            email = getattr(user, "email", "") or ""
            words += [part for part in email.split("@")[0].replace(".", " ").split() if len(part) >= 4]
        stripped = "".join(ch for ch in lowered if ch.isalpha())
        for word in words:
            if stripped and stripped == word.replace("é", "e"):
                raise ValidationError(
                    _("Le mot de passe ne doit pas être un mot lié à la plateforme ou à votre compte."),
                    code="password_context",
                )

    def get_help_text(self) -> str:
        return _("Pas un mot lié à la plateforme ou à votre compte.")
