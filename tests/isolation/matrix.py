"""The tenant-isolation matrix (QUALITY.md item 3): every (URL name, HTTP method) pair.

How to declare a route
----------------------
Every pair (URL name, HTTP method) that a URL of either URL conf answers must be
declared in a ``routes_<app>.py`` module of this package, which exposes
``ROUTES: list[Route]``: one ``Route`` per pair (``method="get"`` by default; a page
answering GET and POST is two ``Route`` entries), or listed in ``EXEMPT`` with the reason.
``test_matrix.py`` then requests each pair as every persona, against an object of
member A (alice's and bob's member), of member B (charlie's) and of the other syndicate
(beta), and compares the status codes with ``Route.expect(persona, target)``.

- The methods a route answers are discovered, not declared by hand (``route_methods``):
  a DRF viewset from the router's method→action mapping, a DRF ``APIView`` or a Django
  class-based view from the handlers it defines among ``http_method_names``, a function
  view from its ``require_http_methods``/``require_POST``/``require_safe`` decorator (a
  function view without one answers every method, so all of them must then be declared:
  restrict it instead). HEAD and OPTIONS are left out (HEAD is GET without the body,
  OPTIONS describes the endpoint); ``METHODS`` is the list probed.
- A discovered pair without a ``Route`` fails ``test_every_pair_is_in_the_matrix``, and so
  does a declared pair that the route does not answer; ``test_undeclared_methods_answer_405``
  then checks by requesting them that the other methods of ``METHODS`` answer 405.
- A writing method is probed for every persona with a body (``data``) that the owner's
  write really accepts, so that its 200/201/204/302 proves the write went through, while
  everybody else gets the refusal (403/404/401, a foreign object 404).
- ``kwargs(world, target)`` and ``data(world, target)`` run in the target's schema and may
  create the object they name. The matrix's world pins member B's and beta's objects far
  from every sequence (``tests/isolation/conftest.py``), and each id sent for beta is
  checked to exist in no table of alpha's schema: a 404 on it proves the isolation, not a
  lucky miss.
- A 302 is read with its target: a persona logged in on the host (alice, bob, charlie and
  carol on alpha's address, mallory on the supplier's) is never sent to the login page, and
  anybody else is never redirected anywhere else, so that a page's "302 after the write"
  is not mistaken for "302 to the login page" (``LOGIN_FLOW`` pages excepted).
- Leaks: every response body, for every persona, is searched for the markers of the data
  that persona must not see (``default_leaks`` plus the route's ``leak(world, target)``,
  e.g. a list's row built for each target).
- A known bug owned by another change may be declared with ``xfail="reason"`` (strict:
  the test fails once the bug is fixed, so the marker is removed then).

Personas (see tests/conftest.py): alice (admin of A), bob (user of A with only
Consommation + Facturation), charlie (admin of B), carol (coordinator of alpha),
mallory (account manager, public schema, following alpha and beta), oscar (account
manager whose portfolio holds beta only), dave (admin of a member of beta), anonymous.

Oscar needs no entry of its own: ``expected_status`` derives it from mallory's
expectation — a back-office page or staff API request naming alpha (its code in the
URL or the body, or a link signed for alpha: ``NAMED_BY_TOKEN``) answers 404, as if
alpha did not exist; anything else answers what mallory gets, and oscar's bodies must
hold nothing of alpha's (``visible_targets``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = ("alice", "bob", "charlie", "carol", "mallory", "oscar", "dave", "anonymous")
STAFF_PERSONAS = {"mallory", "oscar"}
TARGETS = ("member_a", "member_b", "beta")
MEMBER_PERSONAS = {"alice": "member_a", "bob": "member_a", "charlie": "member_b"}
BOB_MODULES = {"consumption", "billing"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_HTTP_METHODS = {*METHODS, "HEAD", "OPTIONS", "TRACE", "CONNECT"}

Expectation = Callable[[str, str], int | set[int]]


@dataclass(frozen=True)
class Route:
    """One (URL name, method) pair to probe.

    name: the URL name given to ``reverse`` (``"accounts:user_detail"``).
    host: "tenant" (alpha's address) or "public" (the supplier's address).
    kwargs: builds the URL kwargs for a target ("member_a", "member_b", "beta") from
        the World; None for a URL without an object (the targets collapse to one).
    method: "get", "post", "put", "patch" or "delete"; data: the body builder (same
        signature as kwargs), sent as JSON to the API and as form data to pages.
    expect: (persona, target) -> expected status code (or set of codes).
    leak: (world, target) -> strings of the target's data (besides ``default_leaks``) that
        a persona outside the target must never read; it runs in the target's schema before
        the probes and may create the object (a list's row).
    xfail: the reason of a known bug owned by another change (strict xfail).
    oscar: oscar's status where it cannot be derived from mallory's (``expected_status``).
    """

    name: str
    expect: Expectation
    host: str = "tenant"
    kwargs: Callable[[Any, str], dict[str, Any]] | None = None
    method: str = "get"
    data: Callable[[Any, str], dict[str, Any]] | None = None
    api: bool = False
    leak: Callable[[Any, str], list[str]] | None = field(default=None)
    xfail: str = ""
    oscar: int | set[int] | None = None

    @property
    def http_method(self) -> str:
        return self.method.upper()


def route_methods(callback: Any) -> frozenset[str]:
    """The methods of ``METHODS`` a URL pattern's view answers (see the module docstring)."""
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset bound by the router: {"get": "list", "post": "create"}
        return frozenset(m.upper() for m in actions) & set(METHODS)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:  # DRF APIView or Django class-based view
        return frozenset(m.upper() for m in view_class.http_method_names if hasattr(view_class, m)) & set(METHODS)
    func = callback
    while func is not None:  # require_http_methods keeps its list in the wrapper's closure
        for cell in func.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if (
                isinstance(value, list | tuple | set | frozenset)
                and value
                and all(isinstance(v, str) and v.upper() in _HTTP_METHODS for v in value)
            ):
                return frozenset(v.upper() for v in value) & set(METHODS)
        func = getattr(func, "__wrapped__", None)
    return frozenset(METHODS)  # an unrestricted function view answers every method


# The login steps and the pages reached from a mailed link: they send everybody to the login page.
LOGIN_FLOW = {
    "accounts:login",
    "accounts:login_second_factor",
    "accounts:totp_enrol",
    "accounts:logout",
    "accounts:activate",
    "accounts:password_reset",
    "accounts:password_reset_confirm",
}


def logged_in_on(persona: str, host: str) -> bool:
    return persona in STAFF_PERSONAS if host == "public" else persona in {"alice", "bob", "charlie", "carol"}


def _target_of(world: Any, target: str, kind: str) -> Any:
    suffix = {"member_a": "a", "member_b": "b", "beta": "beta"}[target]
    return getattr(world, f"{kind}_{suffix}")


_ADMINS = {"member_a": "alice", "member_b": "charlie", "beta": "dave"}


def default_leaks(world: Any, target: str) -> list[str]:
    """Markers of a target's data checked on every response: its member, its site, its administrator."""
    return [
        _target_of(world, target, "member").legal_name,
        _target_of(world, target, "site").delivery_point,
        getattr(world, _ADMINS[target]).email,
    ]


def visible_targets(persona: str, host: str) -> set[str]:
    """The targets whose data a persona may read on a host (everything else is a leak)."""
    if host == "public":
        return set(TARGETS) if persona == "mallory" else {"beta"} if persona == "oscar" else set()
    if persona == "carol":
        return {"member_a", "member_b"}
    return {MEMBER_PERSONAS[persona]} if persona in MEMBER_PERSONAS else set()


# Back-office routes whose URL names alpha through a signed token rather than its code.
NAMED_BY_TOKEN = {"backoffice:export_link_download"}


def _names_alpha(route: Route, world: Any, kwargs: dict[str, Any], data: dict[str, Any]) -> bool:
    if route.name in NAMED_BY_TOKEN:
        return True
    values = [*kwargs.values(), *data.values()]
    return world.alpha.code in {str(value) for value in values}


def expected_status(
    route: Route, persona: str, target: str, world: Any, kwargs: dict[str, Any], data: dict[str, Any]
) -> int | set[int]:
    """The status a persona must get; oscar's derives from mallory's (see the module docstring)."""
    if persona != "oscar":
        return route.expect(persona, target)
    if route.host == "public" and "backoffice" in route.name and _names_alpha(route, world, kwargs, data):
        return 404
    return route.oscar if route.oscar is not None else route.expect("mallory", target)


def leak_variants(secret: str) -> set[str]:
    """The forms a string takes in a body: as is (JSON, text) and HTML-escaped."""
    return {secret, html.escape(secret)}


def _anonymous_status(api: bool) -> int | set[int]:
    return {401, 403} if api else 302


def member_scoped(
    module: str | None = None, *, write: bool = False, api: bool = False, admin_only: bool = False
) -> Expectation:
    """Standard rule for a member-facing page or endpoint on an object.

    Own member: 200 (or the write's success codes) if the user has the module; other
    member or other syndicate: 404. A coordinator reads every member of its syndicate
    but never writes. Anyone logged in elsewhere counts as anonymous here.
    """
    ok: int | set[int] = {200, 201, 204, 302} if write else 200
    denied = 403

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return _anonymous_status(api)
        if target == "beta":
            return {404, denied} if persona == "bob" and module not in BOB_MODULES else 404
        if persona == "carol":
            if write or admin_only:
                return denied
            return ok
        allowed = persona != "bob" or (module in BOB_MODULES and not admin_only)
        if module is None and not admin_only:
            allowed = True
        if not allowed:
            return {denied, 404}
        return ok if MEMBER_PERSONAS[persona] == target else 404

    return expect


def any_member_user(*, api: bool = False) -> Expectation:
    """A page without an object that every logged-in user of the syndicate may open (home, me)."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return _anonymous_status(api)
        return 200

    return expect


def public_page() -> Expectation:
    """Open to everyone (login, landing, password reset request…)."""

    def expect(persona: str, target: str) -> int | set[int]:
        return 200

    return expect


def staff_only(*, api: bool = False) -> Expectation:
    """Back-office pages (public host): account managers only."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona == "mallory":
            return 200
        return _anonymous_status(api)

    return expect


def staff_only_own_syndicate(*, api: bool = False, ok: int = 200) -> Expectation:
    """A back-office object addressed under alpha's code: account managers only, and the other
    syndicate's object (its id sent under alpha's code) is unknown there (404)."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona == "mallory":
            return 404 if target == "beta" else ok
        return _anonymous_status(api)

    return expect


def fixed(status: int | set[int]) -> Expectation:
    def expect(persona: str, target: str) -> int | set[int]:
        return status

    return expect


# Pairs that need no probing, each with its reason: "host:name" (every method) or
# "host:name:METHOD".
EXEMPT: dict[str, str] = {}
