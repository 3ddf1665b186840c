"""Who may do what, decided in one place (STYLE.md item 13).

The rules (PRODUCT.md, roles):

- a member user (the member administrator, or a member user given module rights) reads
  and writes the modules it holds (``User.has_module``: the administrator holds every
  module);
- the syndicate's coordinator reads every module but "Administration des accès", and
  writes nothing;
- supplier staff (account managers, public schema) hold no member module: they use
  the back-office and the staff API only, and reach only the syndicates of their
  portfolio (``Syndicate.account_managers``); a supervisor reaches every syndicate and
  manages the staff. A syndicate outside the portfolio answers 404, as if it did not
  exist (``staff_syndicates``, ``get_staff_syndicate``).

Which rows a user sees is not decided here but by the member-scoping selectors
(``perimeter.selectors``): a foreign id answers 404 there, before any refusal here, in
the views that look the object up first.

Every page, endpoint and permission class asks these functions: the view helpers
(``module_user``, ``require_module``, ``require_account_manager``…) raise Django's
``PermissionDenied`` (403) with the French message the user reads; the DRF permission
classes at the bottom are built from the same predicates.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.choices import MEMBER_ROLES, Module, Role
from accounts.models import User
from tenants.models import Syndicate

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

# --- Decisions ---------------------------------------------------------------------------


def is_member_user(user: object) -> bool:
    """A user of a member (its administrator or one of its users), as opposed to the coordinator or staff."""
    return isinstance(user, User) and user.is_authenticated and user.role in MEMBER_ROLES


def is_member_space_user(user: object) -> bool:
    """A user of the syndicate's member space: a member user or the coordinator."""
    return (
        isinstance(user, User)
        and user.is_authenticated
        and user.is_active
        and (user.role in MEMBER_ROLES or user.role == Role.COORDINATOR)
    )


def is_account_manager(user: object) -> bool:
    """Supplier staff (public schema): the back-office and the staff API."""
    return isinstance(user, User) and user.is_authenticated and user.is_account_manager


def is_supervisor(user: object) -> bool:
    """Supplier staff reaching every syndicate, who manages the staff (invitations, portfolios)."""
    return is_account_manager(user) and isinstance(user, User) and user.is_supervisor


def staff_syndicates(user: object) -> QuerySet[Syndicate]:
    """The syndicates a staff user reaches: every one for a supervisor, its portfolio for an
    account manager, none for anybody else (the public schema never counts)."""
    syndicates = Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
    if not is_account_manager(user):
        return syndicates.none()
    assert isinstance(user, User)
    if user.is_supervisor:
        return syndicates
    return syndicates.filter(account_managers=user)


def get_staff_syndicate(user: object, code: str, *, active_only: bool = False) -> Syndicate:
    """One syndicate of the user's reach by code; 404 for an unknown code or one outside the portfolio."""
    syndicates = staff_syndicates(user).filter(code=code)
    if active_only:
        syndicates = syndicates.filter(is_active=True)
    found = syndicates.first()
    if found is None:
        raise Http404("Syndicat inconnu")
    return found


# The request being answered, for the back-office's syndicate lookups that take no user
# (``backoffice.selectors``): set by ``StaffScopeMiddleware`` for the request's duration.
_current_request: ContextVar[HttpRequest | None] = ContextVar("staff_scope_request", default=None)


def scoped_syndicates() -> QuerySet[Syndicate]:
    """The syndicates the current request's user reaches (``staff_syndicates``); outside a
    request (a task, a command) every syndicate, since no person is acting."""
    request = _current_request.get()
    if request is None:
        return Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
    return staff_syndicates(getattr(request, "user", None))


class StaffScopeMiddleware:
    """Makes the request's user the scope of ``scoped_syndicates`` while the request is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def can_read(user: object, module: str) -> bool:
    """Whether the user may use ``module``: a member user holding it, or the coordinator."""
    return isinstance(user, User) and user.is_authenticated and user.has_module(module)


def can_write(user: object, module: str) -> bool:
    """Whether the user may change data through ``module``: member users holding it; never the coordinator."""
    return is_member_user(user) and can_read(user, module)


# --- View helpers (HTML pages) -------------------------------------------------------------

# What a user without the module reads; modules without a page of their own yet share the last one.
_MODULE_REFUSALS: dict[str, StrPromise] = {
    Module.CONSUMPTION: _("Vous n'avez pas accès à la consommation."),
    Module.PARK: _("Vous n'avez pas accès au parc."),
    Module.COLLECTION: _("Vous n'avez pas accès à la collecte de données."),
}
_OTHER_MODULE_REFUSAL = _("Vous n'avez pas accès à ce module.")
READ_ONLY_REFUSAL = _("Vous consultez ces données en lecture seule.")


def request_user(request: HttpRequest | Request) -> User:
    """The request's user, typed; for views behind ``login_required`` or an authenticating permission."""
    user = request.user
    assert isinstance(user, User)
    return user


