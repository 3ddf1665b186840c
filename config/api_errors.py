"""One translation of the services' refusals into API answers, for every endpoint.

Services raise Django's ``ValidationError`` (their messages are in French, per field when
they know the field); the API answers 400 with the same messages, keyed by field, or under
``non_field_errors`` when the refusal is about the whole request. Views then just call
the service: no endpoint converts errors by hand.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from config.throttling import throttled_message


def as_api_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.Throttled) and response is not None:
        # DRF set Retry-After; the sentence is the pages' (config/throttling.py).
        response.data = {"detail": throttled_message(getattr(exc, "wait", None) or 1)}
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: an unknown API URL (or a malformed id in it) answers JSON, like DRF's 404."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
