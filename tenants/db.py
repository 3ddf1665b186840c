"""The database connection as django-tenants extends it (set_tenant, schema_name…), typed loosely.

Django's stubs know only the plain wrapper; importing the connection from here keeps
the tenant methods visible to mypy without an ignore at every call.
"""

from __future__ import annotations

from typing import Any

from django.db import connection as _connection

connection: Any = _connection


def current_schema() -> str:
    return str(connection.schema_name)
