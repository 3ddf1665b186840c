"""The billing perimeter form: widgets and labels from the model; the service checks the rules.

A plain Form (not a ModelForm): a ModelForm would validate the model's database
constraints itself, with their technical names as messages, before the service can
answer in the member's words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from billing_groups.models import BillingPerimeter
from billing_groups.services import PERIMETER_FIELDS


class BillingPerimeterForm(forms.Form):
    def __init__(self, *args: Any, instance: BillingPerimeter | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=PERIMETER_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(BillingPerimeter, fields=PERIMETER_FIELDS))
        self.fields["name"].widget.attrs["placeholder"] = "Périmètre de facture N° 02 - Assainissement"
        self.fields["chorus_siret"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
