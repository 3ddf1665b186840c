"""The export framework's entry, filled by ``reports`` at start-up (``ReportsConfig.ready``).

The Direct View of a run is built, stored and mailed by the reports framework (attached
when small, a signed expiring link when large); ``billing_files`` never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.models import User

# (user, report name, parameters) -> the export job's id
ExportRequester = Callable[[User, str, dict[str, Any]], Any]

_requester: ExportRequester | None = None


def register_export_requester(requester: ExportRequester) -> None:
    global _requester
    _requester = requester


def export_request(user: User, report: str, params: dict[str, Any]) -> Any:
    if _requester is None:
        raise RuntimeError("No export framework installed to build the billing files")
    return _requester(user, report, params)
