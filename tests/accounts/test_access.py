"""The access module's decisions: each persona × module × read/write, staff, the read-only
coordinator, and the DRF permission classes built from the same predicates.

The personas are the suite's (tests/conftest.py), built in memory: the decisions read only
the role, the member and the module rights, never the database.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import access
from accounts.choices import Module, Role
from accounts.models import User

MEMBER_A = 1


def _persona(name: str) -> Any:
    if name == "anonymous":
        return AnonymousUser()
    return {
        # administrator of member A: every module
        "alice": User(email="alice@a.test", role=Role.MEMBER_ADMIN, member_id=MEMBER_A),
        # user of member A with Consommation and Facturation only
        "bob": User(
            email="bob@a.test", role=Role.MEMBER_USER, member_id=MEMBER_A, modules=[Module.CONSUMPTION, Module.BILLING]
        ),
        # user of member A given "Administration des accès" (and nothing else)
        "erin": User(email="erin@a.test", role=Role.MEMBER_USER, member_id=MEMBER_A, modules=[Module.ACCESS]),
        # the syndicate's coordinator: reads everything but the access administration, writes nothing
        "carol": User(email="carol@alpha.test", role=Role.COORDINATOR),
        # supplier staff: the back-office only
        "mallory": User(email="mallory@fournisseur.test", role=Role.ACCOUNT_MANAGER),
    }[name]


PERSONAS = ["alice", "bob", "erin", "carol", "mallory", "anonymous"]
MEMBER_MODULES = [m for m in Module if m != Module.ACCESS]

# (reads, writes) per persona: the modules each may read, and through which it may write.
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "alice": (set(Module), set(Module)),
    "bob": ({Module.CONSUMPTION, Module.BILLING}, {Module.CONSUMPTION, Module.BILLING}),
    "erin": ({Module.ACCESS}, {Module.ACCESS}),
    "carol": (set(MEMBER_MODULES), set()),
    "mallory": (set(), set()),
    "anonymous": (set(), set()),
}


@pytest.mark.parametrize("module", list(Module))
@pytest.mark.parametrize("persona", PERSONAS)
def test_read_and_write_rights_per_persona_and_module(persona: str, module: Module) -> None:
    user = _persona(persona)
    reads, writes = EXPECTED[persona]
    assert access.can_read(user, module) is (module in reads)
    assert access.can_write(user, module) is (module in writes)


@pytest.mark.parametrize("persona", PERSONAS)
def test_roles(persona: str) -> None:
    user = _persona(persona)
    assert access.is_member_user(user) is (persona in {"alice", "bob", "erin"})
    assert access.is_member_space_user(user) is (persona in {"alice", "bob", "erin", "carol"})
    assert access.is_account_manager(user) is (persona == "mallory")


def test_a_disabled_account_is_not_a_member_space_user() -> None:
    alice = _persona("alice")
    alice.is_active = False
    assert not access.is_member_space_user(alice)


# --- View helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (Module.CONSUMPTION, "Vous n'avez pas accès à la consommation."),
        (Module.PARK, "Vous n'avez pas accès au parc."),
        (Module.COLLECTION, "Vous n'avez pas accès à la collecte de données."),
    ],
)
def test_a_missing_module_is_refused_with_the_modules_message(module: Module, message: str) -> None:
    erin = _persona("erin")
    with pytest.raises(PermissionDenied) as refused:
        access.require_module(erin, module)
    assert str(refused.value) == message


@pytest.mark.parametrize("module", MEMBER_MODULES)
def test_the_coordinator_reads_every_module_but_is_refused_writes(module: Module) -> None:
    carol = _persona("carol")
    access.require_module(carol, module)  # reading: no refusal
    with pytest.raises(PermissionDenied) as refused:
        access.require_module(carol, module, write=True)
    assert str(refused.value) == "Vous consultez ces données en lecture seule."


def test_module_user_gives_the_typed_user_or_refuses() -> None:
    bob = _persona("bob")
    assert access.module_user(SimpleNamespace(user=bob), Module.CONSUMPTION, write=True) is bob  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        access.module_user(SimpleNamespace(user=bob), Module.PARK)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("check", "allowed"), [(access.require_account_manager, "mallory"), (access.require_coordinator, "carol")]
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_back_office_and_the_coordinators_pages_let_only_their_persona_in(
    persona: str, check: Any, allowed: str
) -> None:
    request: Any = SimpleNamespace(user=_persona(persona))
    if persona == allowed:
        assert check(request) is request.user
    else:
        with pytest.raises(PermissionDenied):
            check(request)


# --- DRF permission classes ----------------------------------------------------------------

SAFE, UNSAFE = ["GET", "HEAD", "OPTIONS"], ["POST", "PUT", "PATCH", "DELETE"]
LIST_VIEW, DETAIL_VIEW = SimpleNamespace(detail=False), SimpleNamespace(detail=True)


def _request(persona: str, method: str) -> Any:
    return SimpleNamespace(user=_persona(persona), method=method)


@pytest.mark.parametrize("persona", PERSONAS)
def test_is_member_space_user_lets_member_users_and_the_coordinator_in(persona: str) -> None:
    allowed = access.IsMemberSpaceUser().has_permission(_request(persona, "GET"), LIST_VIEW)
    assert allowed is (persona in {"alice", "bob", "erin", "carol"})


@pytest.mark.parametrize("module", list(Module))
@pytest.mark.parametrize("persona", PERSONAS)
def test_has_module_answers_like_can_read(persona: str, module: Module) -> None:
    permission = access.has_module(module)()
    assert permission.has_permission(_request(persona, "GET"), LIST_VIEW) is (module in EXPECTED[persona][0])


def test_has_module_accepts_any_of_its_modules_and_says_which_it_wants() -> None:
    park_or_collection = access.has_module(Module.PARK, Module.COLLECTION)
    assert park_or_collection.message == "Droit « Parc ou Collecte » requis."
    assert not park_or_collection().has_permission(_request("bob", "GET"), LIST_VIEW)
    assert park_or_collection().has_permission(_request("carol", "GET"), LIST_VIEW)
    consumption = access.has_module(Module.CONSUMPTION, message="Droit manquant : Consommation.")
    assert consumption.message == "Droit manquant : Consommation."
    with pytest.raises(ValueError):
        access.has_module()


@pytest.mark.parametrize("method", SAFE + UNSAFE)
@pytest.mark.parametrize("persona", ["alice", "bob", "carol"])
def test_read_only_for_coordinator_refuses_its_writes_before_any_lookup(persona: str, method: str) -> None:
    permission = access.ReadOnlyForCoordinator()
    allowed = permission.has_permission(_request(persona, method), DETAIL_VIEW)
    assert allowed is (method in SAFE or persona != "carol")
    assert permission.message == "Le coordinateur du syndicat a un accès en lecture seule."


@pytest.mark.parametrize("method", SAFE + UNSAFE)
@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_member_writes_after_lookup_lets_a_detail_route_reach_its_lookup(persona: str, method: str) -> None:
    # On one object, the coordinator's write is refused once the object is found (a foreign
    # id stays a 404); on a list route (a creation), before anything.
    permission = access.MemberWritesAfterLookup()
    request = _request(persona, method)
    may_write = method in SAFE or persona != "carol"
    assert permission.has_permission(request, DETAIL_VIEW) is True
    assert permission.has_object_permission(request, DETAIL_VIEW, object()) is may_write
    assert permission.has_permission(request, LIST_VIEW) is may_write


def test_member_writes_after_lookup_refuses_the_anonymous() -> None:
    permission = access.MemberWritesAfterLookup()
    assert not permission.has_permission(_request("anonymous", "GET"), DETAIL_VIEW)
    assert not permission.has_permission(_request("anonymous", "POST"), LIST_VIEW)


@pytest.mark.parametrize("persona", PERSONAS)
def test_is_account_manager_is_staff_only(persona: str) -> None:
    allowed = access.IsAccountManager().has_permission(_request(persona, "GET"), LIST_VIEW)
    assert allowed is (persona == "mallory")


# --- No copy comes back ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "backoffice",
    "billing_groups",
    "config",
    "consumption",
    "datacollection",
    "perimeter",
    "reports",
    "ui",
]
DECIDERS = {"accounts/access.py", "accounts/models.py"}  # ``User.has_module`` and the access module


def _sources() -> list[tuple[str, ast.AST]]:
    return [
        (str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path)))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_no_app_writes_its_own_permission_class_or_module_check() -> None:
    # Pages and endpoints ask accounts.access; a BasePermission subclass or a direct
    # ``user.has_module(...)`` elsewhere is a copy of the rule waiting to drift.
    offending = []
    for path, tree in _sources():
        if path in DECIDERS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name | ast.Attribute) and ast.unparse(base).endswith("BasePermission")
                for base in node.bases
            ):
                offending.append(f"{path}: class {node.name}")
            called = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(called, ast.Attribute)
                and called.attr == "has_module"
                and ast.unparse(called.value) != "access"
            ):
                offending.append(f"{path}:{called.lineno}: .has_module(...)")
    assert offending == []
