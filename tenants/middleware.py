"""A syndicate switched off (``Syndicate.is_active`` false) answers nothing but a closed notice.

Placed right after the tenant is chosen (and after WhiteNoise, so the notice keeps its
style sheet): pages, logins and the API of that address all stop before any view runs.
The answer is 503 (Service Unavailable): the space is closed for a while, not gone, and
nothing tells a visitor whether any account or object exists there. The back-office, on
the public address, is not affected and still lists the syndicate.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

CLOSED_STATUS = 503


class InactiveSyndicateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME or tenant.is_active:
            return self.get_response(request)
        message = _("Cet espace est momentanément fermé.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=CLOSED_STATUS)
        else:
            html = render_to_string("tenants/closed.html", {"syndicate": tenant, "message": message}, request=request)
            response = HttpResponse(html, status=CLOSED_STATUS)
        response["Cache-Control"] = "no-store"
        return response
