"""The registry of report definitions: every export, direct or in the background, goes through one.

A definition says what a report is (name, French title, columns) and how to read its
rows for a user (always through the member-scoping selectors), streaming them from a
server-side cursor so that memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import User
from spreadsheets.xlsx import Column

Params = dict[str, Any]
RowSource = Callable[[User, Params], Iterable[Sequence[Any]]]
RowCount = Callable[[User, Params], int]
# Raises Http404 (a foreign object) or PermissionDenied when the user may not export these parameters.
AccessCheck = Callable[[User, Params], None]


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
    # Checked when the export is asked for, so that a foreign site is refused (404) at
    # once instead of queuing a job that fails; the rows are scoped again when read.
    check_access: AccessCheck | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}.xlsx"

    def allowed_for(self, user: User) -> bool:
        return self.module is None or user.has_module(self.module)


_REGISTRY: dict[str, ReportDefinition] = {}


def register(definition: ReportDefinition) -> ReportDefinition:
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
