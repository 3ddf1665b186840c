"""Forms of the back-office pages (fields only: the services check and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from tenants.models import Syndicate

STAFF_ROLE_CHOICES = [
    (Role.ACCOUNT_MANAGER.value, Role.ACCOUNT_MANAGER.label),
    (Role.SUPERVISOR.value, Role.SUPERVISOR.label),
]


class StaffForm(forms.Form):
    """Role and portfolio of a staff user (a supervisor's page)."""

    role = forms.ChoiceField(label=_("Rôle"), choices=STAFF_ROLE_CHOICES)
    syndicates = forms.ModelMultipleChoiceField(
        label=_("Portefeuille (syndicats suivis)"),
        queryset=Syndicate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, syndicates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["syndicates"].queryset = syndicates  # type: ignore[attr-defined]


class StaffInviteForm(StaffForm):
    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)

    field_order = ["email", "first_name", "last_name", "phone", "role", "syndicates"]
