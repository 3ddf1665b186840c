"""Every report definition documents its parameters (one English vocabulary) and has valid defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from reports.registry import SyndicateReportDefinition, definitions
from tests.conftest import logged_in

FRENCH_NAMES = {"debut", "fin", "energie", "perimetre", "membre"}


def _requires_params(definition: Any) -> bool:
    return any(field.required for field in definition.params().fields.values())


def test_every_definition_documents_its_parameters_in_english():
    for definition in definitions():
        names = set(definition.params().fields)
        assert not names & FRENCH_NAMES, (definition.name, names)


@pytest.mark.parametrize("definition", [d for d in definitions() if not _requires_params(d)], ids=lambda d: d.name)
def test_a_definition_asked_with_no_parameters_is_accepted_and_builds(world, definition):
    user = world.carol if isinstance(definition, SyndicateReportDefinition) else world.alice
    params = definition.clean_params({})  # the defaults are valid: no "La période est limitée à 12 mois."
    if definition.check_access is not None:
        definition.check_access(user, params)
    rows = list(definition.rows(user, params))
    assert definition.count(user, params) >= len(rows) >= 0


def test_the_monthly_export_defaults_to_the_last_twelve_months(world):
    from reports.registry import get_definition

    definition = get_definition("consumption_monthly")
    assert definition is not None
    params = definition.clean_params({})
    first, last = dt.date.fromisoformat(params["first"]), dt.date.fromisoformat(params["last"])
    assert (last.year - first.year) * 12 + last.month - first.month + 1 == 12
    assert last == dt.date.today().replace(day=1)


def test_the_api_asks_for_the_parameters_a_report_needs(world):
    response = logged_in(world.alice).post(
        reverse("api:export-list"), {"report": "consumption_daily"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "site" in response.json()["params"]


def test_the_api_refuses_a_number_where_a_month_is_documented(world):
    response = logged_in(world.alice).post(
        reverse("api:export-list"),
        {"report": "consumption_monthly", "params": {"first": 202501}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "first" in response.json()["params"]


def test_the_api_takes_the_english_names(world, django_capture_on_commit_callbacks):
    month = dt.date.today().replace(day=1)
    params = {"first": f"{month:%Y-%m}", "last": f"{month:%Y-%m}", "fluid": "elec", "site": world.site_a.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(world.alice).post(
            reverse("api:export-list"),
            {"report": "consumption_monthly", "params": params},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["parameters"]["fluid"] == "elec"
