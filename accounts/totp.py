"""TOTP second factor of supplier staff: secrets, codes, and the enrolment QR code.

The QR code is drawn here as inline SVG (segno): the secret never leaves our page for an
image service.
"""

from __future__ import annotations

from datetime import timedelta

import pyotp
import segno
from django.utils import timezone
from django.utils.crypto import constant_time_compare

ISSUER = "Espace client Énergie"  # the name authenticator apps show next to the code


def secret_new() -> str:
    return pyotp.random_base32()


def secret_display(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(*, secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, *, title: str) -> str:
    """An ``<svg>`` element (no XML declaration) to put inline in a page."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=4, light="#fff", dark="#000", title=title))


def matching_step(*, secret: str, code: str) -> int | None:
    """The time step whose code this is (now, or one step either side for clock drift)."""
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    for offset in (0, -1, 1):
        at = now + timedelta(seconds=offset * totp.interval)
        if constant_time_compare(totp.at(at), code):
            return int(totp.timecode(at))
    return None
