"""Matrix entries of the REST API (config/api_urls.py, perimeter/api/, config/api_token.py)."""

from __future__ import annotations

from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Expectation, Route, any_member_user, member_scoped, public_page

API_DENIED = {401, 403}


def _site(world: Any, target: str) -> dict[str, Any]:
    return {"pk": {"member_a": world.site_a, "member_b": world.site_b, "beta": world.site_beta}[target].pk}


def _member(world: Any, target: str) -> dict[str, Any]:
    return {"pk": {"member_a": world.member_a, "member_b": world.member_b, "beta": world.member_beta}[target].pk}


def api_list(module: str | None = None) -> Expectation:
    """A list endpoint: every user of the member space with the module reads their own scope."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return API_DENIED
        if persona == "bob" and module is not None and module not in {"consumption", "billing"}:
            return 403
        return 200

    return expect


ROUTES = [
    Route("api:api-root", any_member_user(api=True), api=True),
    # The schema and the docs page describe the API, not any syndicate's data (the same
    # for every tenant), so they are open like the login page.
    Route("api:schema", public_page()),
    Route("api:docs", public_page()),
    Route("api:token", any_member_user(api=True), method="post", api=True),
    # Revoking one's own token (204 even without one); a token cannot revoke itself (session only).
    Route(
        "api:token",
        lambda p, t: 204 if p in {"alice", "bob", "charlie", "carol"} else API_DENIED,
        method="delete",
        api=True,
    ),
    # Members: no module needed (every user reads their own member); foreign ids 404.
    Route("api:member-list", api_list(), api=True),
    Route("api:member-detail", member_scoped(api=True), kwargs=_member, api=True),
    # Sites: Parc or Collecte (bob, with Consommation + Facturation only, gets 403).
    Route("api:site-list", api_list(Module.PARK), api=True),
    Route("api:site-detail", member_scoped(Module.PARK, api=True), kwargs=_site, api=True),
]
