"""The registry of report definitions: every export, direct or in the background, goes through one.

A definition says what a report is (name, French title, columns) and how to read its
rows for a user (always through the member-scoping selectors), streaming them from a
server-side cursor so that memory stays flat.

Two kinds of requester: a user of the syndicate (``User``, scoped by member), or an
account manager working from the back-office (``StaffRequester``), who may ask only
for the syndicate-wide definitions (``SyndicateReportDefinition``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from rest_framework import serializers

from accounts.access import can_read
from accounts.models import User
from spreadsheets.xlsx import Column

Params = dict[str, Any]
RowSource = Callable[[User, Params], Iterable[Sequence[Any]]]
RowCount = Callable[[User, Params], int]
# Raises Http404 (a foreign object) or PermissionDenied when the user may not export these parameters.
AccessCheck = Callable[[User, Params], None]


@dataclass(frozen=True)
class StaffRequester:
    """An account manager asking for an export from the back-office.

    The syndicate's schema has no row for supplier staff: the e-mail says who asked.
    Only ``reports.services`` builds one, for a job recorded with ``requested_by_staff``
    after the back-office entered the syndicate explicitly; a syndicate's user never
    becomes one.
    """

    email: str


Requester = User | StaffRequester
SyndicateRowSource = Callable[[Requester, Params], Iterable[Sequence[Any]]]
SyndicateRowCount = Callable[[Requester, Params], int]


class ReportParams(serializers.Serializer[Any]):
    """Paramètres du rapport (un nom inconnu est refusé)."""

    # Unknown names are refused by ``clean_params``: the schema closes the object
    # (``additionalProperties: false``, config.api_schema).
    closed = True


class NoParams(ReportParams):
    """A report without parameters."""


def params_only(params: Params, allowed: set[str] | frozenset[str]) -> None:
    """Refuse a parameter the definition does not take (every definition's first check)."""
    unknown = set(params) - set(allowed)
    if unknown:
        raise ValidationError(f"Paramètre inconnu : {', '.join(sorted(unknown))}.")


def _no_params(params: Params) -> Params:
    if params:
        raise ValidationError("Ce rapport ne prend pas de paramètre.")
    return {}


@dataclass(frozen=True)
class ReportDefinition:
    """One export: its columns and its rows, read for a given user and parameters."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: RowSource
    count: RowCount
    module: str | None = None  # the module right the user needs (None: anyone logged in)
    clean_params: Callable[[Params], Params] = field(default=_no_params)
    # The parameters' names and types, as the API documents and checks them (one serializer
    # per definition, listed in the OpenAPI schema by ``reports.api``); ``clean_params`` then
    # applies the defaults and the rules, for the pages as for the API.
    params: type[ReportParams] = NoParams
    # Checked when the export is asked for, so that a foreign site is refused (404) at
    # once instead of queuing a job that fails; the rows are scoped again when read.
    check_access: AccessCheck | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}.xlsx"

    def allowed_for(self, user: User) -> bool:
        return self.module is None or can_read(user, self.module)


@dataclass(frozen=True)
class SyndicateReportDefinition(ReportDefinition):
    """A syndicate-wide report: the coordinator (member users never see other members' data)
    or supplier staff from the back-office; its row sources take either requester."""

    rows: SyndicateRowSource
    count: SyndicateRowCount

    def allowed_for(self, user: User) -> bool:
        return bool(getattr(user, "is_coordinator", False))


_REGISTRY: dict[str, ReportDefinition] = {}


D = TypeVar("D", bound=ReportDefinition)


def register(definition: D) -> D:
    if definition.name in _REGISTRY and _REGISTRY[definition.name] is not definition:
        raise ValueError(f"Report {definition.name!r} is already registered")
    _REGISTRY[definition.name] = definition
    return definition


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get_definition(name: str) -> ReportDefinition | None:
    return _REGISTRY.get(name)


def definitions() -> list[ReportDefinition]:
    return sorted(_REGISTRY.values(), key=lambda d: d.title)
