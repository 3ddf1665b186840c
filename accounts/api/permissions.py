"""Who may call the park's endpoints: module rights and the coordinator's read-only access.

Scoping (which rows) is the selectors' job; these only say whether the caller may use
the endpoint at all. A module refusal is a 403 given before any object lookup, so it
reveals nothing about other members' ids.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.choices import MEMBER_ROLES, Module, Role
from accounts.models import User


def _user(request: Request) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


class IsMemberSpaceUser(BasePermission):
    """A user of the syndicate's member space: a member user or the coordinator."""

    message = "Réservé aux utilisateurs des membres et au coordinateur du syndicat."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return user is not None and (user.role in MEMBER_ROLES or user.role == Role.COORDINATOR)


class HasModule(BasePermission):
    """The user has at least one of ``modules`` (``User.has_module``); build one with ``has_module``."""

    modules: tuple[str, ...] = ()

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return user is not None and any(user.has_module(module) for module in self.modules)


def has_module(*modules: str) -> type[HasModule]:
    """A permission class requiring one of the modules: ``permission_classes = [has_module(Module.PARK)]``."""
    if not modules:
        raise ValueError("has_module needs at least one module")
    labels = " ou ".join(str(Module(module).label) for module in modules)
    attributes = {"modules": tuple(modules), "message": f"Droit « {labels} » requis."}
    return type(f"HasModule_{'_'.join(modules)}", (HasModule,), attributes)


class ReadOnlyForCoordinator(BasePermission):
    """The coordinator reads every member's data but never writes (PRODUCT.md, roles)."""

    message = "Le coordinateur du syndicat a un accès en lecture seule."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        if user is None:
            return False
        return request.method in SAFE_METHODS or user.role != Role.COORDINATOR
