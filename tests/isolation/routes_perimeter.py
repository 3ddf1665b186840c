"""Matrix entries of the Park pages (perimeter app)."""

from __future__ import annotations

from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped


def _pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": {"member_a": world.site_a, "member_b": world.site_b, "beta": world.site_beta}[target].pk}


def _labels(world: Any, target: str) -> dict[str, Any]:
    return {"site_name": f"Site matrice {target}", "internal_reference": "", "other_reference": ""}


def park_page(persona: str, target: str) -> int | set[int]:
    """The park list (no object): every member user with Parc sees their own sites; coordinators all."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302
    return 403 if persona == "bob" else 200


ROUTES = [
    Route("perimeter:park", park_page),
    Route("perimeter:site_detail", member_scoped(Module.PARK), kwargs=_pk),
    Route("perimeter:site_labels", member_scoped(Module.PARK, write=True), kwargs=_pk),
    Route("perimeter:site_labels", member_scoped(Module.PARK, write=True), kwargs=_pk, method="post", data=_labels),
]
