"""Serializer field constraints taken from the validation module, so the OpenAPI schema and the rules agree.

Serializers only declare what a schema can say exactly (patterns of identifiers, a
required field that cannot be blank); the rules themselves run in the services through
``perimeter.validators``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.validators import RegexValidator

from perimeter.validators import API_PATTERNS


def pattern_validators(name: str, *, blank: bool) -> list[RegexValidator]:
    """The field's exact API pattern (empty string included when the field may be blank)."""
    if name not in API_PATTERNS:
        return []
    pattern, message = API_PATTERNS[name]
    if blank:
        pattern = f"^(?:{pattern.removeprefix('^').removesuffix('$')})?$"
    return [RegexValidator(pattern, message)]


def field_kwargs(names: Iterable[str], *, required: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """``extra_kwargs`` of a ModelSerializer: patterns, no blank for required fields, no model validators.

    The model's validators are dropped: the service checks each value with the page's
    messages (a serializer repeating them would answer in other words).
    """
    required = set(required)
    kwargs: dict[str, dict[str, Any]] = {}
    for name in names:
        entry: dict[str, Any] = {"validators": pattern_validators(name, blank=name not in required)}
        if name in required:
            entry["allow_blank"] = False
        kwargs[name] = entry
    return kwargs
