"""Serve plotly.js from the installed ``plotly`` wheel at ``vendor/plotly.min.js`` (no CDN, no copy in git).

The CSP allows scripts from 'self' only; the wheel already ships the exact plotly.js
its Python figures are written for, so the static files machinery (runserver,
whitenoise's finders, ``collectstatic``) serves that file under our own address.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, overload

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
VENDOR_FILES = {"vendor/plotly.min.js": PLOTLY_DIR / "plotly.min.js"}


class VendorFinder(BaseFinder):
    """Finds the vendored JavaScript files that Python packages ship."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        source = VENDOR_FILES.get(path)
        if source is None or not source.exists():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, Any]]:
        for name, source in VENDOR_FILES.items():
            if source.exists():
                # collectstatic copies storage.path(source name) to the destination name.
                yield name, _PrefixedStorage(self.storage, source.name)


class _PrefixedStorage(FileSystemStorage):
    """A storage that answers the vendor path with the file inside the package."""

    def __init__(self, storage: FileSystemStorage, filename: str) -> None:
        super().__init__(location=storage.location)
        self.filename = filename

    def path(self, name: str) -> str:
        return super().path(self.filename)

    def open(self, name: str, mode: str = "rb") -> Any:
        return super().open(self.filename, mode)
