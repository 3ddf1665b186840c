"""The stateful phase: chains of calls whose ids come from earlier answers (a billing perimeter
listed then read, changed, attached or deleted; a contact listed then edited; a user listed
then changed or deactivated…), as a member administrator.

Schemathesis infers the links between operations from the schema (an answer carries the
``id`` that a later call's path takes), so a step reaches a real object instead of a random
id's 404, and every answer is checked against the contract with the same checks as the
other phases. Each scenario runs inside a savepoint rolled back at its end, with empty
rate-limit counters: every scenario starts from the same data, as Hypothesis requires."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.cache import caches
from django.db import transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.api.contract import LIGHT, api_schema
from tests.conftest import ALPHA_HOST


@pytest.mark.parametrize("persona", ["alice"])
def test_chained_calls_keep_the_contract(world: Any, persona: str, in_test_transaction: None) -> None:
    schema = api_schema(LIGHT)
    token = Token.objects.get_or_create(user=getattr(world, persona))[0].key

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            caches["throttle"].clear()
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": f"http://{ALPHA_HOST}", "headers": {"Authorization": f"Token {token}"}}

    scenarios = settings(max_examples=25, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck))
    Workflow.run(settings=scenarios)
