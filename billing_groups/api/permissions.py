from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.choices import Module
from billing_groups.selectors import can_edit_perimeters


class CollectionAccess(BasePermission):
    """Collecte right to read; member users (not coordinators) to write.

    Writes on an object are refused only once the object is found in the user's scope,
    so that a foreign id answers 404 before any 403.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.has_module(Module.COLLECTION)):
            return False
        if request.method in SAFE_METHODS or getattr(view, "detail", False):
            return True
        return can_edit_perimeters(user)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in SAFE_METHODS or can_edit_perimeters(request.user)
