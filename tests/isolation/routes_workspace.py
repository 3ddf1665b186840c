"""Matrix entries of the account managers' workspace (back-office, public host): search, the
member 360 page, the work queue. Oscar (whose portfolio holds beta only) gets 404 on alpha's
and never reads alpha's data in a search (``visible_targets``)."""

from __future__ import annotations

from typing import Any

from tests.isolation.matrix import Route, fixed, staff_only


def _member_kwargs(world: Any, target: str) -> dict[str, Any]:
    from tenants.db import connection

    member = world.member_beta if target == "beta" else getattr(world, target)
    return {"code": connection.tenant.code, "member_id": member.pk}


def _item_kwargs(world: Any, target: str) -> dict[str, Any]:
    from tenants.db import connection

    return {"code": connection.tenant.code, "kind": "access_request", "key": "1"}


# Every delivery point of the test world starts with 3000000000: the search finds every site.
_SEARCH = {"q": "3000000000"}

ROUTES = [
    Route("backoffice:search", staff_only(), host="public", data=lambda w, t: _SEARCH),
    Route("backoffice:search_api", staff_only(api=True), host="public", api=True, data=lambda w, t: _SEARCH),
    Route("backoffice:member_360", staff_only(), host="public", kwargs=_member_kwargs),
    Route("backoffice:work_queue", staff_only(), host="public"),
    # Taking an item redirects to the queue (302), like the login redirect for the others.
    Route(
        "backoffice:work_item_action",
        lambda persona, target: 302,
        host="public",
        kwargs=_item_kwargs,
        method="post",
        data=lambda w, t: {"action": "take"},
    ),
]


# --- "Voir l'espace du membre" (accounts/readonly.py) ---------------------------------------


def _readonly_start_kwargs(world: Any, target: str) -> dict[str, Any]:
    return _member_kwargs(world, target)


def _readonly_user(world: Any, target: str) -> dict[str, Any]:
    return {"user": {"member_a": world.alice, "member_b": world.charlie, "beta": world.dave}[target].pk}


ROUTES += [
    # The staff gets the page with the single-use link to the syndicate's address; the others log in first.
    Route(
        "backoffice:readonly_view_start",
        lambda persona, target: 200 if persona == "mallory" else 302,
        host="public",
        kwargs=_readonly_start_kwargs,
        method="post",
        data=_readonly_user,
    ),
    # A forged token opens nothing, for anybody.
    Route("accounts:readonly_enter", fixed(404), kwargs=lambda w, t: {"token": "forged:token"}),
    # Nobody is in a read-only view in the matrix: nothing to end.
    Route("accounts:readonly_end", fixed(404), method="post"),
]
