"""The billing perimeter form: field widgets and labels only; rules live in services."""

from __future__ import annotations

from django import forms

from billing_groups.models import BillingPerimeter
from billing_groups.services import PERIMETER_FIELDS


class BillingPerimeterForm(forms.ModelForm):
    class Meta:
        model = BillingPerimeter
        fields = list(PERIMETER_FIELDS)
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": "Périmètre de facture N° 02 - Assainissement"}),
            "chorus_siret": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def validate_unique(self) -> None:
        """Uniqueness and the delivery constraints are checked by the service, with French messages."""
