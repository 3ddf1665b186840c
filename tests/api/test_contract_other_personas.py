"""The API keeps its OpenAPI contract for a restricted member user and the read-only coordinator."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.contract import LIGHT, api_schema, call_as

schema = api_schema(LIGHT)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.parametrize("persona", ["bob", "carol"])
def test_restricted_user_and_coordinator_get_what_the_schema_says(
    case: schemathesis.Case, world: Any, persona: str, in_test_transaction: None
) -> None:
    call_as(case, getattr(world, persona))
