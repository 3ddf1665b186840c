"""Serializer fields of the API that keep the documented types: a string is a string.

DRF's ``CharField`` turns ``12`` into ``"12"``: a client sending a number where the schema
says string (a ChorusPro code, a name) would be accepted, so the schema would not be the
contract. Write serializers use these instead (``StrictModelSerializer`` maps the models'
text fields onto ``StrictCharField``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A ``CharField`` that refuses numbers (and every other non-string) instead of converting them."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictMultipleChoiceField(serializers.MultipleChoiceField):
    """A list of choices: an object (iterable over its keys) is refused, as the schema says."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)  # type: ignore[arg-type]  # DRF takes any iterable


class StrictModelSerializer(serializers.ModelSerializer[Any]):
    """A ``ModelSerializer`` whose text fields take strings only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
