"""Forms of the accounts pages: input shape only; rules live in accounts.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.choices import Module
from accounts.models import User


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(
        label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SecondFactorForm(forms.Form):
    code = forms.RegexField(
        label=_("Code à 6 chiffres de votre application d'authentification"),
        regex=r"^\s*\d{3}\s*\d{3}\s*$",
        error_messages={"invalid": _("Le code comporte 6 chiffres.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "7"}),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SetPasswordForm(forms.Form):
    """Choose a password (activation or reset), checked against AUTH_PASSWORD_VALIDATORS."""

    password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        help_text=_("Au moins 12 caractères ; évitez un mot courant ou lié à la plateforme."),
        widget=forms.PasswordInput(
            attrs={
                "autocomplete": "new-password",
                "minlength": "12",
                "maxlength": "128",
                "data-password-rules": "",
                "aria-describedby": "password-rules",
            }
        ),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-password-confirm": ""}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1", "")
        password2 = self.cleaned_data.get("password2", "")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("Les deux mots de passe ne sont pas identiques."), code="password_mismatch")
        return password2

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password1")
        if password:
            try:
                password_validation.validate_password(password, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ModulesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Droits par module"))
        kwargs.setdefault("required", False)
        super().__init__(choices=Module.choices, **kwargs)


class UserInviteForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"))
    modules = ModulesField()


class UserRightsForm(forms.Form):
    modules = ModulesField()


class AccessRequestForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"))
    customer_number = forms.CharField(label=_("Numéro client de votre structure"), max_length=20)
    delivery_point = forms.CharField(
        label=_("Numéro de point de livraison (PRM ou PCE) d'un de vos sites"),
        max_length=20,
        help_text=_("14 chiffres, indiqué sur vos factures."),
    )


class AccessRequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("approve", _("Accepter")), ("refuse", _("Refuser"))],
        widget=forms.RadioSelect,
    )
    modules = ModulesField(help_text=_("En cas d'acceptation."))
    reason = forms.CharField(
        label=_("Motif du refus"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
