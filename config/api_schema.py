"""The OpenAPI contract of every endpoint: the error answers each operation can give, JSON bodies.

drf-spectacular documents what a view says it returns; the answers DRF and the platform
give on their own (a refused permission, an unknown id, an invalid body, a throttled
client) would otherwise be undocumented on most operations, and a client generated from
the schema would not expect them. ``ContractAutoSchema`` adds them in one place, from
what the view is made of, with the body ``config.api_errors`` produces:

- 400 on writes and on operations with query parameters (``{"field": ["message"]}``,
  ``non_field_errors`` for the whole request or a service's refusal, ``detail`` for a
  body that is not JSON);
- 401 when the first authentication class asks for credentials (DRF answers 403 otherwise);
- 403 unless the view lets everyone in;
- 404 everywhere but on the caller's own resources (``ABOUT_THE_CALLER``): an unknown,
  malformed or foreign id, a page past the end, a member with no journey;
- 415 on operations that take a body (a media type other than the documented ones);
- 429 on views with a throttle.

Request bodies are documented as JSON only: it is the API's format (the form encodings
DRF also parses serve its browsable pages). Checked by Schemathesis in tests/api/test_contract.py.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import permissions

# Views about the caller themselves: no input to refuse, no id or member record to miss.
ABOUT_THE_CALLER = frozenset({"MeViewSet", "ApiTokenView"})

DETAIL_ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR: dict[str, Any] = {
    "type": "object",
    "description": "Messages in French, per field (a list of strings, or nested for a nested field), "
    "under `non_field_errors` for the whole request, or `detail` for an unreadable body.",
    "additionalProperties": {},
}
ERROR_COMPONENTS = {"ApiError": DETAIL_ERROR, "ApiValidationError": VALIDATION_ERROR}

DESCRIPTIONS = {
    "400": "Requête invalide (messages par champ).",
    "401": "Authentification requise.",
    "403": "Accès refusé.",
    "404": "Inexistant, ou hors de votre périmètre.",
    "415": "Type de contenu non pris en charge (JSON attendu).",
    "429": "Trop de requêtes : réessayer après le délai indiqué par Retry-After.",
}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON = "application/json"


def _error_content(code: str) -> dict[str, Any]:
    name = "ApiValidationError" if code == "400" else "ApiError"
    return {JSON: {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _may_be_blank(field: Any) -> bool:
    if getattr(field, "allow_blank", False):
        return True
    # DRF drops ``allow_blank`` from read-only fields: ask the model field they show.
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    try:
        return bool(model and model._meta.get_field(field.source).blank)
    except (FieldDoesNotExist, TypeError):
        return False


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers every operation can give (see module docstring)."""

    def map_parsers(self) -> list[Any]:
        media_types = super().map_parsers()
        return [JSON] if JSON in media_types else media_types

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        for parameter in parameters:
            schema = parameter.get("schema")
            if parameter["in"] != "query" or schema is None:
                continue
            # An optional query parameter left empty (``?step=``) is absent, as in an HTML form
            # (DRF and django-filter read it so): the empty string is a documented value.
            if not parameter.get("required") and schema.get("type") != "array":
                parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
        return parameters

    def _get_request_body(self, direction: Any = "request") -> dict[str, Any] | None:
        body: dict[str, Any] | None = super()._get_request_body(direction)
        if body is not None and isinstance(self.get_request_serializer(), PolymorphicProxySerializer):
            body["required"] = True  # one of several bodies, each with its required fields
        return body

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if getattr(serializer, "closed", False):  # the server refuses unknown names (report parameters)
            schema["additionalProperties"] = False
        for field in schema.get("properties", {}).values():
            # drf-spectacular adds "or blank" as a oneOf; a pattern that admits "" already
            # (perimeter.api.fields) would make "" match both branches, which oneOf forbids.
            if "oneOf" in field and {"type": "string", "maxLength": 0} in field["oneOf"]:
                field["anyOf"] = field.pop("oneOf")
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        # An optional e-mail (or URL…) is "" when absent: the format holds for the other values only.
        if "format" in schema and _may_be_blank(field):
            schema["anyOf"] = [{"format": schema.pop("format")}, {"maxLength": 0}]

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            response = responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            if not response.get("content"):
                response["content"] = _error_content(code)
        return responses

    def _error_codes(self) -> list[str]:
        codes = []
        about_the_caller = type(self.view).__name__ in ABOUT_THE_CALLER
        has_body = self.method in BODY_METHODS and self.get_request_serializer() is not None
        if not about_the_caller and (self.method != "GET" or self._has_query_parameters()):
            codes.append("400")
        authenticators = self.view.get_authenticators()
        if authenticators and authenticators[0].authenticate_header(self.view.request) is not None:
            codes.append("401")
        if not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            codes.append("403")
        if not about_the_caller:
            codes.append("404")
        if has_body:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _has_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())


def add_error_components(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the error bodies the operations refer to."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    return result
