"""The shipped grid files are loaded into the public schema after each migration of it."""

from __future__ import annotations

from typing import Any

from django.db import connection


def load_shipped_grids(sender: Any, **kwargs: Any) -> None:
    from invoicing.grids.services import grids_sync_shipped

    if getattr(connection, "schema_name", "public") != "public":
        return
    grids_sync_shipped()
