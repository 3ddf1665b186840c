"""One way to show a service's refusal on an HTML form, for every page.

Services raise Django's ``ValidationError``, per field when they know the field: each
message goes under its field when the form has it, otherwise above the form (a form
never crashes on a field name it does not show).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def add_service_errors(form: BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)
