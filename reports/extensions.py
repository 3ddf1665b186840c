"""Hooks that the back-office fills in, so that the export framework never names its pages.

An export asked by an account manager is mailed with links to the back-office's pages on
the public host ("Mes exports" and the file's signed link): ``backoffice`` registers how to
build them at start-up (``BackofficeConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable

# token -> ("Mes exports" page, the file's signed download link)
StaffLinks = Callable[[str], tuple[str, str]]

_staff_links: StaffLinks | None = None


def register_staff_links(provider: StaffLinks) -> None:
    global _staff_links
    _staff_links = provider


def staff_links(token: str) -> tuple[str, str]:
    if _staff_links is None:
        raise RuntimeError("No back-office installed to serve the exports of supplier staff")
    return _staff_links(token)
