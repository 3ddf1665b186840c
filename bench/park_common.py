"""Shared by the park benchmarks (demo seed, pre-filled import): sites written in bulk against the obvious ways.

``site_writes(template, count=…)`` writes the same ``count`` new sites, copied from an
existing site, three ways alternated, each in a transaction rolled back: the bulk
service (``sites_bulk_create``: checks, then one INSERT per batch), one plain
``Site.save()`` per site (an ORM loop, one INSERT each) and, when asked, one
``site_create`` per site (the service called row by row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import Laps, alternate


def site_writes(template: Any, *, count: int, service_loop: bool = False, repeats: int = 3) -> Laps:
    """Cases ``bulk``, ``save`` (and ``service``), alternated; the seconds of each run, nothing kept."""
    from django.db import transaction

    from perimeter.models import Site
    from perimeter.services import SiteData, site_create, sites_bulk_create

    fields = {name: getattr(template, name) for name in SiteData.__dataclass_fields__}

    def rows() -> list[dict[str, Any]]:
        return [{**fields, "delivery_point": f"9{n:013d}", "site_name": f"Banc {n}"} for n in range(count)]

    def rolled_back(write: Callable[[list[dict[str, Any]]], None]) -> Callable[[], None]:
        def call() -> None:
            values = rows()
            with transaction.atomic():
                write(values)
                transaction.set_rollback(True)

        return call

    def bulk(values: list[dict[str, Any]]) -> None:
        sites_bulk_create(rows=[SiteData(**v) for v in values])

    def save(values: list[dict[str, Any]]) -> None:
        for v in values:
            Site(**v).save()

    def service(values: list[dict[str, Any]]) -> None:
        for v in values:
            site_create(**v)

    cases = {"bulk": rolled_back(bulk), "save": rolled_back(save)}
    if service_loop:
        cases["service"] = rolled_back(service)
    return alternate(cases, repeats=repeats)
