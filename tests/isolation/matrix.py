"""The tenant-isolation matrix (QUALITY.md item 3).

Every URL of both URL confs must be declared here, in a ``routes_<app>.py`` module
of this package exposing ``ROUTES: list[Route]`` (or listed in ``EXEMPT`` with the
reason). ``test_matrix.py`` then requests each route as every persona, against an
object of member A (alice's and bob's member), of member B (charlie's) and of the
other syndicate (beta), and compares the status codes with ``Route.expect``.

Personas (see tests/conftest.py): alice (admin of A), bob (user of A with only
Consommation + Facturation), charlie (admin of B), carol (coordinator of alpha),
mallory (account manager, public schema), dave (admin of a member of beta),
anonymous.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = ("alice", "bob", "charlie", "carol", "mallory", "dave", "anonymous")
TARGETS = ("member_a", "member_b", "beta")
MEMBER_PERSONAS = {"alice": "member_a", "bob": "member_a", "charlie": "member_b"}
BOB_MODULES = {"consumption", "billing"}

Expectation = Callable[[str, str], int | set[int]]


@dataclass(frozen=True)
class Route:
    """One URL to probe.

    name: the URL name given to ``reverse`` (``"accounts:user_detail"``).
    host: "tenant" (alpha's address) or "public" (the supplier's address).
    kwargs: builds the URL kwargs for a target ("member_a", "member_b", "beta") from
        the World; None for a URL without an object (the targets collapse to one).
    method: "get" or "post"; data: POST data builder (same signature as kwargs).
    expect: (persona, target) -> expected status code (or set of codes).
    leak: for list pages, strings of member B / beta that alice must never see
        (built from the World).
    """

    name: str
    expect: Expectation
    host: str = "tenant"
    kwargs: Callable[[Any, str], dict[str, Any]] | None = None
    method: str = "get"
    data: Callable[[Any, str], dict[str, Any]] | None = None
    api: bool = False
    leak: Callable[[Any], list[str]] | None = field(default=None)


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


# URL names that need no probing, each with its reason.
EXEMPT: dict[str, str] = {
    "tenant:accounts:logout": "POST-only logout of the current session; no object",
    "public:accounts:logout": "POST-only logout of the current session; no object",
}
