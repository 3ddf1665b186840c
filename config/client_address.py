"""The client's address behind our reverse proxies: one reading for the lockout, the audit
trail and the rate limits (a plain request helper, so both accounts and config use it)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, as counted by the lockout and written in the audit trail.

    X-Forwarded-For is believed only as far as our own proxies wrote it: each of the
    TRUSTED_PROXY_COUNT proxies appends the address it saw, so the client is the
    TRUSTED_PROXY_COUNT-th entry from the end; anything before was sent by the client
    and could be forged. With no trusted proxy (the default) the header is ignored.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < hops or not entries[-hops]:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-hops]))
    except ValueError:
        return remote
