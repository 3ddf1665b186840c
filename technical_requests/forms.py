"""The request form, built from the type's declaration (no form class per type).

Fields only declare how to enter a value; the service checks it
(``validation.request_data_clean``), and its refusal lands on the field here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from technical_requests.catalogue import Field, RequestType
from technical_requests.choices import FieldKind


def _form_field(field: Field) -> forms.Field:
    common: dict[str, Any] = {"label": field.label, "required": False, "help_text": field.help_text}
    if field.unit and field.kind != FieldKind.CHOICE:
        common["label"] = f"{field.label} ({field.unit})"
    if field.kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *field.choices], **common)
    if field.kind == FieldKind.BOOLEAN:
        return forms.BooleanField(**common)
    if field.kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.kind == FieldKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=False, **common)
    if field.kind == FieldKind.PHONE:
        return forms.CharField(widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}), **common)
    return forms.CharField(**common)


class RequestForm(forms.Form):
    """The fields of one request type (and of the new point when it is not in the park)."""

    def __init__(self, rtype: RequestType, *, new_site: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rtype = rtype
        for field in rtype.fields_for(new_site=new_site):
            self.fields[field.name] = _form_field(field)
            if field.required:
                self.fields[field.name].widget.attrs["aria-required"] = "true"
        self.required_names = {f.name for f in rtype.fields_for(new_site=new_site) if f.required}

    def data_for_service(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Votre message"), widget=forms.Textarea(attrs={"rows": 4}), strip=False)
