"""The API keeps its OpenAPI contract for a member administrator (every phase, coverage included)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.contract import FULL, api_schema, call_as

schema = api_schema(FULL)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.parametrize("persona", ["alice"])  # names each operation's test in the report, as for the others
def test_member_administrator_gets_what_the_schema_says(
    case: schemathesis.Case, world: Any, persona: str, in_test_transaction: None
) -> None:
    call_as(case, getattr(world, persona))
