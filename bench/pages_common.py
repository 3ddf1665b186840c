"""Shared by the page and API latency benchmarks, which run on the demo database of ``DATABASE_URL``.

- ``demo_syndicate(code)``: seeds the demo syndicate idempotently (``seed_demo --only``:
  a second run writes nothing), returns it with its host name and the seed's seconds;
- ``page_get(client, syndicate, path)``: one GET that must answer 200, as a call to time;
- ``page_latencies(cases, runs)``: each case's median latency (after one warm-up), its
  query count (without ``SET search_path``) and its size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import median_ms, timed


def query_count(call: Callable[[], Any]) -> int:
    """The queries one call sends, without django-tenants' ``SET search_path``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        call()
    return sum(1 for q in context.captured_queries if not q["sql"].startswith("SET search_path"))


def demo_syndicate(code: str, *, consumption: bool = False) -> tuple[Any, str, float]:
    """The demo syndicate (seeded when missing), its host name, the seconds ``seed_demo`` took; its schema is set."""
    from django.conf import settings
    from django.core.management import call_command

    from tenants.db import connection
    from tenants.models import Domain, Syndicate

    settings.ALLOWED_HOSTS = ["*"]
    options = [] if consumption else ["--no-consumption"]
    seconds, _ = timed(lambda: call_command("seed_demo", "--only", code, *options, verbosity=0))
    syndicate = Syndicate.objects.get(code=code)
    host = Domain.objects.filter(tenant=syndicate).order_by("-is_primary").values_list("domain", flat=True)[0]
    connection.set_tenant(syndicate)
    return syndicate, host, seconds


def page_get(
    client: Any, syndicate: Any, path: str, data: dict[str, str] | None = None, **headers: str
) -> Callable[[], Any]:
    """A GET to time: it must answer 200; the syndicate's schema is set again after it (the client resets it)."""
    from tenants.db import connection

    def call() -> Any:
        response = client.get(path, data or {}, headers=headers or None)
        assert response.status_code == 200, (path, response.status_code)
        connection.set_tenant(syndicate)
        return response

    return call


def page_latencies(cases: list[tuple[str, Callable[[], Any]]], runs: int) -> list[tuple[str, float, int, int]]:
    """(label, median ms of ``runs`` after one warm-up, queries, bytes) for each case."""
    results = []
    for label, call in cases:
        median, response = median_ms(call, runs)
        results.append((label, median, query_count(call), len(response.content)))
    return results
