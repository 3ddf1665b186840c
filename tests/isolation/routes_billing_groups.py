"""Matrix entries of the billing perimeter pages and API (billing_groups app)."""

from __future__ import annotations

from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped

_MEMBERS = {"member_a": "member_a", "member_b": "member_b", "beta": "member_beta"}


def _perimeter(world: Any, target: str) -> Any:
    """A perimeter of the target's member (the builder runs on the target's schema)."""
    from billing_groups.models import BillingPerimeter

    member = getattr(world, _MEMBERS[target])
    perimeter, _ = BillingPerimeter.objects.get_or_create(
        member=member, name=f"Périmètre matrice {target}", defaults={"segment": "C5"}
    )
    return perimeter


def _pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _perimeter(world, target).pk}


def _site_ids(world: Any, target: str) -> dict[str, Any]:
    site = world.site_beta if target == "beta" else getattr(world, f"site_{target[-1]}")
    return {"sites": [site.pk]}


def _attach_form(world: Any, target: str) -> dict[str, Any]:
    return {"action": "attach", "sites": _site_ids(world, target)["sites"]}


def _perimeter_form(world: Any, target: str) -> dict[str, Any]:
    return {
        "name": f"Périmètre matrice {target}",
        "segment": "C5",
        "billing_type": "multi_site",
        "payment_mode": "transfer",
        "billing_rhythm": "monthly",
        "invoice_delivery": "paper",
    }


def _leak(world: Any, target: str) -> list[str]:
    return [_perimeter(world, target).name]


def collection_page(*, write: bool = False, api: bool = False) -> Any:
    """A page without an object (list, create): every member user with Collecte; coordinators read."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return {401, 403} if api else 302
        if persona == "bob" or (persona == "carol" and write):
            return 403
        return {200, 201, 302} if write else 200

    return expect


def _or_refused(expect: Any) -> Any:
    """A bulk write whose posted site breaks a rule: 400 where the write itself is allowed."""

    def wrapped(persona: str, target: str) -> int | set[int]:
        expected = expect(persona, target)
        allowed = expected if isinstance(expected, set) else {expected}
        return allowed | {400} if allowed & {200, 201, 204, 302} else allowed

    return wrapped


READ = member_scoped(Module.COLLECTION)
WRITE = member_scoped(Module.COLLECTION, write=True)
API_READ = member_scoped(Module.COLLECTION, api=True)
API_WRITE = member_scoped(Module.COLLECTION, write=True, api=True)

ROUTES = [
    Route("billing_groups:list", collection_page(), leak=_leak),
    Route("billing_groups:create", collection_page(write=True)),
    Route("billing_groups:create", collection_page(write=True), method="post", data=_perimeter_form),
    Route("billing_groups:edit", WRITE, kwargs=_pk),
    Route("billing_groups:edit", WRITE, kwargs=_pk, method="post", data=_perimeter_form),
    Route("billing_groups:attach", READ, kwargs=_pk),
    # The posted site may be refused (unconfirmed): the page still answers, with the message.
    Route("billing_groups:attach", WRITE, kwargs=_pk, method="post", data=_attach_form),
    Route("billing_groups:delete", WRITE, kwargs=_pk),
    Route("billing_groups:delete", WRITE, kwargs=_pk, method="post"),
]

ROUTES += [
    Route("api:billing-perimeter-list", collection_page(api=True), api=True, leak=_leak),
    Route(
        "api:billing-perimeter-list",
        collection_page(write=True, api=True),
        api=True,
        method="post",
        data=lambda w, t: {**_perimeter_form(w, t), "name": "Créé par l'API"},
    ),
    Route("api:billing-perimeter-detail", API_READ, api=True, kwargs=_pk),
    Route(
        "api:billing-perimeter-detail",
        API_WRITE,
        api=True,
        kwargs=_pk,
        method="patch",
        data=lambda w, t: {"budget_reference": "Budget principal"},
    ),
    # The whole perimeter written again (its own name, so no clash with another perimeter).
    Route(
        "api:billing-perimeter-detail",
        API_WRITE,
        api=True,
        kwargs=_pk,
        method="put",
        data=lambda w, t: {**_perimeter_form(w, t), "budget_reference": "Budget annexe"},
    ),
    Route("api:billing-perimeter-detail", API_WRITE, api=True, kwargs=_pk, method="delete"),
    Route("api:billing-perimeter-sites", API_READ, api=True, kwargs=_pk),
    # The posted site is not confirmed: the service refuses it (400) only after the scoping.
    Route("api:billing-perimeter-attach", _or_refused(API_WRITE), api=True, kwargs=_pk, method="post", data=_site_ids),
    Route("api:billing-perimeter-detach", _or_refused(API_WRITE), api=True, kwargs=_pk, method="post", data=_site_ids),
]
