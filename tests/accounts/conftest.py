"""Helpers of the accounts tests."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest

from tenants.db import connection

LINK_RE = re.compile(r"https?://\S+")


def link_path(message: Any, fragment: str) -> str:
    """The path of the first link of a mail that contains ``fragment``."""
    for link in LINK_RE.findall(message.body):
        if fragment in link:
            return urlparse(link).path
    raise AssertionError(f"no link with {fragment!r} in:\n{message.body}")


def without_csrf(content: bytes) -> str:
    """A page with its per-request CSRF token masked, to compare two answers."""
    return re.sub(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", content.decode())


@pytest.fixture
def back_to_alpha(world: Any) -> Any:
    """Requests to the public host leave the connection on the public schema: come back after."""
    yield
    connection.set_tenant(world.alpha)
