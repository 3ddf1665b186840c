"""Matrix entries of the billing files (summary, files page and subscription) and of the routing
(budget lines, sites and perimeters per year: pages and API)."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped
from tests.isolation.routes_api import api_list

_MEMBERS = {"member_a": "member_a", "member_b": "member_b", "beta": "member_beta"}
_SITES = {"member_a": "site_a", "member_b": "site_b", "beta": "site_beta"}
_codes = itertools.count(1)
YEAR = 2026


def _member(world: Any, target: str) -> Any:
    return getattr(world, _MEMBERS[target])


def _line(world: Any, target: str) -> Any:
    from billing_groups.models import BudgetLine

    line, _ = BudgetLine.objects.get_or_create(
        member=_member(world, target), year=YEAR, code=f"MATRICE-{target}", defaults={"label": f"Ligne {target}"}
    )
    return line


def _perimeter(world: Any, target: str) -> Any:
    from billing_groups.models import BillingPerimeter

    perimeter, _ = BillingPerimeter.objects.get_or_create(
        member=_member(world, target), name=f"Périmètre routage {target}", defaults={"segment": "C5"}
    )
    return perimeter


def _routing(world: Any, target: str) -> Any:
    from billing_groups.models import PerimeterRouting

    routing, _ = PerimeterRouting.objects.get_or_create(
        perimeter=_perimeter(world, target), year=YEAR, defaults={"service_code": "SERVICE-MATRICE"}
    )
    return routing


def _line_pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _line(world, target).pk}


def _routing_pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _routing(world, target).pk}


def _new_line(world: Any, target: str) -> dict[str, Any]:
    return {"year": YEAR, "code": f"NOUVELLE-{next(_codes)}", "label": "Fournitures"}


def _perimeter_routing(world: Any, target: str) -> dict[str, Any]:
    return {
        "perimeter": _perimeter(world, target).pk,
        "year": YEAR,
        "budget_line": _line(world, target).pk,
        "service_code": "SERVICE-1",
        "commitment_number": "EJ-42",
    }


def _sites_bulk(world: Any, target: str) -> dict[str, Any]:
    return {"year": YEAR, "sites": [getattr(world, _SITES[target]).pk], "budget_line": _line(world, target).pk}


def _leak(world: Any, target: str) -> list[str]:
    return [_line(world, target).code]


def billing_page(*, write: bool = False, coordinator_writes: bool = False, api: bool = False) -> Any:
    """A Facturation page without an object: member users with the right (bob has it) and the coordinator."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return {401, 403} if api else 302
        if persona == "carol" and write and not coordinator_writes:
            return 403
        if write:
            return {200, 201, 302}
        return 200

    return expect


READ = member_scoped(Module.BILLING)
API_READ = member_scoped(Module.BILLING, api=True)
API_WRITE = member_scoped(Module.BILLING, write=True, api=True)

ROUTES = [
    Route("invoicing:billing_summary", billing_page()),
    Route("billing_files:home", billing_page()),
    # Subscribing is the user's own preference: the coordinator subscribes for the whole syndicate.
    Route(
        "billing_files:home",
        billing_page(write=True, coordinator_writes=True),
        method="post",
        data=lambda w, t: {"subscribed": "on"},
    ),
    Route("billing_routing:home", billing_page(), leak=_leak),
    Route(
        "billing_routing:home",
        billing_page(write=True),
        method="post",
        data=lambda w, t: {"action": "line_create", "year": YEAR, "code": f"PAGE-{next(_codes)}"},
    ),
    Route("billing_routing:export", billing_page(), leak=_leak),
    # Without a file the page says so (302 back to the page); the coordinator never writes.
    Route("billing_routing:import", billing_page(write=True), method="post", data=lambda w, t: {"year": YEAR}),
    Route("api:budget-line-list", api_list(Module.BILLING), api=True, leak=_leak),
    Route("api:budget-line-list", billing_page(write=True, api=True), api=True, method="post", data=_new_line),
    Route("api:budget-line-detail", API_READ, api=True, kwargs=_line_pk, leak=_leak),
    Route(
        "api:budget-line-detail",
        API_WRITE,
        api=True,
        kwargs=_line_pk,
        method="patch",
        data=lambda w, t: {"label": "Libellé modifié"},
    ),
    Route(
        "api:budget-line-detail",
        API_WRITE,
        api=True,
        kwargs=_line_pk,
        method="put",
        data=lambda w, t: {"year": YEAR, "code": f"MATRICE-{t}", "label": "Réécrite"},
    ),
    Route("api:budget-line-detail", API_WRITE, api=True, kwargs=_line_pk, method="delete"),
    Route("api:routing-perimeter-list", api_list(Module.BILLING), api=True),
    Route("api:routing-perimeter-list", API_WRITE, api=True, method="post", data=_perimeter_routing),
    Route("api:routing-perimeter-detail", API_READ, api=True, kwargs=_routing_pk),
    Route("api:routing-perimeter-detail", API_WRITE, api=True, kwargs=_routing_pk, method="delete"),
    Route("api:routing-site-list", api_list(Module.BILLING), api=True),
    Route("api:routing-site-bulk", API_WRITE, api=True, method="post", data=_sites_bulk),
]