def require_module(user: User, module: str, *, write: bool = False) -> None:
    """403 unless the user may read ``module`` (and write through it when ``write``).

    Called after the object lookup where a view has one, so that a foreign id is a 404 first.
    """
    if not can_read(user, module):
        raise PermissionDenied(str(_MODULE_REFUSALS.get(module, _OTHER_MODULE_REFUSAL)))
    if write and not can_write(user, module):
        raise PermissionDenied(str(READ_ONLY_REFUSAL))


def module_user(request: HttpRequest, module: str, *, write: bool = False) -> User:
    """The request's user once ``require_module`` let it through: a view's first line when it looks nothing up."""
    user = request_user(request)
    require_module(user, module, write=write)
    return user


def require_coordinator(request: HttpRequest) -> User:
    """The coordinator's own pages (campaign follow-up): 403 for anybody else."""
    user = request.user
    if not isinstance(user, User) or user.role != Role.COORDINATOR:
        raise PermissionDenied
    return user


def require_account_manager(request: HttpRequest) -> User:
    """The back-office's pages: 403 for anybody but supplier staff (account managers and supervisors)."""
    user = request.user
    if not is_account_manager(user):
        raise PermissionDenied
    assert isinstance(user, User)
    return user


def require_supervisor(request: HttpRequest) -> User:
    """The staff management pages (invite, portfolio, deactivate): 403 for anybody but a supervisor."""
    user = require_account_manager(request)
    if not user.is_supervisor:
        raise PermissionDenied(str(_("Réservé aux superviseurs.")))
    return user


# --- DRF permission classes (API) ---------------------------------------------------------

COORDINATOR_READ_ONLY = "Le coordinateur du syndicat a un accès en lecture seule."


def api_user(request: Request) -> User | None:
    """The caller, or None when anonymous (schema generation runs the views with an anonymous request)."""
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


class IsMemberSpaceUser(BasePermission):
    """A user of the syndicate's member space: a member user or the coordinator."""

    message = "Réservé aux utilisateurs des membres et au coordinateur du syndicat."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_member_space_user(api_user(request))


class HasModule(BasePermission):
    """The user may read at least one of ``modules`` (``can_read``); build one with ``has_module``."""

    modules: tuple[str, ...] = ()
    message = "Droit de module requis."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = api_user(request)
        return any(can_read(user, module) for module in self.modules)


def has_module(*modules: str, message: str | None = None) -> type[HasModule]:
    """A permission class requiring one of the modules: ``permission_classes = [has_module(Module.PARK)]``."""
    if not modules:
        raise ValueError("has_module needs at least one module")
    labels = " ou ".join(str(Module(module).label) for module in modules)
    attributes = {"modules": tuple(modules), "message": message or f"Droit « {labels} » requis."}
    return type(f"HasModule_{'_'.join(modules)}", (HasModule,), attributes)


class ReadOnlyForCoordinator(BasePermission):
    """The coordinator reads every member's data but never writes: refused before any lookup."""

    message = COORDINATOR_READ_ONLY

    def has_permission(self, request: Request, view: Any) -> bool:
        user = api_user(request)
        if user is None:
            return False
        return request.method in SAFE_METHODS or is_member_user(user)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in SAFE_METHODS or is_member_user(api_user(request))


class MemberWritesAfterLookup(ReadOnlyForCoordinator):
    """Like ``ReadOnlyForCoordinator``, but a write on one object is refused only once the object
    is found in the user's scope (``has_object_permission``), so that a foreign id answers 404
    before any 403."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(view, "detail", False):
            return api_user(request) is not None
        return super().has_permission(request, view)


class IsAccountManager(BasePermission):
    """Supplier staff only (account managers, public schema); everyone else is refused."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_account_manager(request.user)
