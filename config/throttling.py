"""Rate limits of what can be abused: one policy for the pages and the API.

- Pages that send mail or test identifiers without a session (login and its second
  factor, "Mot de passe oublié", "Demande d'inscription") and the administrator's
  activation re-send are limited with django-ratelimit (``rate_limited``): per client
  address, and per e-mail address where the page takes one, so 25 requests for one
  address send at most a handful of mails.
- The API is limited by DRF throttles (``DEFAULT_THROTTLE_CLASSES``): per user (or
  token) and per client address.

Counters live in the ``throttle`` cache (Redis in production, shared by every web
process); the rates are settings read from the environment (``RATE_LIMITS``). The client
address is the one the lockout and the audit trail use (``client_ip``: X-Forwarded-For
believed only as far as TRUSTED_PROXY_COUNT). Over the limit, a page answers 429 with a
French page and ``Retry-After``; the API answers 429 with ``Retry-After`` and the same
French sentence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from rest_framework.throttling import SimpleRateThrottle

from config.client_address import client_ip

if TYPE_CHECKING:  # rest_framework.views reads DEFAULT_THROTTLE_CLASSES, which names this module
    from rest_framework.request import Request
    from rest_framework.views import APIView

THROTTLE_CACHE = "throttle"


def throttled_message(wait_seconds: float) -> str:
    """« Trop de demandes. Réessayez dans N minutes. » (seconds under a minute)."""
    wait = max(1, math.ceil(wait_seconds))
    if wait < 60:
        delay = ngettext("%(n)d seconde", "%(n)d secondes", wait) % {"n": wait}
    else:
        minutes = math.ceil(wait / 60)
        delay = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return _("Trop de demandes. Réessayez dans %(delay)s.") % {"delay": delay}


# --- Pages ------------------------------------------------------------------------------------


def _by_address(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _by_posted_email(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


KEYS: dict[str, Callable[[str, HttpRequest], str]] = {"address": _by_address, "email": _by_posted_email}


def _over_limit(request: HttpRequest, name: str, key: str) -> float | None:
    """Count this request against ``RATE_LIMITS[name]``; the seconds to wait when over it."""
    rate = settings.RATE_LIMITS.get(name)
    if not rate:
        return None
    if key == "email" and not _by_posted_email(name, request):
        return None
    usage = get_usage(request, group=f"{name}:{key}", key=KEYS[key], rate=rate, method=["POST"], increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return float(usage["time_left"])


def throttled_page(request: HttpRequest, wait_seconds: float) -> HttpResponse:
    wait = max(1, math.ceil(wait_seconds))
    response = render(request, "ui/throttled.html", {"message": throttled_message(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limited(*limits: tuple[str, str]) -> Callable[[Any], Any]:
    """Limit a page's POSTs: each limit is (name in ``RATE_LIMITS``, key: "address" or "email").

    Every limit counts the request, so the per-address and per-e-mail counters both move.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            waits = [wait for name, key in limits if (wait := _over_limit(request, name, key)) is not None]
            if waits:
                return throttled_page(request, max(waits))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --- API --------------------------------------------------------------------------------------


class _ApiThrottle(SimpleRateThrottle):
    cache = caches[THROTTLE_CACHE]

    def get_rate(self) -> str | None:
        return settings.RATE_LIMITS.get(self.scope or "")


class ApiUserThrottle(_ApiThrottle):
    """Per user (session or token): an authenticated client cannot flood the API."""

    scope = "api_user"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ApiClientThrottle(_ApiThrottle):
    """Per client address, authenticated or not (the token endpoint tests passwords)."""

    scope = "api_client"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request) or "unknown"}
