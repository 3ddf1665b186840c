"""Schemathesis set-up of the contract tests (test_contract_*.py): schema, checks, personas' calls.

The schema is the one the API serves (drf-spectacular with ``config.api_schema``); the
requests go through Django's WSGI application on the syndicate's address, inside the
test's transaction (rolled back at its end: generated writes never reach other tests).
Personas: alice (member administrator, every phase including the coverage phase's
negative and boundary cases), bob (restricted member user) and carol (the read-only
coordinator), with fewer examples. Two test files, so that xdist (``--dist loadfile``)
runs them on both workers; about two minutes each on a loaded 2-core machine.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import ALPHA_HOST

CHECKS = """
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
negative_data_rejection.enabled = true
positive_data_acceptance.enabled = true

# A consumption period, and an invoice search's, is one year at most: a rule between two
# documented dates that a schema cannot say, so schema-valid dates far apart are rightly
# refused (400, documented); a statement's end may not precede its start, and the
# coordinator must name the member.
[[operations]]
include-path-regex = "^/api/v1/(consumption/.*/(energy|load-curve)|invoices|account-statement)/$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]

# Writes whose acceptance depends on the data already there, which no schema can say:
# a billing perimeter's name is unique per member; a journey starts only with an open
# campaign and is validated only when complete; a new site goes into one of the
# campaign's lots, a bulk update onto the member's own sites; a budget line's code is unique
# per member and year, a routing names an existing perimeter, line and sites of the member.
# A technical request's data follows its type's rules beyond the schema (earliest date in
# working days, the site's state and energy, a new site only for some types), and a
# request is cancelled once only, before it is sent to the distributor.
# The service's refusal is a documented 400; negative data is still checked on them, and
# syntax by the schema.
[[operations]]
include-path-regex = "^/api/v1/((billing-perimeters|budget-lines|routing|technical-requests)/|journey/(start|validate|sites)/)"
include-method = ["POST", "PUT", "PATCH"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]
"""  # noqa: E501 (a TOML regex cannot be split)


def _config(*, max_examples: int, coverage: bool) -> schemathesis.Config:
    """The checks above, ``max_examples`` per operation in the fuzzing phase, and the coverage
    phase (negative and boundary values of every parameter, ``OPTIONS``) when asked."""
    return schemathesis.Config.from_str(
        CHECKS
        + f"""
[generation]
max-examples = {max_examples}
no-shrink = true
[phases.coverage]
enabled = {str(coverage).lower()}
generate-duplicate-query-parameters = false
unexpected-methods = ["OPTIONS"]
"""
    )


FULL = _config(max_examples=4, coverage=True)
LIGHT = _config(max_examples=3, coverage=False)


def api_schema(config: schemathesis.Config) -> Any:
    raw = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = WSGIHandler()
    return schema


def call_as(case: schemathesis.Case, user: Any) -> None:
    token = Token.objects.get_or_create(user=user)[0].key
    excluded: list[Any] = []
    if user.is_coordinator and case.path.startswith("/api/v1/journey/"):
        # ``member`` is optional in the schema (member users read their own journey) and
        # required of the coordinator, who reads any member's: the 400 asking for it is right.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(
        base_url=f"http://{ALPHA_HOST}", headers={"Authorization": f"Token {token}"}, excluded_checks=excluded
    )
